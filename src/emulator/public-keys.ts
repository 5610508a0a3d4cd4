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

function invalid(message: string): ConnectError {
  return new ConnectError(`failed to validate: ${message}`, Code.InvalidArgument);
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
  let key: Key;
  try {
    key = await openpgp.readKey({ armoredKey: armored });
  } catch {
    throw invalid("the public key is not a readable OpenPGP key");
  }
  if (key.isPrivate()) {
    throw invalid("the key must not contain a private key");
  }
  const now = new Date();
  if (await key.isRevoked(undefined, undefined, now)) {
    throw invalid("the key is revoked");
  }
  let userId: string;
  try {
    const primary = await key.getPrimaryUser(now);
    userId = primary.user.userID?.userID ?? "";
  } catch {
    throw invalid("the key has no valid user ID or is expired");
  }
  const email = parseEmail(userId);
  if (!email) {
    throw invalid("the key's user ID is not an e-mail address");
  }
  const expiration = await key.getExpirationTime();
  if (!(expiration instanceof Date)) {
    throw invalid("the key must have an expiration time");
  }
  if (expiration.getTime() < now.getTime() - fiveMinutesMs) {
    throw invalid("the key is expired");
  }
  if (expiration.getTime() > now.getTime() + rules.maxLifetimeMs + oneMinuteMs) {
    throw invalid("the key lifetime is too long");
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

/** Validates a PEM SPKI ECDSA P-256 key with its validity window, as Omni's `RegisterPublicKey` does. */
export function parsePlainPublicKey(
  pem: string,
  notBefore: Date | undefined,
  notAfter: Date | undefined,
  rules: PlainKeyRules,
): ParsedPublicKey {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: "pem" });
  } catch {
    throw invalid("the plain key is not a PEM public key");
  }
  if (key.asymmetricKeyType !== "ec" || key.asymmetricKeyDetails?.namedCurve !== "prime256v1") {
    throw invalid("the plain key must be an ECDSA P-256 key");
  }
  if (!notBefore || !notAfter) {
    throw invalid("not_before and not_after are required");
  }
  const now = Date.now();
  if (notBefore.getTime() >= notAfter.getTime()) {
    throw invalid("not_before must be before not_after");
  }
  if (notBefore.getTime() > now + fiveMinutesMs) {
    throw invalid("not_before is in the future");
  }
  if (notAfter.getTime() <= now - fiveMinutesMs) {
    throw invalid("the key is expired");
  }
  if (notAfter.getTime() - notBefore.getTime() > rules.maxLifetimeMs) {
    throw invalid("the key lifetime is too long");
  }
  return {
    id: plainKeyId(key),
    kind: "plain",
    email: undefined,
    expiration: notAfter,
    created: notBefore,
    armored: key.export({ format: "pem", type: "spki" }).toString(),
    verify: async (payload, signature) => {
      if (signature.length !== 64) {
        return false;
      }
      return verify("sha256", payload, { key, dsaEncoding: "ieee-p1363" }, signature);
    },
  };
}
