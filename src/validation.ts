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

/**
 * The longest delay timers keep (2^31 - 1 ms, about 24.8 days). A longer one fires after 1 ms,
 * so a call given a deadline of a month would fail at once with DEADLINE_EXCEEDED.
 */
export const MAX_TIMEOUT_MS = 2_147_483_647;

export function optionalTimeoutMs(argument: string, value: unknown): number | undefined {
  if (value === undefined) {
    return undefined;
  }
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new ValidationError(argument, "must be a positive number of milliseconds");
  }
  if (value > MAX_TIMEOUT_MS) {
    throw new ValidationError(
      argument,
      `must be at most ${MAX_TIMEOUT_MS} milliseconds (about 24 days), the longest timer JavaScript keeps`,
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
