import { base64Encode } from "@bufbuild/protobuf/wire";
import { KeyError, ValidationError } from "../errors.js";
import { toBase64Url } from "./encoding.js";
import { checkIdentity } from "./identity.js";
import type { OmniAuth, PayloadSigner } from "./types.js";

const keyAlgorithm: EcKeyGenParams = { name: "ECDSA", namedCurve: "P-256" };
const signAlgorithm: EcdsaParams = { name: "ECDSA", hash: "SHA-256" };

/** What `generateEcdsaKey()` returns: storable as is in IndexedDB (CryptoKeys clone structurally). */
export interface EcdsaKeyPair extends CryptoKeyPair {
  /** Omni's id for the key: padded base64url of SHA-256 over the uncompressed public point. */
  readonly publicKeyId: string;
  /** The public key as a PEM `PUBLIC KEY` (SPKI) block, the form `RegisterPublicKey` takes. */
  readonly publicKeyPem: string;
}

function subtle(): SubtleCrypto {
  const crypto = globalThis.crypto;
  if (!crypto?.subtle) {
    throw new KeyError(
      "privateKey",
      "unsupported-key",
      "WebCrypto (globalThis.crypto.subtle) is not available; browsers expose it only in secure contexts",
    );
  }
  return crypto.subtle;
}

/**
 * Generates a P-256 key pair the way Omni's web UI does: the private key is non-extractable, so
 * script code (and anything that reads IndexedDB) can sign with it but never read it out.
 */
export async function generateEcdsaKey(): Promise<EcdsaKeyPair> {
  const pair = await subtle().generateKey(keyAlgorithm, false, ["sign", "verify"]);
  const [publicKeyId, publicKeyPem] = await Promise.all([
    ecdsaKeyId(pair.publicKey),
    ecdsaPublicKeyPem(pair.publicKey),
  ]);
  return { privateKey: pair.privateKey, publicKey: pair.publicKey, publicKeyId, publicKeyPem };
}

/** Omni's plain-key id of a P-256 public key. */
export async function ecdsaKeyId(publicKey: CryptoKey): Promise<string> {
  checkEcdsaKey(publicKey, "publicKey", "public");
  const point = new Uint8Array(await subtle().exportKey("raw", publicKey));
  return toBase64Url(new Uint8Array(await subtle().digest("SHA-256", point)));
}

/** The SPKI PEM block of a P-256 public key, wrapped at 64 columns like Go's `pem.Encode`. */
export async function ecdsaPublicKeyPem(publicKey: CryptoKey): Promise<string> {
  checkEcdsaKey(publicKey, "publicKey", "public");
  const der = base64Encode(new Uint8Array(await subtle().exportKey("spki", publicKey)));
  const lines = der.match(/.{1,64}/g) ?? [];
  return `-----BEGIN PUBLIC KEY-----\n${lines.join("\n")}\n-----END PUBLIC KEY-----\n`;
}

function isCryptoKey(value: unknown): value is CryptoKey {
  if (typeof value !== "object" || value === null) {
    return false;
  }
  const candidate = value as Partial<CryptoKey>;
  return (
    typeof candidate.type === "string" &&
    typeof candidate.algorithm === "object" &&
    Array.isArray(candidate.usages)
  );
}

export function checkEcdsaKey(key: unknown, argument: string, type: KeyType): CryptoKey {
  if (!isCryptoKey(key)) {
    throw new KeyError(argument, "unsupported-key", "must be a WebCrypto CryptoKey");
  }
  const algorithm = key.algorithm as Partial<EcKeyAlgorithm>;
  if (algorithm.name !== "ECDSA" || algorithm.namedCurve !== "P-256") {
    throw new KeyError(
      argument,
      "unsupported-key",
      `must be an ECDSA P-256 key, got ${algorithm.name ?? "unknown"} ${algorithm.namedCurve ?? ""}`.trimEnd(),
    );
  }
  if (key.type !== type) {
    throw new KeyError(
      argument,
      type === "private" ? "not-a-private-key" : "not-a-public-key",
      `must be a ${type} key, got a ${key.type} key`,
    );
  }
  if (type === "private" && !key.usages.includes("sign")) {
    throw new KeyError(argument, "unsupported-key", 'must allow the "sign" usage');
  }
  return key;
}

const plainKeyIdPattern = /^[A-Za-z0-9_-]{43}=$/;

/** Signs a payload synchronously; returns the same r||s bytes as WebCrypto's ECDSA `sign`. */
export type SyncEcdsaSign = (payload: Uint8Array) => Uint8Array;

/**
 * Turns a P-256 CryptoKey into a synchronous signer, or `undefined` when it cannot. A runtime
 * entry installs one (the Node entry uses `node:crypto`), because WebCrypto's `sign` on Node
 * runs on the libuv thread pool, a round trip through the event loop per signature; round two
 * measured 150–250 µs of latency for it, round three no difference (docs/performance.md).
 */
export type SyncEcdsaSignerFactory = (privateKey: CryptoKey) => SyncEcdsaSign | undefined;

let syncSignerFactory: SyncEcdsaSignerFactory | undefined;

/** Makes every ECDSA signer created from now on, or not yet used, sign through `factory`. */
export function installSyncEcdsaSigner(factory: SyncEcdsaSignerFactory): void {
  syncSignerFactory = factory;
}

class EcdsaSigner implements PayloadSigner {
  readonly identity: string;
  readonly keyId: string;
  readonly #privateKey: CryptoKey;
  readonly #subtle: SubtleCrypto;
  /** Decided on the first signature: a synchronous signer, or `null` for WebCrypto. */
  #syncSign: SyncEcdsaSign | null | undefined;

  constructor(identity: string, keyId: string, privateKey: CryptoKey) {
    this.identity = identity;
    this.keyId = keyId;
    this.#privateKey = privateKey;
    this.#subtle = subtle();
  }

  async sign(payload: Uint8Array): Promise<Uint8Array> {
    // Not `??=`: that would treat the `null` answer as undecided and ask again on every call.
    if (this.#syncSign === undefined) {
      this.#syncSign = this.#createSyncSign();
    }
    if (this.#syncSign) {
      return this.#syncSign(payload);
    }
    // WebCrypto already returns the fixed-size r||s form (IEEE P1363) that Omni splits in half.
    // Payloads come from TextEncoder, so they always sit on a plain ArrayBuffer.
    const data = payload as Uint8Array<ArrayBuffer>;
    return new Uint8Array(await this.#subtle.sign(signAlgorithm, this.#privateKey, data));
  }

  #createSyncSign(): SyncEcdsaSign | null {
    try {
      return syncSignerFactory?.(this.#privateKey) ?? null;
    } catch {
      // A key the runtime cannot take over (say, from another realm) still signs via WebCrypto.
      return null;
    }
  }

  toJSON(): Record<string, string> {
    return { kind: "ecdsa", identity: this.identity, keyId: this.keyId };
  }
}

export interface EcdsaAuthOptions {
  /** The user's email, as registered with Omni. */
  identity: string;
  /** The private half of a key from `generateEcdsaKey()` (or any P-256 signing CryptoKey). */
  privateKey: CryptoKey;
  /** The key id Omni returned from `RegisterPublicKey` (equal to `generateEcdsaKey().publicKeyId`). */
  publicKeyId: string;
}

class EcdsaAuth implements OmniAuth {
  readonly kind = "ecdsa" as const;
  readonly identity: string;
  readonly #signer: Promise<PayloadSigner>;

  constructor(signer: EcdsaSigner, publicKey: CryptoKey | undefined) {
    this.identity = signer.identity;
    this.#signer =
      publicKey === undefined ? Promise.resolve(signer) : matchingKeyId(signer, publicKey);
  }

  signer(): Promise<PayloadSigner> {
    return this.#signer;
  }

  toJSON(): Record<string, string> {
    return { kind: this.kind, identity: this.identity };
  }

  toString(): string {
    return `EcdsaAuth(${this.identity})`;
  }
}

/**
 * The signer, once the public key that came with the options (a key pair spread in) turns out to
 * be the one `publicKeyId` names; a stale stored id would otherwise fail every call as an invalid
 * signature, with no hint why.
 */
async function matchingKeyId(signer: EcdsaSigner, publicKey: CryptoKey): Promise<PayloadSigner> {
  if ((await ecdsaKeyId(publicKey)) !== signer.keyId) {
    throw new KeyError(
      "publicKeyId",
      "unsupported-key",
      "is not the id of the given publicKey; use the publicKeyId of the same key pair",
    );
  }
  return signer;
}

/**
 * Signs every call with a plain P-256 key registered through the login flow. Keys of `options`
 * other than its three are left alone rather than refused: all three are required, so a misspelt
 * one already fails as missing, and what is passed is often a stored login record or
 * `{ identity, ...keyPair }`, which carry more. A `publicKey` among them is checked against
 * `publicKeyId` before the first call.
 */
export function ecdsaAuth(options: EcdsaAuthOptions): OmniAuth {
  const identity = checkIdentity(options?.identity, "identity");
  const privateKey = checkEcdsaKey(options.privateKey, "privateKey", "private");
  const { publicKeyId } = options;
  if (typeof publicKeyId !== "string" || !plainKeyIdPattern.test(publicKeyId)) {
    throw new ValidationError(
      "publicKeyId",
      "must be the 44-character padded base64url key id returned by RegisterPublicKey",
    );
  }
  // Only a CryptoKey can be checked; a stored record may carry other things under that name.
  const { publicKey } = options as { publicKey?: unknown };
  const pairedKey =
    isCryptoKey(publicKey) && publicKey.type === "public"
      ? checkEcdsaKey(publicKey, "publicKey", "public")
      : undefined;
  return new EcdsaAuth(new EcdsaSigner(identity, publicKeyId, privateKey), pairedKey);
}
