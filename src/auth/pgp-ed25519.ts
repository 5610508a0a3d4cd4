// Fast path for the key type Omni itself issues (Ed25519, OpenPGP v4): build the v4 detached
// signature packet directly (RFC 4880 §5.2.3, RFC 9580 §5.2.3) around a WebCrypto Ed25519 key
// imported once. openpgp.js re-imports the key and re-verifies the key's self-signatures on every
// `sign`, which costs ~10× more per call. Anything else falls back to openpgp.js.

const PUBLIC_KEY_EDDSA_LEGACY = 22;
const PUBLIC_KEY_ED25519 = 27;
const HASH_SHA512 = 10;
const SIGNATURE_BINARY_DOCUMENT = 0x00;
const SUBPACKET_CREATION_TIME = 2;
const SUBPACKET_ISSUER_KEY_ID = 16;
const SUBPACKET_ISSUER_FINGERPRINT = 33;

/** The parts of an openpgp.js key packet this path reads; all optional, since they are internal. */
interface KeyPacketShape {
  version?: unknown;
  algorithm?: unknown;
  publicParams?: { Q?: unknown; A?: unknown } | null;
  privateParams?: { seed?: unknown } | null;
  getFingerprintBytes?: () => unknown;
  getKeyID?: () => { write?: () => unknown };
}

interface Ed25519Material {
  algorithm: typeof PUBLIC_KEY_EDDSA_LEGACY | typeof PUBLIC_KEY_ED25519;
  seed: Uint8Array;
  publicKey: Uint8Array;
  fingerprint: Uint8Array;
  keyId: Uint8Array;
}

function bytesOf(value: unknown, length: number): Uint8Array | undefined {
  return value instanceof Uint8Array && value.length === length ? value : undefined;
}

function readMaterial(packet: KeyPacketShape): Ed25519Material | undefined {
  if (packet.version !== 4) {
    return undefined;
  }
  const seed = bytesOf(packet.privateParams?.seed, 32);
  const fingerprint = bytesOf(packet.getFingerprintBytes?.(), 20);
  const keyId = bytesOf(packet.getKeyID?.().write?.(), 8);
  if (!seed || !fingerprint || !keyId) {
    return undefined;
  }
  if (packet.algorithm === PUBLIC_KEY_EDDSA_LEGACY) {
    // Legacy EdDSA stores the point with a 0x40 "native" prefix.
    const point = bytesOf(packet.publicParams?.Q, 33);
    if (point?.[0] !== 0x40) {
      return undefined;
    }
    return {
      algorithm: PUBLIC_KEY_EDDSA_LEGACY,
      seed,
      publicKey: point.subarray(1),
      fingerprint,
      keyId,
    };
  }
  if (packet.algorithm === PUBLIC_KEY_ED25519) {
    const publicKey = bytesOf(packet.publicParams?.A, 32);
    return publicKey
      ? { algorithm: PUBLIC_KEY_ED25519, seed, publicKey, fingerprint, keyId }
      : undefined;
  }
  return undefined;
}

function base64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) {
    binary += String.fromCharCode(byte);
  }
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function concat(parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  let length = 0;
  for (const part of parts) {
    length += part.length;
  }
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function uint16(value: number): Uint8Array {
  return new Uint8Array([(value >>> 8) & 0xff, value & 0xff]);
}

function uint32(value: number): Uint8Array {
  return new Uint8Array([
    (value >>> 24) & 0xff,
    (value >>> 16) & 0xff,
    (value >>> 8) & 0xff,
    value & 0xff,
  ]);
}

/** An OpenPGP multiprecision integer: bit count, then the bytes without leading zeros. */
function mpi(bytes: Uint8Array): Uint8Array {
  let start = 0;
  while (start < bytes.length && bytes[start] === 0) {
    start++;
  }
  const value = bytes.subarray(start);
  const top = value[0] ?? 0;
  const bits = value.length === 0 ? 0 : (value.length - 1) * 8 + (32 - Math.clz32(top));
  return concat([uint16(bits), value]);
}

/** New-format packet header for tag 2 (signature) with a one- or two-octet body length. */
function signaturePacket(body: Uint8Array): Uint8Array {
  if (body.length < 192) {
    return concat([new Uint8Array([0xc2, body.length]), body]);
  }
  const length = body.length - 192;
  return concat([new Uint8Array([0xc2, (length >>> 8) + 192, length & 0xff]), body]);
}

export type DetachedSign = (data: Uint8Array) => Promise<Uint8Array>;

/**
 * Synchronous SHA-512 and Ed25519 for a runtime that has them (the Node entry installs
 * `node:crypto`'s). WebCrypto's `digest` and `sign` each cost a thread-pool round trip on Node,
 * several times the work itself, inside every signed call.
 */
export interface SyncEd25519 {
  sha512(data: Uint8Array): Uint8Array;
  /** A signer for the imported key, or `undefined` when this runtime cannot use it. */
  signer(key: CryptoKey): ((digest: Uint8Array) => Uint8Array) | undefined;
}

let syncEd25519: SyncEd25519 | undefined;

/** Makes Ed25519 signers sign through `provider` from their next signature on. */
export function installSyncEd25519(provider: SyncEd25519): void {
  syncEd25519 = provider;
}

/**
 * The in-thread signer for a key, or undefined when the provider cannot take it (a CryptoKey of a
 * WebCrypto polyfill is no key `node:crypto` can read), which leaves signing to WebCrypto.
 */
function inThreadSigner(
  provider: SyncEd25519,
  key: CryptoKey,
): ((digest: Uint8Array) => Uint8Array) | undefined {
  try {
    return provider.signer(key);
  } catch {
    return undefined;
  }
}

/**
 * Returns a detached binary-document signer for an Ed25519 v4 signing key packet, or `undefined`
 * when the key is of another kind or WebCrypto lacks Ed25519 (the caller then uses openpgp.js).
 */
export async function createEd25519Signer(packet: unknown): Promise<DetachedSign | undefined> {
  const material =
    typeof packet === "object" && packet !== null
      ? readMaterial(packet as KeyPacketShape)
      : undefined;
  const subtle = globalThis.crypto?.subtle;
  if (!material || !subtle) {
    return undefined;
  }
  let key: CryptoKey;
  try {
    key = await subtle.importKey(
      "jwk",
      { kty: "OKP", crv: "Ed25519", d: base64Url(material.seed), x: base64Url(material.publicKey) },
      { name: "Ed25519" },
      false,
      ["sign"],
    );
  } catch {
    return undefined;
  }
  const unhashed = concat([
    uint16(10),
    new Uint8Array([9, SUBPACKET_ISSUER_KEY_ID]),
    material.keyId,
  ]);
  const fingerprintSubpacket = concat([
    new Uint8Array([22, SUBPACKET_ISSUER_FINGERPRINT, 4]),
    material.fingerprint,
  ]);
  const header = new Uint8Array([4, SIGNATURE_BINARY_DOCUMENT, material.algorithm, HASH_SHA512]);

  let sync: { provider: SyncEd25519; sign: (digest: Uint8Array) => Uint8Array } | undefined;

  return async (data) => {
    const created = new Uint8Array([
      5,
      SUBPACKET_CREATION_TIME,
      ...uint32(Math.floor(Date.now() / 1000)),
    ]);
    const subpackets = concat([created, fingerprintSubpacket]);
    const hashed = concat([header, uint16(subpackets.length), subpackets]);
    const trailer = concat([new Uint8Array([4, 0xff]), uint32(hashed.length)]);
    const document = concat([data, hashed, trailer]);
    if (syncEd25519 && sync?.provider !== syncEd25519) {
      const sign = inThreadSigner(syncEd25519, key);
      sync = sign ? { provider: syncEd25519, sign } : undefined;
    }
    // OpenPGP EdDSA signs the digest itself, not the document.
    let digest: Uint8Array;
    let signature: Uint8Array;
    if (sync) {
      digest = sync.provider.sha512(document);
      signature = sync.sign(digest);
    } else {
      const webDigest = new Uint8Array(await subtle.digest("SHA-512", document));
      signature = new Uint8Array(await subtle.sign({ name: "Ed25519" }, key, webDigest));
      digest = webDigest;
    }
    const params =
      material.algorithm === PUBLIC_KEY_EDDSA_LEGACY
        ? concat([mpi(signature.subarray(0, 32)), mpi(signature.subarray(32))])
        : signature;
    return signaturePacket(concat([hashed, unhashed, digest.subarray(0, 2), params]));
  };
}
