import { Code, ConnectError } from "@connectrpc/connect";
import { errorMessage } from "./gateway-errors.js";

/**
 * Reads a newline-delimited JSON body and yields each line parsed, as soon as the line is
 * complete. Only the unfinished tail of the body is held in memory, so a stream that runs for
 * hours costs no more than its longest line. Empty lines (keep-alives, a trailing newline) are
 * skipped; a line that is not JSON is a protocol error.
 *
 * Stopping the iteration early cancels the body, which lets the HTTP connection go.
 */
export async function* parseNdjson(body: ReadableStream<Uint8Array>): AsyncGenerator<unknown> {
  const reader = body.getReader();
  // `stream: true` keeps a multi-byte character that is split across chunks until it is whole.
  const decoder = new TextDecoder();
  let pending = "";
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await readChunk(reader);
      if (done) {
        break;
      }
      // Only the newly decoded text can hold a new line break: searching from there keeps a
      // long line that arrives in many chunks linear instead of quadratic.
      let searchFrom = pending.length;
      pending += decoder.decode(value, { stream: true });
      let lineStart = 0;
      for (;;) {
        const lineEnd = pending.indexOf("\n", searchFrom);
        if (lineEnd === -1) {
          break;
        }
        const parsed = parseLine(pending.slice(lineStart, lineEnd));
        lineStart = lineEnd + 1;
        searchFrom = lineStart;
        if (parsed !== undefined) {
          yield parsed;
        }
      }
      pending = pending.slice(lineStart);
    }
    finished = true;
    const last = parseLine(pending + decoder.decode());
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

/**
 * A body that fails to read after the answer began means the connection went away: a proxy
 * timed out, Omni restarted, the network dropped. That is UNAVAILABLE, as on the other
 * transports, rather than fetch's bare "terminated". When the caller aborted the call, Connect
 * reports the abort reason instead of this error.
 */
async function readChunk(
  reader: ReadableStreamDefaultReader<Uint8Array>,
): Promise<ReadableStreamReadResult<Uint8Array>> {
  try {
    return await reader.read();
  } catch (cause) {
    throw new ConnectError(
      `the connection to the Omni gateway was lost mid-stream (${errorMessage(cause)})`,
      Code.Unavailable,
      undefined,
      undefined,
      cause,
    );
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
