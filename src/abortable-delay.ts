/**
 * Waits `ms`, or rejects with what `canceled` makes as soon as `signal` aborts, leaving no timer
 * or listener behind either way. Without a signal it only waits.
 */
export function abortableDelay(
  ms: number,
  signal: AbortSignal | undefined,
  canceled: () => unknown,
): Promise<void> {
  if (signal?.aborted) {
    return Promise.reject(canceled());
  }
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(canceled());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
