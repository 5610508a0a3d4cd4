import { createHash, createPrivateKey, randomBytes } from "node:crypto";

/** The domain Omni appends to a service account's name to form its identity. */
export const serviceAccountDomain = "serviceaccount.omni.sidero.dev";

/** Creation time of every emulator-made key: a constant, so that a seed gives the same fingerprint every run. */
const keyCreationSeconds = Date.UTC(2025, 0, 1) / 1000;
/** Long enough that a seeded key stays valid for years of test runs. */
const keyLifetimeSeconds = 20 * 365 * 24 * 3600;

const ed25519Pkcs8Prefix = Uint8Array.from([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
]);
const ed25519LegacyOid = Uint8Array.from([0x2b, 0x06, 0x01, 0x04, 0x01, 0xda, 0x47, 0x0f, 0x01]);
const eddsaLegacyAlgorithm = 22;

export interface GeneratedServiceAccountKey {
  /** The service account's name, as in the key JSON and the signature header. */
  name: string;
  /** `<name>@serviceaccount.omni.sidero.dev`. */
  identity: string;
  fingerprint: string;
  armoredPublicKey: string;
  /** base64 of `{"name","pgp_key"}`, what `OMNI_SERVICE_ACCOUNT_KEY` holds. */
  encoded: string;
  expiration: Date;
}

function encodeMpi(bytes: Uint8Array): Uint8Array {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) {
    start++;
  }
  const value = bytes.subarray(start);
  const bits = (value.length - 1) * 8 + (32 - Math.clz32(value[0] ?? 0));
  const out = new Uint8Array(value.length + 2);
  out[0] = bits >> 8;
  out[1] = bits & 0xff;
  out.set(value, 2);
  return out;
}

/**
 * An unsigned OpenPGP v4 Ed25519 secret-key packet built from a 32-byte seed. openpgp.js draws
 * its randomness from `crypto.getRandomValues`, which cannot be seeded, so the key material is
 * made here and openpgp.js only adds the user ID and self-signatures (which are deterministic
 * for Ed25519 once the salt notation is switched off).
 */
function secretKeyPacket(seed: Uint8Array): Uint8Array {
  const privateKey = createPrivateKey({
    key: Buffer.concat([ed25519Pkcs8Prefix, seed]),
    format: "der",
    type: "pkcs8",
  });
  const jwk = privateKey.export({ format: "jwk" });
  const publicPoint = Buffer.from(jwk.x ?? "", "base64url");
  const publicMpi = encodeMpi(Buffer.concat([Uint8Array.of(0x40), publicPoint]));
  const secretMpi = encodeMpi(seed);
  let checksum = 0;
  for (const byte of secretMpi) {
    checksum = (checksum + byte) & 0xffff;
  }
  const t = keyCreationSeconds;
  const body = Buffer.concat([
    Uint8Array.of(4, t >>> 24, (t >>> 16) & 0xff, (t >>> 8) & 0xff, t & 0xff, eddsaLegacyAlgorithm),
    Uint8Array.of(ed25519LegacyOid.length),
    ed25519LegacyOid,
    publicMpi,
    Uint8Array.of(0),
    secretMpi,
    Uint8Array.of(checksum >> 8, checksum & 0xff),
  ]);
  const secretKeyTag = 5;
  return Buffer.concat([Uint8Array.of(0xc0 | secretKeyTag, body.length), body]);
}

/**
 * Makes the OpenPGP key of a service account: random, or derived from `seed` so that the
 * same seed always gives the same key.
 */
export async function generateServiceAccountKey(
  name: string,
  seed?: number,
): Promise<GeneratedServiceAccountKey> {
  const openpgp = await import("openpgp");
  const material =
    seed === undefined
      ? randomBytes(32)
      : createHash("sha256").update(`omni-emulator/${seed}/${name}`).digest();
  const identity = `${name}@${serviceAccountDomain}`;
  const { privateKey, publicKey } = await openpgp.reformatKey({
    privateKey: await openpgp.readPrivateKey({ binaryKey: secretKeyPacket(material) }),
    userIDs: [{ name, email: identity }],
    keyExpirationTime: keyLifetimeSeconds,
    date: new Date(keyCreationSeconds * 1000),
    format: "object",
    config: { nonDeterministicSignaturesViaNotation: false },
  });
  const armoredPrivateKey = privateKey.armor();
  const json = JSON.stringify({ name, pgp_key: armoredPrivateKey });
  return {
    name,
    identity,
    fingerprint: publicKey.getFingerprint(),
    armoredPublicKey: publicKey.armor(),
    encoded: Buffer.from(json, "utf8").toString("base64"),
    expiration: new Date((keyCreationSeconds + keyLifetimeSeconds) * 1000),
  };
}
