import * as openpgp from "openpgp";
import { describe, expect, it, vi } from "vitest";
import { pgpAuth } from "../../src/auth/pgp.js";
import { createEd25519Signer, installSyncEd25519 } from "../../src/auth/pgp-ed25519.js";
import { generatePgpKey, gpgVerify, pgpVerifier } from "./support.js";

async function signingPacket(armoredKey: string) {
  const key = await openpgp.readPrivateKey({ armoredKey });
  return (await key.getSigningKey()).keyPacket;
}

describe("direct Ed25519 signature packets", () => {
  it("are accepted by GnuPG for legacy EdDSA keys (what Omni issues)", async () => {
    const key = await generatePgpKey();
    const sign = await createEd25519Signer(await signingPacket(key.privateKey));
    expect(sign).toBeDefined();
    for (const text of [
      "",
      "x",
      '{"headers":{"x-sidero-timestamp":["1762881349"]},"method":"/"}'.repeat(5),
    ]) {
      const data = new TextEncoder().encode(text);
      const signature = (await sign?.(data)) ?? new Uint8Array();
      expect(await gpgVerify(key.publicKey, data, signature)).toBe(true);
      const parsed = await openpgp.readSignature({ binarySignature: signature });
      expect(parsed.packets[0]?.hashAlgorithm).toBe(openpgp.enums.hash.sha512);
      expect(parsed.packets[0]?.signatureType).toBe(openpgp.enums.signature.binary);
    }
  });

  it("are accepted by openpgp.js for RFC 9580 Ed25519 keys", async () => {
    const key = await openpgp.generateKey({
      type: "curve25519",
      userIDs: [{ email: "a@b.c" }],
      format: "armored",
    });
    const sign = await createEd25519Signer(await signingPacket(key.privateKey));
    expect(sign).toBeDefined();
    const data = new TextEncoder().encode("payload");
    expect(await pgpVerifier(key.publicKey)(data, (await sign?.(data)) ?? new Uint8Array())).toBe(
      true,
    );
  });

  it("are not attempted for other key types", async () => {
    const p256 = await openpgp.generateKey({
      type: "ecc",
      curve: "nistP256",
      userIDs: [{ email: "a@b.c" }],
      format: "armored",
    });
    expect(await createEd25519Signer(await signingPacket(p256.privateKey))).toBeUndefined();
    expect(await createEd25519Signer({})).toBeUndefined();
  });
});

describe("pgpAuth with a key outside the fast path", () => {
  it("signs through openpgp.js and GnuPG verifies it", async () => {
    const key = await openpgp.generateKey({
      type: "ecc",
      curve: "nistP256",
      userIDs: [{ email: "a@b.c" }],
      format: "armored",
    });
    const signer = await pgpAuth({ identity: "a@b.c", armoredPrivateKey: key.privateKey }).signer();
    const data = new TextEncoder().encode("payload");
    expect(await gpgVerify(key.publicKey, data, await signer.sign(data))).toBe(true);
  });
});

describe("a key that expires while in use", () => {
  it("stops signing with a KeyError saying when it expired", async () => {
    const key = await generatePgpKey({ keyExpirationTime: 3600 });
    const signer = await pgpAuth({ identity: "a@b.c", armoredPrivateKey: key.privateKey }).signer();
    const expiresAt = (await (
      await openpgp.readKey({ armoredKey: key.publicKey })
    ).getExpirationTime()) as Date;
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      vi.setSystemTime(expiresAt.getTime() + 1000);
      await expect(signer.sign(new Uint8Array([1]))).rejects.toMatchObject({
        name: "KeyError",
        reason: "expired",
        message: expect.stringContaining(`expired at ${expiresAt.toISOString()}`),
      });
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("an in-thread Ed25519 provider that cannot take the key", () => {
  it("leaves signing to WebCrypto instead of failing the key", async () => {
    installSyncEd25519({
      sha512: () => new Uint8Array(64),
      signer: () => {
        throw new TypeError("not a key this runtime can read");
      },
    });
    const key = await generatePgpKey();
    const auth = pgpAuth({ identity: "u@example.com", armoredPrivateKey: key.privateKey });
    const signer = await auth.signer();
    const data = new TextEncoder().encode("payload");
    expect(await gpgVerify(key.publicKey, data, await signer.sign(data))).toBe(true);
  });
});
