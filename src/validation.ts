import { ValidationError } from "./errors.js";

/** Checks shared by every part of the SDK; each names the argument the user got wrong. */

export function optionalDate(argument: string, value: unknown): Date | undefined {
  if (value === undefined) {
    return undefined;
  }
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw new ValidationError(argument, "must be a valid Date");
  }
  return value;
}

export function optionalTimeoutMs(argument: string, value: unknown): number | undefined {
  if (value === undefined) {
    return undefined;
  }
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new ValidationError(argument, "must be a positive number of milliseconds");
  }
  return value;
}
