import { ValidationError } from "../errors.js";
import { DEFAULT_MAX_RESPONSE_BYTES, LARGEST_MAX_RESPONSE_BYTES } from "./limits.js";

/** Checks a transport's `maxResponseBytes` option; the default when it is not given. */
export function resolveMaxResponseBytes(value: unknown, argument = "maxResponseBytes"): number {
  if (value === undefined) {
    return DEFAULT_MAX_RESPONSE_BYTES;
  }
  if (
    typeof value !== "number" ||
    !Number.isInteger(value) ||
    value < 1 ||
    value > LARGEST_MAX_RESPONSE_BYTES
  ) {
    throw new ValidationError(
      argument,
      `must be a whole number of bytes from 1 to ${LARGEST_MAX_RESPONSE_BYTES}`,
    );
  }
  return value;
}
