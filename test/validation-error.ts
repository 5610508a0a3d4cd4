import { expect } from "vitest";
import { ValidationError } from "../src/errors.js";

/** The `ValidationError` that `run` throws; the test fails if it throws anything else or nothing. */
export function thrownValidationError(run: () => unknown): ValidationError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error("expected a ValidationError, but nothing was thrown");
}
