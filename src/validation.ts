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
