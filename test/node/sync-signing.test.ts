import * as openpgp from "openpgp";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ecdsaAuth, generateEcdsaKey, pgpAuth } from "../../src/auth/index.js";
import { useNodeSigning } from "../../src/node/sync-signing.js";

const payload = new TextEncoder().encode('{"headers":{},"method":"/probe"}');

describe("Node's synchronous signing", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("signs ECDSA keys with node:crypto in the r||s form WebCrypto verifies", async () => {
    useNodeSigning();
    const pair = await generateEcdsaKey();
    const signer = await ecdsaAuth({
      identity: "user@example.org",
      privateKey: pair.privateKey,
      publicKeyId: pair.publicKeyId,
    }).signer();
    const webCryptoSign = vi.spyOn(crypto.subtle, "sign");
    const signature = (await signer.sign(payload)) as Uint8Array<ArrayBuffer>;
    expect(webCryptoSign).not.toHaveBeenCalled();
    expect(signature).toHaveLength(64);
    const algorithm = { name: "ECDSA", hash: "SHA-256" };
    await expect(crypto.subtle.verify(algorithm, pair.publicKey, signature, payload)).resolves.toBe(
      true,
    );
    const tampered = new TextEncoder().encode('{"headers":{},"method":"/other"}');
    await expect(
      crypto.subtle.verify(algorithm, pair.publicKey, signature, tampered),
    ).resolves.toBe(false);
  });

  it("signs Ed25519 OpenPGP keys in-thread with signatures openpgp.js verifies", async () => {
    useNodeSigning();
    const { privateKey, publicKey } = await openpgp.generateKey({
      type: "ecc",
      curve: "ed25519Legacy",
      userIDs: [{ email: "ci@serviceaccount.omni.sidero.dev" }],
      keyExpirationTime: 3600,
    });
    const signer = await pgpAuth({ identity: "ci", armoredPrivateKey: privateKey }).signer();
    const webCryptoSign = vi.spyOn(crypto.subtle, "sign");
    const signature = await signer.sign(payload);
    expect(webCryptoSign).not.toHaveBeenCalled();
    const verification = await openpgp.verify({
      message: await openpgp.createMessage({ binary: payload }),
      signature: await openpgp.readSignature({ binarySignature: signature }),
      verificationKeys: await openpgp.readKey({ armoredKey: publicKey }),
    });
    await expect(verification.signatures[0]?.verified).resolves.toBe(true);
  });
});
