import { ValidationError } from "./errors.js";

/** Checks shared by every part of the SDK; each names the argument the user got wrong. */

// The range of a protobuf Timestamp, 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z, in
// the milliseconds a Date has. Later or earlier dates cannot be encoded (binary encoders write them
// anyway, for Omni to read as some other date; JSON encoders refuse them).
const minTimestampMs = -62_135_596_800_000;
const maxTimestampMs = 253_402_300_799_999;

/**
 * An optional Date, valid and within what a protobuf Timestamp holds (the years 1 to 9999), the
 * form every date the SDK sends takes.
 */
export function optionalDate(argument: string, value: unknown): Date | undefined {
  if (value === undefined) {
    return undefined;
  }
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw new ValidationError(argument, "must be a valid Date");
  }
  const time = value.getTime();
  if (time < minTimestampMs || time > maxTimestampMs) {
    throw new ValidationError(
      argument,
      "must be from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z, the dates a protobuf Timestamp holds",
    );
  }
  return value;
}

/**
 * The longest delay timers keep (2^31 - 1 ms, about 24.8 days). A longer one fires after 1 ms,
 * so a call given a deadline of a month would fail at once with DEADLINE_EXCEEDED.
 */
export const MAX_TIMEOUT_MS = 2_147_483_647;

/**
 * The longest deadline a gRPC call can carry: its `grpc-timeout` header allows eight digits, and
 * Connect writes deadlines in milliseconds (99,999,999 ms, about 27.7 hours).
 */
const MAX_DEADLINE_MS = 99_999_999;

export function optionalTimeoutMs(argument: string, value: unknown): number | undefined {
  if (value === undefined) {
    return undefined;
  }
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new ValidationError(argument, "must be a positive number of milliseconds");
  }
  if (value > MAX_DEADLINE_MS) {
    throw new ValidationError(
      argument,
      `must be at most ${MAX_DEADLINE_MS} milliseconds (about 27 hours), the longest deadline gRPC carries`,
    );
  }
  return value;
}

export function optionalSignal(argument: string, value: unknown): AbortSignal | undefined {
  if (value !== undefined && !(value instanceof AbortSignal)) {
    throw new ValidationError(argument, "must be an AbortSignal");
  }
  return value;
}

/**
 * Whether `value` is an object of named fields: a plain object (or an instance of a class of the
 * caller's), not an array, a Map, a Date or another built-in whose contents are not its own
 * enumerable keys. A Map of options or labels would otherwise be read as having none of them.
 */
export function isFieldObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === "object" &&
    value !== null &&
    Object.prototype.toString.call(value) === "[object Object]"
  );
}

/** An optional boolean; `undefined` stays `undefined`, anything else but a boolean is refused. */
export function optionalBoolean(argument: string, value: unknown): boolean | undefined {
  if (value !== undefined && typeof value !== "boolean") {
    throw new ValidationError(argument, "must be a boolean");
  }
  return value;
}

/** An optional string; `undefined` stays `undefined`, anything else but a string is refused. */
export function optionalString(argument: string, value: unknown): string | undefined {
  if (value !== undefined && typeof value !== "string") {
    throw new ValidationError(argument, "must be a string");
  }
  return value;
}

/**
 * An optional array of strings (non-empty ones unless `allowEmpty`), each checked by its index;
 * the copy returned has no holes. A hole or a wrong element is named as `argument[index]`.
 */
export function optionalStringList(
  argument: string,
  value: unknown,
  allowEmpty = false,
): string[] | undefined {
  if (value === undefined) {
    return undefined;
  }
  const what = allowEmpty ? "string" : "non-empty string";
  if (!Array.isArray(value)) {
    throw new ValidationError(argument, `must be an array of ${what}s`);
  }
  const list: string[] = [];
  // Indexed, not `some` or `map`: those skip the holes of a sparse array.
  for (let index = 0; index < value.length; index++) {
    const item: unknown = value[index];
    if (typeof item !== "string" || (!allowEmpty && item === "")) {
      throw new ValidationError(`${argument}[${index}]`, `must be a ${what}`);
    }
    list.push(item);
  }
  return list;
}

/** An optional function, such as a clock or a `fetch`. */
export function optionalFunction<F extends (...args: never[]) => unknown>(
  argument: string,
  value: unknown,
  what: string,
): F | undefined {
  if (value !== undefined && typeof value !== "function") {
    throw new ValidationError(argument, `must be ${what}`);
  }
  return value as F | undefined;
}

/** An optional list of Connect interceptors, as every transport and client takes. */
export function optionalInterceptors<I>(argument: string, value: unknown): I[] | undefined {
  if (value === undefined) {
    return undefined;
  }
  if (!Array.isArray(value)) {
    throw new ValidationError(argument, "must be a list of Connect interceptors (functions)");
  }
  for (let index = 0; index < value.length; index++) {
    if (typeof value[index] !== "function") {
      throw new ValidationError(
        `${argument}[${index}]`,
        "must be a Connect interceptor (a function)",
      );
    }
  }
  return value;
}

/** The length of `text` in UTF-8 bytes, which is how Go and HTTP count it. */
export function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      // A surrogate pair: two UTF-16 units, four bytes.
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 2;
        i++;
        continue;
      }
    }
    bytes += code < 0x80 ? 0 : code < 0x800 ? 1 : 2;
  }
  return bytes;
}

// Go's unicode.IsControl, which Omni applies to IDs, labels and annotations: C0, DEL and C1.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds
const controlCharacter = /[\u0000-\u001f\u007f-\u009f]/;

/** Whether `text` holds a control character as Go's `unicode.IsControl` counts them. */
export function hasControlCharacter(text: string): boolean {
  return controlCharacter.test(text);
}

/**
 * The longest resource ID Omni creates, in bytes (v1.9.3's `MaxResourceIDLength`). Clusters,
 * machines, identities and service accounts are all resources, so no longer name of one exists;
 * and IDs that travel as gRPC metadata (`cluster`) stay far below every proxy's header limit.
 */
export const MAX_RESOURCE_ID_BYTES = 1024;
