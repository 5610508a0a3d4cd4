/** The lifetime of one server stream: its own abort signal, and the way to end it. */
export interface StreamScope {
  /** Aborts when the caller's signal does, or when `close` is called. */
  readonly signal: AbortSignal;
  /** Ends the call on the wire if it is still open; safe to call after it finished. */
  close(): void;
}

/**
 * Gives one server-stream call a signal of its own, linked to the caller's. Leaving a `for await`
 * early only calls `return()` on the response iterator, and not every transport turns that into a
 * cancelled request (the gateway's fetch body stays open), so the server would keep the stream
 * until the connection closed. Closing the scope when the consumer is done cancels it everywhere.
 *
 * This is a plain object rather than a wrapping async generator, so that resources' list and
 * watch, which deliver thousands of messages per call, can close it without a generator layer per
 * message; the management streams wrap it in one (`cancelOnExit`).
 */
export function openStreamScope(callerSignal: AbortSignal | undefined): StreamScope {
  const controller = new AbortController();
  if (callerSignal === undefined) {
    return { signal: controller.signal, close: () => controller.abort() };
  }
  const followCaller = () => controller.abort(callerSignal.reason);
  if (callerSignal.aborted) {
    followCaller();
  } else {
    callerSignal.addEventListener("abort", followCaller, { once: true });
  }
  return {
    signal: controller.signal,
    close() {
      callerSignal.removeEventListener("abort", followCaller);
      controller.abort();
    },
  };
}
