import type { PrivateKey } from "openpgp";
import { KeyError } from "../errors.js";
import { checkOptionKeys, optionKeys } from "../option-keys.js";
import { utf8Encoder } from "./encoding.js";
import { checkIdentity } from "./identity.js";
import { createEd25519Signer, type DetachedSign } from "./pgp-ed25519.js";
import type { OmniAuth, PayloadSigner } from "./types.js";

// openpgp's types need `@openpgp/web-stream-tools` (an optional peer of openpgp) and Node's
// `node:stream/web`, which an app need not have: no exported declaration may name them, so the
// published .d.ts never import "openpgp" (`npm run check:consumers` compiles them as apps do).
type OpenPgp = typeof import("openpgp");

let openpgpModule: Promise<OpenPgp> | undefined;

/** openpgp.js is large; only callers that actually hold a PGP key load it, and only once. */
function loadOpenPgp(): Promise<OpenPgp> {
  openpgpModule ??= import("openpgp");
  return openpgpModule;
}

const privateBlockHeader = "-----BEGIN PGP PRIVATE KEY BLOCK-----";
const publicBlockHeader = "-----BEGIN PGP PUBLIC KEY BLOCK-----";

/** Catches the wrong kind of text before openpgp.js is even loaded. */
export function checkArmoredPrivateKey(text: unknown, argument: string): string {
  if (typeof text !== "string" || text.trim().length === 0) {
    throw new KeyError(argument, "unreadable-key", "must be an armored OpenPGP private key");
  }
  if (!text.includes(privateBlockHeader)) {
    if (text.includes(publicBlockHeader)) {
      throw new KeyError(
        argument,
        "not-a-private-key",
        "is an OpenPGP public key; signing needs the private key",
      );
    }
    throw new KeyError(
      argument,
      "unreadable-key",
      `is not an armored OpenPGP private key (no "${privateBlockHeader}" line)`,
    );
  }
  return text;
}

/** A fixed document signed once per key, to check a signer before it is trusted. */
const probeDocument = utf8Encoder.encode('{"headers":{},"method":"/probe"}');

// The hashes Omni's verifier accepts (SHA-224/256/384/512), as openpgp.js enum values.
const acceptedHashNames = ["sha224", "sha256", "sha384", "sha512"] as const;

interface ParsedKey {
  key: PrivateKey;
  openpgp: OpenPgp;
  /** Milliseconds since the epoch, or `Infinity` for a key that never expires. */
  expiresAt: number;
}

interface KeySource {
  kind: "pgp" | "service-account";
  identity: string;
  armoredKey: string;
  passphrase: string | undefined;
  /** How the user's input is named in errors. */
  argument: string;
}

async function readSigningKey({
  kind,
  armoredKey,
  passphrase,
  argument,
}: KeySource): Promise<ParsedKey> {
  const openpgp = await loadOpenPgp();
  let key: Awaited<ReturnType<OpenPgp["readKey"]>>;
  try {
    key = await openpgp.readKey({ armoredKey });
  } catch {
    // openpgp's parser messages can quote the input; none of it may reach the error.
    throw new KeyError(argument, "unreadable-key", "could not be parsed as an OpenPGP key");
  }
  if (!key.isPrivate()) {
    throw new KeyError(
      argument,
      "not-a-private-key",
      "is an OpenPGP public key; signing needs the private key",
    );
  }
  let privateKey: PrivateKey = key;
  if (!privateKey.isDecrypted()) {
    if (passphrase === undefined || passphrase === "") {
      if (kind === "service-account") {
        throw new KeyError(
          argument,
          "passphrase-required",
          "is encrypted with a passphrase; Omni service-account keys are never encrypted",
        );
      }
      throw new KeyError(
        "passphrase",
        "passphrase-required",
        "the OpenPGP private key is encrypted; pass its passphrase",
      );
    }
    try {
      privateKey = await openpgp.decryptKey({ privateKey, passphrase });
    } catch {
      throw new KeyError(
        "passphrase",
        "wrong-passphrase",
        "does not decrypt the OpenPGP private key",
      );
    }
  }
  const now = new Date();
  if (await privateKey.isRevoked(undefined, undefined, now)) {
    throw new KeyError(argument, "unsupported-key", "the OpenPGP key has been revoked");
  }
  const expiration = await privateKey.getExpirationTime();
  const expiresAt = expiration instanceof Date ? expiration.getTime() : Number.POSITIVE_INFINITY;
  if (expiresAt <= now.getTime()) {
    throw expiredError(argument, expiresAt);
  }
  return { key: privateKey, openpgp, expiresAt };
}

function expiredError(argument: string, expiresAt: number): KeyError {
  return new KeyError(
    argument,
    "expired",
    `the OpenPGP key expired at ${new Date(expiresAt).toISOString()}; create or renew the key`,
  );
}

class PgpSigner implements PayloadSigner {
  readonly identity: string;
  readonly keyId: string;
  /** The `kind` of the `OmniAuth` this signer belongs to, so both render alike. */
  readonly #kind: KeySource["kind"];
  readonly #sign: DetachedSign;
  readonly #expiresAt: number;
  readonly #argument: string;

  constructor(source: KeySource, keyId: string, sign: DetachedSign, expiresAt: number) {
    this.identity = source.identity;
    this.keyId = keyId;
    this.#kind = source.kind;
    this.#sign = sign;
    this.#expiresAt = expiresAt;
    this.#argument = source.argument;
  }

  sign(payload: Uint8Array): Promise<Uint8Array> {
    // A long-lived client can outlive its key; Omni would answer only "invalid signature".
    if (Date.now() >= this.#expiresAt) {
      return Promise.reject(expiredError(this.#argument, this.#expiresAt));
    }
    return this.#sign(payload);
  }

  toJSON(): Record<string, string> {
    return { kind: this.#kind, identity: this.identity, keyId: this.keyId };
  }
}

function openPgpDetachedSign({ key, openpgp }: ParsedKey): DetachedSign {
  const config = { preferredHashAlgorithm: openpgp.enums.hash.sha512 };
  return async (payload) => {
    const message = await openpgp.createMessage({ binary: payload });
    return (await openpgp.sign({
      message,
      signingKeys: key,
      detached: true,
      format: "binary",
      config,
    })) as Uint8Array;
  };
}

async function verifies(parsed: ParsedKey, signature: Uint8Array): Promise<boolean> {
  const { openpgp, key } = parsed;
  try {
    const result = await openpgp.verify({
      message: await openpgp.createMessage({ binary: probeDocument }),
      signature: await openpgp.readSignature({ binarySignature: signature }),
      verificationKeys: key.toPublic(),
    });
    await result.signatures[0]?.verified;
    return result.signatures.length === 1;
  } catch {
    return false;
  }
}

async function hashAlgorithm(
  parsed: ParsedKey,
  signature: Uint8Array,
): Promise<number | null | undefined> {
  const parsedSignature = await parsed.openpgp.readSignature({ binarySignature: signature });
  return parsedSignature.packets[0]?.hashAlgorithm;
}

/** Parses, decrypts and checks an armored private key, then returns a signer for it. */
async function createPgpSigner(source: KeySource): Promise<PayloadSigner> {
  const { argument } = source;
  const parsed = await readSigningKey(source);
  let signingKey: Awaited<ReturnType<PrivateKey["getSigningKey"]>>;
  try {
    signingKey = await parsed.key.getSigningKey();
  } catch {
    throw new KeyError(argument, "unsupported-key", "the OpenPGP key has no usable signing key");
  }
  // openpgp.js and gopenpgp both give the primary fingerprint as lowercase hex.
  const keyId = parsed.key.getFingerprint().toLowerCase();
  const fast = await createEd25519Signer(signingKey.keyPacket);
  // The fast path is checked once against openpgp.js itself before it is trusted; one that
  // cannot sign here at all leaves the work to openpgp.js.
  const probe = fast && (await fast(probeDocument).catch(() => undefined));
  if (fast && probe && (await verifies(parsed, probe))) {
    return new PgpSigner(source, keyId, fast, parsed.expiresAt);
  }
  const slow = openPgpDetachedSign(parsed);
  // The key's own preferences can steer openpgp.js to a hash Omni rejects; find out up front.
  const used = await hashAlgorithm(parsed, await slow(probeDocument));
  const accepted = new Set<number>(
    acceptedHashNames.map((name) => parsed.openpgp.enums.hash[name]),
  );
  if (used === undefined || used === null || !accepted.has(used)) {
    throw new KeyError(
      argument,
      "unsupported-key",
      "the OpenPGP key signs with a hash Omni does not accept (needs SHA-224/256/384/512)",
    );
  }
  return new PgpSigner(source, keyId, slow, parsed.expiresAt);
}

/** An `OmniAuth` backed by a PGP key; the key is parsed on first use and the signer cached. */
export class PgpAuth implements OmniAuth {
  readonly kind: "pgp" | "service-account";
  readonly identity: string;
  readonly #source: KeySource;
  #signer: Promise<PayloadSigner> | undefined;

  constructor(source: KeySource) {
    this.kind = source.kind;
    this.identity = source.identity;
    this.#source = source;
  }

  signer(): Promise<PayloadSigner> {
    this.#signer ??= createPgpSigner(this.#source);
    return this.#signer;
  }

  toJSON(): Record<string, string> {
    return { kind: this.kind, identity: this.identity };
  }

  toString(): string {
    return `PgpAuth(${this.kind}, ${this.identity})`;
  }
}

export interface PgpAuthOptions {
  /** The user's email as registered with Omni (no spaces). */
  identity: string;
  /** The armored OpenPGP private key (`-----BEGIN PGP PRIVATE KEY BLOCK-----`). */
  armoredPrivateKey: string;
  /** Needed only when the private key is encrypted. */
  passphrase?: string;
}

export const pgpAuthOptionKeys = /*@__PURE__*/ optionKeys<PgpAuthOptions>()({
  identity: true,
  armoredPrivateKey: true,
  passphrase: true,
});

/** Signs every call with an OpenPGP key, as omnictl does with its user keys. */
export function pgpAuth(options: PgpAuthOptions): OmniAuth {
  // The other errors name the options bare (`identity`), so unknown keys are named the same way.
  checkOptionKeys("", options, pgpAuthOptionKeys);
  const identity = checkIdentity(options.identity, "identity");
  const armoredKey = checkArmoredPrivateKey(options.armoredPrivateKey, "armoredPrivateKey");
  if (options.passphrase !== undefined && typeof options.passphrase !== "string") {
    throw new KeyError("passphrase", "wrong-passphrase", "must be a string");
  }
  return new PgpAuth({
    kind: "pgp",
    identity,
    armoredKey,
    passphrase: options.passphrase,
    argument: "armoredPrivateKey",
  });
}
