import type { CallOptions } from "@connectrpc/connect";

/**
 * Runs a server stream so that leaving a `for await` early (break, return, throw) cancels the
 * call on the wire: the stream gets its own signal, linked to the caller's, and aborted when the
 * consumer is done with it.
 */
export async function* cancelOnExit<T>(
  open: (options: CallOptions) => AsyncIterable<T>,
  options: CallOptions | undefined,
): AsyncGenerator<T, void, undefined> {
  const controller = new AbortController();
  const callerSignal = options?.signal;
  const onCallerAbort = () => controller.abort(callerSignal?.reason);
  if (callerSignal?.aborted) {
    controller.abort(callerSignal.reason);
  } else {
    callerSignal?.addEventListener("abort", onCallerAbort, { once: true });
  }
  try {
    yield* open({ ...options, signal: controller.signal });
  } finally {
    callerSignal?.removeEventListener("abort", onCallerAbort);
    controller.abort();
  }
}
