import * as openpgp from "openpgp";
import { beforeAll, describe, expect, it } from "vitest";
import { pgpAuth } from "../../src/auth/pgp.js";
import { KeyError } from "../../src/errors.js";
import { generatePgpKey, gpgVerify } from "./support.js";

let plain: Awaited<ReturnType<typeof generatePgpKey>>;
let encrypted: Awaited<ReturnType<typeof generatePgpKey>>;

beforeAll(async () => {
  [plain, encrypted] = await Promise.all([
    generatePgpKey(),
    generatePgpKey({ passphrase: "correct horse" }),
  ]);
});

async function keyError(promise: Promise<unknown> | (() => unknown)): Promise<KeyError> {
  try {
    await (typeof promise === "function" ? promise() : promise);
  } catch (error) {
    expect(error).toBeInstanceOf(KeyError);
    return error as KeyError;
  }
  throw new Error("expected a KeyError");
}

/** No part of an armored key (its base64 lines) may appear in what a user could log. */
function expectNoKeyMaterial(error: KeyError, armored: string): void {
  const shown = `${error.message}\n${String(error)}\n${JSON.stringify(error)}\n${error.stack ?? ""}`;
  for (const line of armored.split("\n").filter((l) => l.length > 20 && !l.startsWith("-----"))) {
    expect(shown).not.toContain(line);
  }
}

describe("pgpAuth signing", () => {
  it("makes a detached binary signature that GnuPG verifies with the exported public key", async () => {
    const signer = await pgpAuth({
      identity: "user@example.com",
      armoredPrivateKey: plain.privateKey,
    }).signer();
    const payload = new TextEncoder().encode(
      '{"headers":{"x-sidero-timestamp":["1762881349"]},"method":"/management.ManagementService/Omniconfig"}',
    );
    const signature = await signer.sign(payload);
    expect(signature[0]).not.toBe("-".charCodeAt(0));
    expect(await gpgVerify(plain.publicKey, payload, signature)).toBe(true);
    const tampered = payload.slice();
    tampered[3] = (tampered[3] ?? 0) ^ 1;
    expect(await gpgVerify(plain.publicKey, tampered, signature)).toBe(false);
  });

  it("uses the lowercase primary fingerprint as key id and an accepted hash", async () => {
    const signer = await pgpAuth({
      identity: "u@e.com",
      armoredPrivateKey: plain.privateKey,
    }).signer();
    const key = await openpgp.readKey({ armoredKey: plain.publicKey });
    expect(signer.keyId).toBe(key.getFingerprint());
    expect(signer.keyId).toMatch(/^[0-9a-f]{40}$/);
    const parsed = await openpgp.readSignature({
      binarySignature: await signer.sign(new Uint8Array([1])),
    });
    const packet = parsed.packets[0];
    expect([
      openpgp.enums.hash.sha256,
      openpgp.enums.hash.sha384,
      openpgp.enums.hash.sha512,
    ]).toContain(packet?.hashAlgorithm);
    expect(packet?.signatureType).toBe(openpgp.enums.signature.binary);
  });

  it("decrypts an encrypted key with its passphrase", async () => {
    const auth = pgpAuth({
      identity: "u@e.com",
      armoredPrivateKey: encrypted.privateKey,
      passphrase: "correct horse",
    });
    const signer = await auth.signer();
    const data = new TextEncoder().encode("x");
    expect(await gpgVerify(encrypted.publicKey, data, await signer.sign(data))).toBe(true);
    expect(await auth.signer()).toBe(signer);
  });

  it("keeps key and passphrase out of JSON and strings", async () => {
    const auth = pgpAuth({
      identity: "u@e.com",
      armoredPrivateKey: encrypted.privateKey,
      passphrase: "correct horse",
    });
    const signer = await auth.signer();
    for (const text of [
      JSON.stringify(auth),
      String(auth),
      JSON.stringify(signer),
      JSON.stringify(Object.entries(auth)),
    ]) {
      expect(text).not.toContain("PRIVATE");
      expect(text).not.toContain("correct horse");
    }
  });
});

describe("pgpAuth errors", () => {
  it("rejects a public key where the private key is needed, at once", async () => {
    const error = await keyError(() =>
      pgpAuth({ identity: "u@e.com", armoredPrivateKey: plain.publicKey }),
    );
    expect(error.reason).toBe("not-a-private-key");
    expect(error.argument).toBe("armoredPrivateKey");
    expect(error.message).toMatch(
      /armoredPrivateKey: is an OpenPGP public key; signing needs the private key/,
    );
    expectNoKeyMaterial(error, plain.publicKey);
  });

  it("rejects text that is no armored key", async () => {
    const error = await keyError(() =>
      pgpAuth({ identity: "u@e.com", armoredPrivateKey: "hello" }),
    );
    expect(error.reason).toBe("unreadable-key");
  });

  it("rejects a damaged armored private key when signing starts, without quoting it", async () => {
    const damaged = plain.privateKey.replace(/\n([A-Za-z0-9+/]{20})/, "\n!!!!");
    const error = await keyError(
      pgpAuth({ identity: "u@e.com", armoredPrivateKey: damaged }).signer(),
    );
    expect(error.reason).toBe("unreadable-key");
    expect(error.message).toBe(
      "[InvalidArgument] armoredPrivateKey: could not be parsed as an OpenPGP key",
    );
    expectNoKeyMaterial(error, damaged);
  });

  it("asks for a passphrase for an encrypted key", async () => {
    const error = await keyError(
      pgpAuth({ identity: "u@e.com", armoredPrivateKey: encrypted.privateKey }).signer(),
    );
    expect(error.reason).toBe("passphrase-required");
    expect(error.message).toMatch(
      /passphrase: the OpenPGP private key is encrypted; pass its passphrase/,
    );
  });

  it("reports a wrong passphrase without repeating it", async () => {
    const error = await keyError(
      pgpAuth({
        identity: "u@e.com",
        armoredPrivateKey: encrypted.privateKey,
        passphrase: "battery staple",
      }).signer(),
    );
    expect(error.reason).toBe("wrong-passphrase");
    expect(error.message).toMatch(/passphrase: does not decrypt the OpenPGP private key/);
    expect(`${error.message}${JSON.stringify(error)}`).not.toContain("battery staple");
    expectNoKeyMaterial(error, encrypted.privateKey);
  });

  it("reports an expired key with the time it expired", async () => {
    const created = new Date(Date.now() - 3 * 3600_000);
    const expired = await generatePgpKey({ date: created, keyExpirationTime: 3600 });
    const error = await keyError(
      pgpAuth({ identity: "u@e.com", armoredPrivateKey: expired.privateKey }).signer(),
    );
    expect(error.reason).toBe("expired");
    const expiredAt = new Date(
      Math.floor(created.getTime() / 1000) * 1000 + 3600_000,
    ).toISOString();
    expect(error.message).toContain(`the OpenPGP key expired at ${expiredAt}`);
    expectNoKeyMaterial(error, expired.privateKey);
  });

  it("rejects an identity with a space before touching the key", async () => {
    const error = await keyError(() =>
      pgpAuth({ identity: "a b@example.com", armoredPrivateKey: plain.privateKey }),
    );
    expect(error.reason).toBe("invalid-identity");
    expect(error.message).toMatch(/identity: contains whitespace/);
    expect(error.message).not.toContain("a b@example.com");
  });

  it("never repeats a key passed as the identity, arguments swapped", async () => {
    const error = await keyError(() =>
      pgpAuth({ identity: plain.privateKey, armoredPrivateKey: "jane@example.com" }),
    );
    expect(error.argument).toBe("identity");
    expect(error.reason).toBe("invalid-identity");
    expectNoKeyMaterial(error, plain.privateKey);
  });
});
