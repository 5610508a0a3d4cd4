import { ValidationError } from "../errors.js";

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

/** An identifier (cluster, machine, account name): non-empty and free of spaces and control characters. */
export function requireId(argument: string, value: unknown): string {
  const text = requireText(argument, value);
  if (!headerSafe.test(text)) {
    throw new ValidationError(argument, "must not contain spaces, control or non-ASCII characters");
  }
  return text;
}

export function optionalBoolean(argument: string, value: unknown): boolean {
  if (value === undefined) {
    return false;
  }
  if (typeof value !== "boolean") {
    throw new ValidationError(argument, "must be a boolean");
  }
  return value;
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

/** An optional positive, finite number of seconds, returned as milliseconds. */
export function optionalSeconds(argument: string, value: unknown): number | undefined {
  if (value === undefined) {
    return undefined;
  }
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new ValidationError(argument, "must be a positive number of seconds");
  }
  return value * 1000;
}

export function optionalStrings(argument: string, value: unknown): string[] {
  if (value === undefined) {
    return [];
  }
  if (!Array.isArray(value) || value.some((item) => typeof item !== "string" || item === "")) {
    throw new ValidationError(argument, "must be an array of non-empty strings");
  }
  return [...value];
}

/** One of a fixed set of names, mapped to its wire value; `undefined` maps to `fallback`. */
export function optionalChoice<T>(
  argument: string,
  value: unknown,
  choices: Readonly<Record<string, T>>,
  fallback: T,
): T {
  if (value === undefined) {
    return fallback;
  }
  if (typeof value !== "string" || !Object.hasOwn(choices, value)) {
    throw new ValidationError(argument, `must be one of ${Object.keys(choices).join(", ")}`);
  }
  return choices[value] as T;
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

const emailPattern = /^[^\s@]+@[^\s@]+$/;

export function requireEmail(argument: string, value: unknown): string {
  const text = requireText(argument, value);
  if (!emailPattern.test(text)) {
    throw new ValidationError(argument, "must be an email address");
  }
  return text;
}

/** The options object itself; `undefined` is allowed only when every field is optional. */
export function requireOptions<T extends object>(argument: string, value: T | undefined): T {
  if (typeof value !== "object" || value === null) {
    throw new ValidationError(argument, "must be an options object");
  }
  return value;
}
