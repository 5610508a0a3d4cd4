import type { CallOptions } from "@connectrpc/connect";
import { openStreamScope } from "../stream-scope.js";

/**
 * Runs a server stream so that leaving a `for await` early (break, return, throw) cancels the
 * call on the wire: the stream gets its own signal, linked to the caller's, and aborted when the
 * consumer is done with it.
 */
export async function* cancelOnExit<T>(
  open: (options: CallOptions) => Promise<AsyncIterable<T>>,
  options: CallOptions | undefined,
): AsyncGenerator<T, void, undefined> {
  const scope = openStreamScope(options?.signal);
  try {
    yield* await open({ ...options, signal: scope.signal });
  } finally {
    scope.close();
  }
}
