import { Code } from "@connectrpc/connect";
import { expect } from "vitest";
import type { OmniError } from "../../src/index.js";
import { failure, realOmni } from "./harness.js";

type ErrorClass = abstract new (...args: never[]) => OmniError;

/**
 * Asserts that `work` fails the way real Omni fails: the SDK error class, the gRPC code and the
 * server's message (exactly when a string is given, by pattern when a RegExp is).
 */
export async function expectOmniError(
  work: Promise<unknown> | AsyncIterable<unknown> | (() => unknown),
  errorClass: ErrorClass,
  code: Code,
  message?: string | RegExp,
): Promise<OmniError> {
  const error = await failure(work);
  expect(error).toBeInstanceOf(errorClass);
  expect(Code[error.code]).toBe(Code[code]);
  if (typeof message === "string") {
    expect(error.rawMessage).toBe(message);
  } else if (message) {
    expect(error.rawMessage).toMatch(message);
  }
  return error;
}

/** The host and port Omni advertises (`https://` on the port the tests reach as plain HTTP). */
export function advertisedHost(): string {
  return new URL(realOmni().endpoint).host;
}

/** The identity Omni gives a service account. */
export function serviceAccountIdentity(name: string): string {
  return `${name}@serviceaccount.omni.sidero.dev`;
}

/** The account name in Omni's configuration, which prefixes talosconfig and kubeconfig contexts. */
export const omniAccountName = "sidero-omni-client-tests";

/** Escapes text for use inside a RegExp. */
export function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
