import { createPublicKey } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  ecdsaAuth,
  ecdsaKeyId,
  ecdsaPublicKeyPem,
  generateEcdsaKey,
  installSyncEcdsaSigner,
} from "../../src/auth/ecdsa.js";
import { KeyError, ValidationError } from "../../src/errors.js";
import { verifyEcdsaP1363 } from "./support.js";

// Public test vectors from AUTH-AND-TRANSPORT.md §1.2 (Omni's frontend test key, go-api-signature PR #49).
const frontendJwk = {
  kty: "EC",
  crv: "P-256",
  x: "783KrEU9o1ZPATh2FZFiaJUOct3IiVt1GAQ6eNx-iHc",
  y: "LPg7JSWJePeCGNWvzoTbhuhDV5AFk7RTAq5HYA2CgdY",
};
const prPem = `-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE8N0YkTeVTfD8xgJsjSMgvAmZquzv
LwfQb9Oa7fBNdyIiS2GPVzSFQtcIYbxBYBzvEY8RZjteEf7e/c/WWznGTQ==
-----END PUBLIC KEY-----`;
const prSignature =
  "yTEFDFIsNAoTD6TdcoJQtek1giToLxG/eRmcNWBgGp6CRDydj5WPh4Yeq/MSwrqPsWRFESa+3Lfegd1tJ2dN6g==";

const ecdsa = { name: "ECDSA", namedCurve: "P-256" } as const;

describe("ECDSA key ids (test vectors)", () => {
  it("gives the frontend JWK key its documented id", async () => {
    const key = await crypto.subtle.importKey("jwk", frontendJwk, ecdsa, true, ["verify"]);
    expect(await ecdsaKeyId(key)).toBe("IWaa5BXyMnO_y69035W95ptCwwcGAEhaheMiVHNIqmc=");
  });

  it("gives the PR #49 PEM key its documented id", async () => {
    const der = createPublicKey(prPem).export({ type: "spki", format: "der" });
    const key = await crypto.subtle.importKey("spki", der, ecdsa, true, ["verify"]);
    expect(await ecdsaKeyId(key)).toBe("c3X-S3rH6rKIfUDZmJ3R4cAY9kiE6iloTLUrQORLi3I=");
    expect(await ecdsaPublicKeyPem(key)).toBe(`${prPem}\n`);
  });

  it("verifies the PR #49 'hi there' signature as raw r||s, and rejects other data", () => {
    const signature = Buffer.from(prSignature, "base64");
    expect(signature.length).toBe(64);
    expect(verifyEcdsaP1363(prPem, new TextEncoder().encode("hi there"), signature)).toBe(true);
    expect(verifyEcdsaP1363(prPem, new TextEncoder().encode("hi there?"), signature)).toBe(false);
  });
});

describe("generateEcdsaKey", () => {
  it("makes a non-extractable P-256 pair with its id and PEM", async () => {
    const pair = await generateEcdsaKey();
    expect(pair.privateKey.extractable).toBe(false);
    expect(pair.privateKey.type).toBe("private");
    await expect(crypto.subtle.exportKey("pkcs8", pair.privateKey)).rejects.toThrow();
    expect(pair.publicKeyId).toMatch(/^[A-Za-z0-9_-]{43}=$/);
    expect(pair.publicKeyId).toBe(await ecdsaKeyId(pair.publicKey));
    expect(pair.publicKeyPem).toMatch(
      /^-----BEGIN PUBLIC KEY-----\n[A-Za-z0-9+/=\n]+\n-----END PUBLIC KEY-----\n$/,
    );
    expect(createPublicKey(pair.publicKeyPem).asymmetricKeyDetails?.namedCurve).toBe("prime256v1");
  });

  it("survives a structured clone, as when kept in IndexedDB", async () => {
    const pair = structuredClone(await generateEcdsaKey());
    const signer = await ecdsaAuth({
      identity: "user@example.com",
      privateKey: pair.privateKey,
      publicKeyId: pair.publicKeyId,
    }).signer();
    const data = new TextEncoder().encode("payload");
    expect(verifyEcdsaP1363(pair.publicKeyPem, data, await signer.sign(data))).toBe(true);
  });
});

describe("ecdsaAuth", () => {
  it("signs with raw 64-byte r||s that node:crypto verifies", async () => {
    const pair = await generateEcdsaKey();
    const auth = ecdsaAuth({
      identity: "user@example.com",
      privateKey: pair.privateKey,
      publicKeyId: pair.publicKeyId,
    });
    const signer = await auth.signer();
    expect(signer.keyId).toBe(pair.publicKeyId);
    expect(signer.identity).toBe("user@example.com");
    const data = new TextEncoder().encode('{"headers":{},"method":"/m"}');
    for (let attempt = 0; attempt < 5; attempt++) {
      const signature = await signer.sign(data);
      expect(signature.length).toBe(64);
      expect(verifyEcdsaP1363(pair.publicKeyPem, data, signature)).toBe(true);
    }
    expect(await auth.signer()).toBe(signer);
  });

  it("keeps the key out of JSON and strings", async () => {
    const pair = await generateEcdsaKey();
    const auth = ecdsaAuth({
      identity: "u@e.com",
      privateKey: pair.privateKey,
      publicKeyId: pair.publicKeyId,
    });
    expect(JSON.parse(JSON.stringify(auth))).toEqual({ kind: "ecdsa", identity: "u@e.com" });
    expect(String(auth)).toBe("EcdsaAuth(u@e.com)");
    expect(Object.keys(await auth.signer()).sort()).toEqual(["identity", "keyId"]);
  });

  it("rejects an identity with a space", async () => {
    const pair = await generateEcdsaKey();
    const make = () =>
      ecdsaAuth({
        identity: "john doe@example.com",
        privateKey: pair.privateKey,
        publicKeyId: pair.publicKeyId,
      });
    expect(make).toThrow(KeyError);
    expect(make).toThrow(/identity: contains whitespace/);
    expect(make).not.toThrow(/john doe/);
    try {
      make();
    } catch (error) {
      expect((error as KeyError).reason).toBe("invalid-identity");
    }
  });

  it("rejects a public key where the private key is needed", async () => {
    const pair = await generateEcdsaKey();
    const make = () =>
      ecdsaAuth({ identity: "u@e.com", privateKey: pair.publicKey, publicKeyId: pair.publicKeyId });
    expect(make).toThrow(/privateKey: must be a private key, got a public key/);
    try {
      make();
    } catch (error) {
      expect(error).toBeInstanceOf(KeyError);
      expect((error as KeyError).reason).toBe("not-a-private-key");
    }
  });

  it("asks the runtime for a synchronous signer once, even when it has none", async () => {
    const pair = await generateEcdsaKey();
    let asked = 0;
    installSyncEcdsaSigner(() => {
      asked += 1;
      return undefined;
    });
    const signer = await ecdsaAuth({
      identity: "u@e.com",
      privateKey: pair.privateKey,
      publicKeyId: pair.publicKeyId,
    }).signer();
    const payload = new TextEncoder().encode("{}");
    for (let call = 0; call < 3; call++) {
      expect(await signer.sign(payload)).toHaveLength(64);
    }
    expect(asked).toBe(1);
  });

  it("rejects keys on another curve or algorithm, and non-keys", async () => {
    const p384 = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-384" }, false, [
      "sign",
      "verify",
    ]);
    const id = "IWaa5BXyMnO_y69035W95ptCwwcGAEhaheMiVHNIqmc=";
    expect(() =>
      ecdsaAuth({ identity: "u@e.com", privateKey: p384.privateKey, publicKeyId: id }),
    ).toThrow(/must be an ECDSA P-256 key, got ECDSA P-384/);
    expect(() =>
      ecdsaAuth({
        identity: "u@e.com",
        privateKey: "-----BEGIN" as unknown as CryptoKey,
        publicKeyId: id,
      }),
    ).toThrow(/privateKey: must be a WebCrypto CryptoKey/);
  });

  it("rejects a malformed key id", async () => {
    const pair = await generateEcdsaKey();
    const make = () =>
      ecdsaAuth({ identity: "u@e.com", privateKey: pair.privateKey, publicKeyId: "abc" });
    expect(make).toThrow(ValidationError);
    expect(make).toThrow(/publicKeyId: must be the 44-character padded base64url key id/);
  });

  it("refuses a key id that belongs to another key than the public key passed with it", async () => {
    const pair = await generateEcdsaKey();
    const other = await generateEcdsaKey();
    const stale = ecdsaAuth({
      identity: "u@e.com",
      ...pair,
      publicKeyId: other.publicKeyId,
    } as Parameters<typeof ecdsaAuth>[0]);
    const error = await stale.signer().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KeyError);
    expect((error as KeyError).argument).toBe("publicKeyId");
    const matching = ecdsaAuth({ identity: "u@e.com", ...pair });
    expect((await matching.signer()).keyId).toBe(pair.publicKeyId);
  });
});
