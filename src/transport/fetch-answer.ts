import { Code, ConnectError } from "@connectrpc/connect";
import { errorMessage } from "./gateway-errors.js";
import { responseTooLarge } from "./limits.js";

/**
 * The rules the two fetch-based transports (the gateway and gRPC-Web) share for what fetch and
 * the body of its answer fail with, so that one case reads the same on both, and as it does over
 * native gRPC.
 */

/** The code of the low-level error a fetch failure wraps (`UND_ERR_HEADERS_OVERFLOW`, ...). */
function causeCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    const code: unknown = Reflect.get(current, "code");
    if (typeof code === "string") {
      return code;
    }
    current = current.cause;
  }
  return undefined;
}

/**
 * What a fetch that got no usable answer fails with. A refused, reset or dropped connection is
 * `UNAVAILABLE`, which reads retry; answer headers larger than the HTTP client reads (16 KiB in
 * Node) are `RESOURCE_EXHAUSTED`. An abort stays what it is: Connect reports the signal's reason.
 */
export function fetchFailure(
  reason: unknown,
  signal: AbortSignal | null | undefined,
  server: string,
): unknown {
  if (signal?.aborted || reason instanceof ConnectError) {
    return reason;
  }
  if (causeCode(reason) === "UND_ERR_HEADERS_OVERFLOW") {
    return new ConnectError(
      `the headers of the answer from ${server} are larger than this HTTP client reads (${errorMessage(reason)})`,
      Code.ResourceExhausted,
      undefined,
      undefined,
      reason,
    );
  }
  return new ConnectError(
    `cannot reach ${server}: ${errorMessage(reason)}`,
    Code.Unavailable,
    undefined,
    undefined,
    reason,
  );
}

/**
 * What a body read that fails after the answer began means: the connection went away (a proxy
 * timed out, Omni restarted, the network dropped). That is `UNAVAILABLE`, on every transport,
 * rather than fetch's bare "terminated". An abort stays what it is.
 */
export function bodyFailure(
  reason: unknown,
  signal: AbortSignal | null | undefined,
  server: string,
  when = "while reading the answer",
): unknown {
  if (signal?.aborted || reason instanceof ConnectError) {
    return reason;
  }
  return new ConnectError(
    `the connection to ${server} was lost ${when} (${errorMessage(reason)})`,
    Code.Unavailable,
    undefined,
    undefined,
    reason,
  );
}

/** Whether fetch handed back a redirect it was told not to follow. */
export function isRedirect(response: Response): boolean {
  return response.type === "opaqueredirect" || (response.status >= 300 && response.status < 400);
}

/** Drops a body that is of no use, which frees the connection. */
export function discardBody(response: Response): void {
  response.body?.cancel().catch(() => {});
}

/** Reads all of a body, at most `maxBytes` of it; `truncated` says whether more was left. */
export async function readBodyUpTo(
  response: Response,
  maxBytes: number,
  signal: AbortSignal | null | undefined,
  server: string,
): Promise<{ bytes: Uint8Array; truncated: boolean }> {
  const body = response.body;
  if (body === null) {
    return { bytes: new Uint8Array(0), truncated: false };
  }
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  let truncated = false;
  try {
    for (;;) {
      let result: ReadableStreamReadResult<Uint8Array>;
      try {
        result = await reader.read();
      } catch (cause) {
        throw bodyFailure(cause, signal, server);
      }
      if (result.done) {
        break;
      }
      const room = maxBytes - length;
      if (result.value.byteLength > room) {
        chunks.push(result.value.subarray(0, room));
        length = maxBytes;
        truncated = true;
        break;
      }
      chunks.push(result.value);
      length += result.value.byteLength;
    }
  } finally {
    if (truncated) {
      reader.cancel().catch(() => {});
    }
    reader.releaseLock();
  }
  return { bytes: concat(chunks, length), truncated };
}

/**
 * The whole body of a successful answer, failing with `RESOURCE_EXHAUSTED` as soon as it passes
 * `maxBytes` (a `Content-Length` over it fails before a byte is read).
 */
export async function readWholeBody(
  response: Response,
  maxBytes: number,
  signal: AbortSignal | null | undefined,
  server: string,
): Promise<Uint8Array> {
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    discardBody(response);
    throw responseTooLarge("the answer", declared, maxBytes);
  }
  const { bytes, truncated } = await readBodyUpTo(response, maxBytes, signal, server);
  if (truncated) {
    throw responseTooLarge("the answer", undefined, maxBytes);
  }
  return bytes;
}

function concat(chunks: Uint8Array[], length: number): Uint8Array {
  if (chunks.length === 1 && chunks[0] !== undefined) {
    return chunks[0];
  }
  const out = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
