import { KeyError } from "../errors.js";

/**
 * The signature header is split on single spaces by the server, so an identity with whitespace
 * would shift the key id out of place and every call would fail as "invalid signature". The
 * identity is never repeated in an error: an armored key passed in its place has line breaks.
 */
export function checkIdentity(identity: unknown, argument: string): string {
  if (typeof identity !== "string" || identity.length === 0) {
    throw new KeyError(argument, "invalid-identity", "must be a non-empty string");
  }
  if (/\s/.test(identity)) {
    throw new KeyError(
      argument,
      "invalid-identity",
      "contains whitespace, which the siderov1 signature header cannot carry; it must be an email or a service-account name",
    );
  }
  // Header values travel as ASCII; anything else is dropped by the gateway.
  if (!/^[\x21-\x7e]+$/.test(identity)) {
    throw new KeyError(
      argument,
      "invalid-identity",
      "must contain printable ASCII characters only",
    );
  }
  return identity;
}
