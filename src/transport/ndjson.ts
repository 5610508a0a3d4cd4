import { Code, ConnectError } from "@connectrpc/connect";
import { bodyFailure } from "./fetch-answer.js";
import { responseTooLarge } from "./limits.js";

/**
 * Reads a newline-delimited JSON body and yields each line parsed, as soon as the line is
 * complete. Only the unfinished tail of the body is held in memory, so a stream that runs for
 * hours costs no more than its longest line, and a line longer than `maxLineBytes` fails with
 * `RESOURCE_EXHAUSTED` as soon as that many bytes of it have come, before it is decoded. Empty
 * lines (keep-alives, a trailing newline) are skipped; a line that is not JSON is a protocol
 * error.
 *
 * Stopping the iteration early cancels the body, which lets the HTTP connection go.
 */
export async function* parseNdjson(
  body: ReadableStream<Uint8Array>,
  maxLineBytes: number = Number.POSITIVE_INFINITY,
  signal?: AbortSignal,
): AsyncGenerator<unknown> {
  const reader = body.getReader();
  // `stream: true` keeps a multi-byte character that is split across chunks until it is whole.
  const decoder = new TextDecoder();
  // The decoded pieces of the line being read. Kept apart and joined once the line is whole:
  // appending to one string and searching it would copy a long line once per chunk.
  let parts: string[] = [];
  // Bytes of the line being read that came so far: counted in bytes, before decoding.
  let lineBytes = 0;
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await readChunk(reader, signal);
      if (done) {
        break;
      }
      lineBytes = checkLineBytes(value, lineBytes, maxLineBytes);
      const text = decoder.decode(value, { stream: true });
      let lineStart = 0;
      for (;;) {
        const lineEnd = text.indexOf("\n", lineStart);
        if (lineEnd === -1) {
          break;
        }
        parts.push(text.slice(lineStart, lineEnd));
        const line = parts.length === 1 ? (parts[0] ?? "") : parts.join("");
        parts = [];
        lineStart = lineEnd + 1;
        const parsed = parseLine(line);
        if (parsed !== undefined) {
          yield parsed;
        }
      }
      if (lineStart < text.length) {
        parts.push(text.slice(lineStart));
      }
    }
    finished = true;
    parts.push(decoder.decode());
    const last = parseLine(parts.join(""));
    if (last !== undefined) {
      yield last;
    }
  } finally {
    if (!finished) {
      // The consumer stopped or a line failed to parse: release the connection. A cancel that
      // fails has nothing left to clean up.
      reader.cancel().catch(() => {});
    }
    reader.releaseLock();
  }
}

const newline = 0x0a;

/**
 * The bytes of the unfinished line once `chunk` is added to the `lineBytes` that came before it;
 * `RESOURCE_EXHAUSTED` as soon as any line of it passes `maxLineBytes`.
 */
function checkLineBytes(chunk: Uint8Array, lineBytes: number, maxLineBytes: number): number {
  let current = lineBytes;
  let from = 0;
  for (;;) {
    const lineEnd = chunk.indexOf(newline, from);
    current += (lineEnd === -1 ? chunk.byteLength : lineEnd) - from;
    if (current > maxLineBytes) {
      throw responseTooLarge("a line of the gateway stream", undefined, maxLineBytes);
    }
    if (lineEnd === -1) {
      return current;
    }
    current = 0;
    from = lineEnd + 1;
  }
}

/**
 * A body that fails to read after the answer began means the connection went away: a proxy
 * timed out, Omni restarted, the network dropped. That is UNAVAILABLE, as on the other
 * transports, rather than fetch's bare "terminated". When the caller aborted the call, Connect
 * reports the abort reason instead of this error.
 */
async function readChunk(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  signal: AbortSignal | undefined,
): Promise<ReadableStreamReadResult<Uint8Array>> {
  try {
    return await reader.read();
  } catch (cause) {
    throw bodyFailure(cause, signal, "the Omni gateway", "mid-stream");
  }
}

const whitespaceOnly = /^\s*$/;

function parseLine(line: string): unknown {
  if (whitespaceOnly.test(line)) {
    return undefined;
  }
  try {
    return JSON.parse(line);
  } catch (cause) {
    throw new ConnectError(
      `protocol error: a line of the gateway stream is not JSON (${line.length} characters)`,
      Code.Internal,
      undefined,
      undefined,
      cause,
    );
  }
}
