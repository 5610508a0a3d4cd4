import { createHash, createPublicKey, type KeyObject, verify } from "node:crypto";
import { Code, ConnectError } from "@connectrpc/connect";
import type { Key, PublicKey } from "openpgp";

/** Checks a signature over the exact payload bytes; parsed once per key, then cached with it. */
export type SignatureVerifier = (payload: Uint8Array, signature: Uint8Array) => Promise<boolean>;

export interface ParsedPublicKey {
  id: string;
  kind: "pgp" | "plain";
  /** The e-mail in the PGP user ID; plain keys carry none. */
  email: string | undefined;
  expiration: Date;
  created: Date;
  /** What `ListServiceAccounts` shows: the armored key, or the PEM of a plain key. */
  armored: string;
  verify: SignatureVerifier;
}

const fiveMinutesMs = 5 * 60 * 1000;
const oneMinuteMs = 60 * 1000;

/**
 * Omni passes the key checks' plain errors on unwrapped, so gRPC sends them as code Unknown with
 * the texts of go-api-signature and gopenpgp.
 */
function refused(message: string): ConnectError {
  return new ConnectError(message, Code.Unknown);
}

/** A refusal Omni words itself for plain keys: code InvalidArgument. */
function invalid(message: string): ConnectError {
  return new ConnectError(message, Code.InvalidArgument);
}

/** Go's `time.Duration.String()` for whole seconds: `24h0m0s`, `1m30s`, `45s`. */
export function goDuration(seconds: number): string {
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds % 60;
  if (hours > 0) {
    return `${hours}h${minutes}m${rest}s`;
  }
  return minutes > 0 ? `${minutes}m${rest}s` : `${rest}s`;
}

/** Go's `mail.ParseAddress` accepts more, but a bare `local@domain` is what Omni's keys carry. */
function parseEmail(userId: string): string | undefined {
  const bracketed = /<([^<>\s]+@[^<>\s]+)>/.exec(userId);
  const candidate = bracketed ? bracketed[1] : userId.trim();
  return candidate && /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(candidate) ? candidate : undefined;
}

type OpenPgp = typeof import("openpgp");

/**
 * Omni retries a failed check once, a little in the future (min(5 min, half the key lifetime)),
 * so that a client clock running ahead still passes.
 */
function pgpVerifier(openpgp: OpenPgp, key: PublicKey, retryOffsetMs: number): SignatureVerifier {
  return async (payload, signature) => {
    let parsedSignature: Awaited<ReturnType<OpenPgp["readSignature"]>>;
    try {
      parsedSignature = await openpgp.readSignature({ binarySignature: signature });
    } catch {
      return false;
    }
    for (const date of [new Date(), new Date(Date.now() + retryOffsetMs)]) {
      try {
        const result = await openpgp.verify({
          message: await openpgp.createMessage({ binary: payload }),
          signature: parsedSignature,
          verificationKeys: key,
          date,
          expectSigned: true,
        });
        for (const entry of result.signatures) {
          if (await entry.verified) {
            return true;
          }
        }
      } catch {
        // Try the later date, then give up.
      }
    }
    return false;
  };
}

export interface PgpKeyRules {
  /** Longest allowed time from now to the key's expiry. */
  maxLifetimeMs: number;
}

/**
 * Validates an armored OpenPGP public key the way Omni does for service accounts and CLI keys:
 * public only, a user ID that is an e-mail, an expiry set and not too far away, not expired
 * or revoked.
 */
export async function parsePgpPublicKey(
  armored: string,
  rules: PgpKeyRules,
): Promise<ParsedPublicKey> {
  const openpgp = await import("openpgp");
  if (armored.trim() === "") {
    throw refused("gopenpgp: the key does not contain any entity");
  }
  let key: Key;
  try {
    key = await openpgp.readKey({ armoredKey: armored });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw refused(`gopenpgp: error in reading key ring: ${reason}`);
  }
  // go-api-signature's order: revocation, identity, expiry, e-mail, lifetime; then privacy.
  const now = new Date();
  if (await key.isRevoked(undefined, undefined, now)) {
    throw refused("key is revoked");
  }
  let userId: string;
  try {
    const primary = await key.getPrimaryUser(now);
    userId = primary.user.userID?.userID ?? "";
  } catch {
    throw refused("key does not contain a primary identity");
  }
  const expiration = await key.getExpirationTime();
  const lifetimeSeconds =
    expiration instanceof Date
      ? Math.round((expiration.getTime() - key.getCreationTime().getTime()) / 1000)
      : 0;
  const skewMs = Math.min(fiveMinutesMs, (lifetimeSeconds * 1000) / 2 || fiveMinutesMs);
  if (expiration instanceof Date && expiration.getTime() < now.getTime() - skewMs) {
    throw refused("key expired");
  }
  const email = parseEmail(userId);
  if (!email) {
    throw refused(`key does not contain a valid email address: mail: no angle-addr: ${userId}`);
  }
  if (!(expiration instanceof Date) || lifetimeSeconds <= 0) {
    throw refused("key does not contain a valid key lifetime");
  }
  if (expiration.getTime() > now.getTime() + rules.maxLifetimeMs + oneMinuteMs) {
    throw refused(`key lifetime is too long: ${goDuration(lifetimeSeconds)}`);
  }
  if (key.isPrivate()) {
    throw refused("PGP key contains private key");
  }
  const publicKey = key.toPublic();
  const lifetimeMs = expiration.getTime() - key.getCreationTime().getTime();
  return {
    id: key.getFingerprint(),
    kind: "pgp",
    email: email.toLowerCase(),
    expiration,
    created: key.getCreationTime(),
    armored: publicKey.armor(),
    verify: pgpVerifier(openpgp, publicKey, Math.min(fiveMinutesMs, lifetimeMs / 2)),
  };
}

/** The plain-key id: padded base64url of SHA-256 over the uncompressed point `04||X||Y`. */
export function plainKeyId(key: KeyObject): string {
  const jwk = key.export({ format: "jwk" });
  const point = Buffer.concat([
    Uint8Array.of(4),
    Buffer.from(jwk.x ?? "", "base64url"),
    Buffer.from(jwk.y ?? "", "base64url"),
  ]);
  return createHash("sha256")
    .update(point)
    .digest("base64")
    .replace(/\+/g, "-")
    .replace(/\//g, "_");
}

export interface PlainKeyRules {
  maxLifetimeMs: number;
}

/**
 * Validates a PEM SPKI ECDSA P-256 key with its validity window, as Omni's `RegisterPublicKey`
 * does: a missing time is the Unix epoch to Omni, so a window without one is refused as inverted.
 */
export function parsePlainPublicKey(
  pem: string,
  notBefore: Date | undefined,
  notAfter: Date | undefined,
  rules: PlainKeyRules,
): ParsedPublicKey {
  if (!/-----BEGIN PUBLIC KEY-----/.test(pem)) {
    throw refused("failed to decode PEM block containing public key");
  }
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: "pem" });
  } catch {
    throw refused("x509: malformed public key");
  }
  if (key.asymmetricKeyType !== "ec" || key.asymmetricKeyDetails?.namedCurve !== "prime256v1") {
    throw refused(`unsupported key type ${key.asymmetricKeyType ?? "unknown"}`);
  }
  const from = notBefore?.getTime() ?? 0;
  const until = notAfter?.getTime() ?? 0;
  const now = Date.now();
  if (from >= until) {
    throw invalid("public key 'not_before' is after 'not_after'");
  }
  if (now < from - fiveMinutesMs) {
    throw invalid("public key 'not_before' > now");
  }
  if (now >= until + fiveMinutesMs) {
    throw invalid("public key is expired");
  }
  if (until - from > rules.maxLifetimeMs) {
    throw invalid("public key expiration time exceeds max allowed lifetime");
  }
  return {
    id: plainKeyId(key),
    kind: "plain",
    email: undefined,
    expiration: new Date(until),
    created: new Date(from),
    armored: key.export({ format: "pem", type: "spki" }).toString(),
    verify: async (payload, signature) => {
      if (signature.length !== 64) {
        return false;
      }
      return verify("sha256", payload, { key, dsaEncoding: "ieee-p1363" }, signature);
    },
  };
}
