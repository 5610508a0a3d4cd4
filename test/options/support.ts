import { expect } from "vitest";
import { EmulatorOptionError } from "../../src/emulator/option-check.js";
import { ValidationError } from "../../src/errors.js";

/** An options object with every key of `keys` present and set to `undefined`. */
export function everyKeyUnset(keys: ReadonlySet<string>): Record<string, undefined> {
  return Object.fromEntries([...keys].map((key) => [key, undefined]));
}

/** Runs a call, draining it when it is a stream; resolves to what it threw, if anything. */
export async function failureOf(call: () => unknown): Promise<unknown> {
  try {
    const result = call();
    if (typeof result === "object" && result !== null && Symbol.asyncIterator in result) {
      for await (const _ of result as AsyncIterable<unknown>) {
        // Only whether the stream fails matters here.
      }
    } else {
      await result;
    }
    return undefined;
  } catch (error) {
    return error;
  }
}

/**
 * Expects the refusal of an unknown key: its full path and, when one is close, the key meant.
 * The SDK refuses with a ValidationError, the emulator (which shares no client code) with its own
 * EmulatorOptionError.
 */
export function expectUnknownKey(error: unknown, argument: string, meant?: string): void {
  const refusal = error instanceof EmulatorOptionError ? EmulatorOptionError : ValidationError;
  expect(error).toBeInstanceOf(refusal);
  const { argument: named, message } = error as ValidationError | EmulatorOptionError;
  expect(named).toBe(argument);
  expect(message).toContain("is not a known option");
  if (meant !== undefined) {
    expect(message).toContain(`did you mean ${meant}?`);
  }
}

/** Expects that no key was refused: the call either worked or failed for another reason. */
export function expectNoUnknownKey(error: unknown): void {
  const refused = error instanceof ValidationError || error instanceof EmulatorOptionError;
  expect(refused ? (error as Error).message : "").not.toContain("is not a known option");
}
