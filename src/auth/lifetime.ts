import { ValidationError } from "../errors.js";
import { optionalDate } from "../validation.js";

const minute = 60_000;
const hour = 60 * minute;

/** What Omni's web UI asks for: comfortably inside the 8-hour limit. */
export const DEFAULT_PLAIN_KEY_LIFETIME_MS = 7 * hour + 50 * minute;
/** Omni rejects a plain key whose validity window is longer than this. */
export const MAX_PLAIN_KEY_LIFETIME_MS = 8 * hour;
/** How far in the future Omni lets `notBefore` start (clock skew allowance). */
export const MAX_NOT_BEFORE_SKEW_MS = 5 * minute;

export interface PlainKeyWindow {
  notBefore: Date;
  notAfter: Date;
}

/**
 * Resolves and checks a plain key's validity window with Omni's RegisterPublicKey rules, so a
 * window Omni would refuse is reported here, naming the bound, instead of as a server error.
 */
export function plainKeyWindow(
  notBeforeInput: unknown,
  notAfterInput: unknown,
  nowMs: number,
): PlainKeyWindow {
  const notBefore = optionalDate("notBefore", notBeforeInput) ?? new Date(nowMs);
  const notAfter =
    optionalDate("notAfter", notAfterInput) ??
    new Date(notBefore.getTime() + DEFAULT_PLAIN_KEY_LIFETIME_MS);
  if (notAfter.getTime() <= notBefore.getTime()) {
    throw new ValidationError("notAfter", "must be later than notBefore");
  }
  if (notBefore.getTime() > nowMs + MAX_NOT_BEFORE_SKEW_MS) {
    throw new ValidationError(
      "notBefore",
      `must be at most 5 minutes in the future (got ${notBefore.toISOString()})`,
    );
  }
  if (notAfter.getTime() <= nowMs) {
    throw new ValidationError("notAfter", `is already past (${notAfter.toISOString()})`);
  }
  if (notAfter.getTime() - notBefore.getTime() > MAX_PLAIN_KEY_LIFETIME_MS) {
    throw new ValidationError(
      "notAfter",
      "must be at most 8 hours after notBefore (Omni's limit for plain keys)",
    );
  }
  return { notBefore, notAfter };
}
