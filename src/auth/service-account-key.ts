import { base64Encode } from "@bufbuild/protobuf/wire";
import { KeyError, ValidationError } from "../errors.js";
import { checkOptionKeys, optionKeys } from "../option-keys.js";
import { utf8Encoder } from "./encoding.js";

const day = 24 * 60 * 60;

/** Omni refuses service-account keys that live longer than this (365 days). */
export const MAX_SERVICE_ACCOUNT_KEY_LIFETIME_SECONDS = 365 * day;

// Omni's own checks allow a minute of clock difference on the upper bound and five on the lower.
const upperSlackMs = 60_000;
const lowerSlackMs = 5 * 60_000;

/** Names of infra-provider service accounts start with this, and only theirs may have that role. */
export const infraProviderPrefix = "infra-provider:";

/**
 * The identity Omni gives a service account: `<name>@serviceaccount.omni.sidero.dev`, or
 * `<name>@infra-provider.serviceaccount.omni.sidero.dev` for an `infra-provider:<name>` account.
 */
export function serviceAccountIdentity(name: string, argument = "name"): string {
  if (typeof name !== "string" || name.length === 0) {
    throw new ValidationError(argument, "must be a non-empty service-account name");
  }
  const infraProvider = name.startsWith(infraProviderPrefix);
  const base = infraProvider ? name.slice(infraProviderPrefix.length) : name;
  // The name becomes the local part of an email address that Omni parses. The error does not
  // repeat it: text pasted into the wrong argument may be a key.
  if (!/^[^\s@:]+$/.test(base)) {
    throw new ValidationError(
      argument,
      `is not a service-account name: it must be non-empty and have no whitespace, "@" or ":"` +
        `${infraProvider ? ` after "${infraProviderPrefix}"` : ""}`,
    );
  }
  return `${base}@${infraProvider ? "infra-provider." : ""}serviceaccount.omni.sidero.dev`;
}

function checkTtl(ttlSeconds: unknown): number {
  if (
    typeof ttlSeconds !== "number" ||
    !Number.isInteger(ttlSeconds) ||
    ttlSeconds <= 0 ||
    ttlSeconds > MAX_SERVICE_ACCOUNT_KEY_LIFETIME_SECONDS
  ) {
    throw new ValidationError(
      "options.ttlSeconds",
      `must be a whole number of seconds from 1 to ${MAX_SERVICE_ACCOUNT_KEY_LIFETIME_SECONDS} (365 days)`,
    );
  }
  return ttlSeconds;
}

export const generateServiceAccountKeyOptionKeys = /*@__PURE__*/ optionKeys<
  Parameters<typeof generateServiceAccountKey>[0]
>()({
  name: true,
  ttlSeconds: true,
});

/** A freshly generated service-account key; `serviceAccountKey` is the secret half. */
export interface GeneratedServiceAccountKey {
  readonly name: string;
  readonly identity: string;
  /** Pass to `management.createServiceAccount` or `renewServiceAccount`. */
  readonly armoredPublicKey: string;
  /** The key's fingerprint, which Omni uses as its public key ID. */
  readonly publicKeyId: string;
  readonly expiresAt: Date;
  /**
   * The base64 key for `serviceAccountAuth` and `OMNI_SERVICE_ACCOUNT_KEY`. Readable, but left
   * out of `JSON.stringify`, spreads and `console.log`.
   */
  readonly serviceAccountKey: string;
}

/**
 * Generates an Ed25519 OpenPGP key the way `omnictl serviceaccount create` does, ready for
 * `management.createServiceAccount({ name, armoredPgpPublicKey: key.armoredPublicKey })`.
 * The lifetime defaults to Omni's maximum of 365 days.
 */
export async function generateServiceAccountKey(options: {
  name: string;
  ttlSeconds?: number;
}): Promise<GeneratedServiceAccountKey> {
  checkOptionKeys("options", options, generateServiceAccountKeyOptionKeys);
  const identity = serviceAccountIdentity(options.name, "options.name");
  const ttlSeconds = checkTtl(
    options.ttlSeconds === undefined
      ? MAX_SERVICE_ACCOUNT_KEY_LIFETIME_SECONDS
      : options.ttlSeconds,
  );
  // openpgp.js is loaded on first use (see auth/pgp.ts for why its types never leave this file).
  const openpgp = await import("openpgp");
  const created = new Date();
  const { privateKey, publicKey } = await openpgp.generateKey({
    type: "ecc",
    curve: "ed25519Legacy",
    userIDs: [{ name: identity.slice(0, identity.indexOf("@")), email: identity }],
    keyExpirationTime: ttlSeconds,
    date: created,
    format: "armored",
  });
  const key = await openpgp.readKey({ armoredKey: publicKey });
  const serviceAccountKey = base64Encode(
    utf8Encoder.encode(JSON.stringify({ name: options.name, pgp_key: privateKey })),
  );
  const generated = {
    name: options.name,
    identity,
    armoredPublicKey: publicKey,
    publicKeyId: key.getFingerprint(),
    expiresAt: new Date(created.getTime() + ttlSeconds * 1000),
  };
  Object.defineProperty(generated, "serviceAccountKey", {
    value: serviceAccountKey,
    enumerable: false,
  });
  return Object.freeze(generated) as GeneratedServiceAccountKey;
}

/**
 * Applies Omni's rules for a service account's public key before it is sent: one public key,
 * readable, with a lifetime that ends within 365 days and has not ended yet.
 */
export async function checkServiceAccountPublicKey(
  armoredPublicKey: string,
  argument: string,
  now: Date = new Date(),
): Promise<void> {
  const openpgp = await import("openpgp");
  let key: Awaited<ReturnType<typeof openpgp.readKey>>;
  try {
    key = await openpgp.readKey({ armoredKey: armoredPublicKey });
  } catch (cause) {
    throw new KeyError(argument, "unreadable-key", "is not a readable OpenPGP public key", {
      cause,
    });
  }
  if (key.isPrivate()) {
    throw new KeyError(argument, "not-a-public-key", "holds a private key; pass the public key");
  }
  const expiration = await key.getExpirationTime();
  if (!(expiration instanceof Date)) {
    throw new ValidationError(argument, "never expires; Omni needs a lifetime of at most 365 days");
  }
  if (expiration.getTime() < now.getTime() - lowerSlackMs) {
    throw new KeyError(argument, "expired", `expired at ${expiration.toISOString()}`);
  }
  const latest = now.getTime() + MAX_SERVICE_ACCOUNT_KEY_LIFETIME_SECONDS * 1000 + upperSlackMs;
  if (expiration.getTime() > latest) {
    throw new ValidationError(
      argument,
      `expires at ${expiration.toISOString()}, more than 365 days from now, which Omni refuses`,
    );
  }
}
