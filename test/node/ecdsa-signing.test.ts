import { describe, expect, it } from "vitest";
import { ecdsaAuth, generateEcdsaKey } from "../../src/auth/index.js";
import { useNodeEcdsaSigning } from "../../src/node/ecdsa-signing.js";

describe("Node ECDSA signing", () => {
  it("signs with node:crypto in the r||s form WebCrypto verifies", async () => {
    useNodeEcdsaSigning();
    const pair = await generateEcdsaKey();
    const signer = await ecdsaAuth({
      identity: "user@example.org",
      privateKey: pair.privateKey,
      publicKeyId: pair.publicKeyId,
    }).signer();
    const payload = new TextEncoder().encode('{"headers":{},"method":"/probe"}');
    const signature = (await signer.sign(payload)) as Uint8Array<ArrayBuffer>;
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
});
