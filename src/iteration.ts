/**
 * Ends the iterator a wrapping iterator stands for, so that a consumer that stops early reaches
 * the transport underneath; an iterator without `return()` has nothing to end.
 */
export function returnFrom<T>(
  iterator: AsyncIterator<T>,
  value?: unknown,
): Promise<IteratorResult<T, unknown>> {
  return iterator.return
    ? iterator.return(value)
    : Promise.resolve({ done: true as const, value: undefined });
}
