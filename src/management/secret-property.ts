/**
 * Stores a secret as a readable but non-enumerable property, so `JSON.stringify`, object spread
 * and `console.log` of the model skip it while `model.token` still works.
 */
export function defineSecret<T extends object, K extends string>(
  target: T,
  key: K,
  value: string,
): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: false,
    writable: false,
    configurable: false,
  });
}

export const redacted = "[redacted]";
