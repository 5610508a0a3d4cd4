import { create } from "@bufbuild/protobuf";
import { type Duration, DurationSchema } from "@bufbuild/protobuf/wkt";
import { ValidationError } from "../errors.js";
import { checkOptionKeys } from "../option-keys.js";
import {
  optionalBoolean as booleanOrUndefined,
  MAX_RESOURCE_ID_BYTES,
  optionalStringList,
  utf8Length,
} from "../validation.js";
import { callOptionKeys } from "./call-options.js";
import { tolerantMajorMinor } from "./tolerant-version.js";

// Metadata values travel as HTTP headers (and gRPC metadata), which only carry visible ASCII.
const headerSafe = /^[\x21-\x7e]+$/;

/** A required, non-empty string. */
export function requireText(argument: string, value: unknown): string {
  if (typeof value !== "string" || value.trim() === "") {
    throw new ValidationError(argument, "is required and must be a non-empty string");
  }
  return value;
}

/** An optional string; `undefined` becomes the empty string the proto uses for "not set". */
export function optionalText(argument: string, value: unknown): string {
  if (value === undefined) {
    return "";
  }
  if (typeof value !== "string") {
    throw new ValidationError(argument, "must be a string");
  }
  return value;
}

/**
 * An identifier (cluster, machine, account name): non-empty, free of spaces and control
 * characters, and no longer than the longest resource ID Omni creates. Some travel as gRPC
 * metadata, where a longer one would fail in the transport, not as an error of Omni's.
 */
export function requireId(argument: string, value: unknown): string {
  const text = requireText(argument, value);
  if (!headerSafe.test(text)) {
    throw new ValidationError(argument, "must not contain spaces, control or non-ASCII characters");
  }
  checkIdLength(argument, text);
  return text;
}

function checkIdLength(argument: string, text: string): void {
  if (utf8Length(text) > MAX_RESOURCE_ID_BYTES) {
    throw new ValidationError(
      argument,
      `must be at most ${MAX_RESOURCE_ID_BYTES} bytes, the longest resource ID Omni accepts`,
    );
  }
}

/** An optional boolean; `undefined` is the proto's `false`. */
export function optionalBoolean(argument: string, value: unknown): boolean {
  return booleanOrUndefined(argument, value) ?? false;
}

/** An optional whole number within [min, max]. */
export function optionalInteger(
  argument: string,
  value: unknown,
  min: number,
  max: number,
): number | undefined {
  if (value === undefined) {
    return undefined;
  }
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new ValidationError(argument, `must be a whole number from ${min} to ${max}`);
  }
  return value;
}

// The largest span a protobuf Duration may hold; JSON encoding (the gateway's) refuses longer ones.
const maxDurationSeconds = 315_576_000_000;
const nanosPerSecond = 1_000_000_000;

/**
 * An optional positive number of seconds as a protobuf Duration. Fractions are rounded to whole
 * nanoseconds, because Duration cannot carry less; a value that rounds to zero is refused.
 */
export function optionalDuration(
  argument: string,
  value: unknown,
  maxSeconds: number = maxDurationSeconds,
): Duration | undefined {
  if (value === undefined) {
    return undefined;
  }
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0 || value > maxSeconds) {
    throw new ValidationError(
      argument,
      `must be a number of seconds above 0 and at most ${maxSeconds}`,
    );
  }
  let seconds = Math.trunc(value);
  let nanos = Math.round((value - seconds) * nanosPerSecond);
  if (nanos === nanosPerSecond) {
    seconds += 1;
    nanos = 0;
  }
  if (seconds === 0 && nanos === 0) {
    throw new ValidationError(argument, "must be at least one nanosecond (1e-9 seconds)");
  }
  return create(DurationSchema, { seconds: BigInt(seconds), nanos });
}

export function optionalStrings(argument: string, value: unknown): string[] {
  return optionalStringList(argument, value) ?? [];
}

/** One of a fixed set of names, mapped to its wire value; there is no default. */
export function requireChoice<T>(
  argument: string,
  value: unknown,
  choices: Readonly<Record<string, T>>,
): T {
  const names = Object.keys(choices).join(", ");
  if (value === undefined) {
    throw new ValidationError(argument, `is required: one of ${names}`);
  }
  if (typeof value !== "string" || !Object.hasOwn(choices, value)) {
    throw new ValidationError(argument, `must be one of ${names}`);
  }
  return choices[value] as T;
}

/** One of a fixed set of names, mapped to its wire value; `undefined` maps to `fallback`. */
export function optionalChoice<T>(
  argument: string,
  value: unknown,
  choices: Readonly<Record<string, T>>,
  fallback: T,
): T {
  return value === undefined ? fallback : requireChoice(argument, value, choices);
}

const versionPattern = /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;

/** A version such as `1.31.2` or `v1.9.0`; returned as given. */
export function requireVersion(argument: string, value: unknown): string {
  const text = requireText(argument, value);
  if (!versionPattern.test(text)) {
    throw new ValidationError(argument, "must be a version such as 1.31.2 or v1.9.0");
  }
  return text;
}

export function optionalVersion(argument: string, value: unknown): string {
  return value === undefined ? "" : requireVersion(argument, value);
}

/** A version Omni reads tolerantly, such as `1.34`, `1.34.1` or `v1.9.0`; returned as given. */
export function requireTolerantVersion(argument: string, value: unknown): string {
  const text = requireText(argument, value);
  if (tolerantMajorMinor(text) === undefined) {
    throw new ValidationError(argument, "must be a version such as 1.34, 1.34.1 or v1.9.0");
  }
  return text;
}

const emailPattern = /^[^\s@]+@[^\s@]+$/;

/** A user's email, which is the ID of the user's identity resource. */
export function requireEmail(argument: string, value: unknown): string {
  const text = requireText(argument, value);
  if (!emailPattern.test(text)) {
    throw new ValidationError(argument, "must be an email address");
  }
  checkIdLength(argument, text);
  return text;
}

/**
 * The options object of a method, whose keys must all be in `known`; `undefined` is refused, so
 * methods whose fields are all optional default their parameter to `{}`. Call options given here
 * by mistake would be ignored silently (a signal that never cancels), so they are refused with a
 * pointer to the second argument.
 */
export function requireOptions<T extends object>(
  argument: string,
  value: T | undefined,
  known: ReadonlySet<string>,
): T {
  if (typeof value === "object" && value !== null) {
    for (const key of callOptionKeys) {
      if (Object.hasOwn(value, key) && !known.has(key)) {
        throw new ValidationError(
          `${argument}.${key}`,
          "is a call option; pass call options (signal, timeoutMs, headers) as the second argument",
        );
      }
    }
  }
  checkOptionKeys(argument, value, known);
  return value;
}
