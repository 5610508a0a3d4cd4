import * as openpgp from "openpgp";
import { describe, expect, it } from "vitest";
import { serviceAccountAuth } from "../../src/auth/service-account.js";
import {
  checkServiceAccountPublicKey,
  generateServiceAccountKey,
  serviceAccountIdentity,
} from "../../src/auth/service-account-key.js";
import { KeyError, ValidationError } from "../../src/errors.js";

const day = 24 * 60 * 60;

async function publicKeyLiving(seconds: number | undefined, date = new Date()): Promise<string> {
  const { publicKey } = await openpgp.generateKey({
    type: "ecc",
    curve: "ed25519Legacy",
    userIDs: [{ name: "ci", email: "ci@serviceaccount.omni.sidero.dev" }],
    format: "armored",
    date,
    ...(seconds === undefined ? {} : { keyExpirationTime: seconds }),
  });
  return publicKey;
}

describe("service-account keys", () => {
  it("names the identity Omni gives an account, infra providers included", () => {
    expect(serviceAccountIdentity("ci")).toBe("ci@serviceaccount.omni.sidero.dev");
    expect(serviceAccountIdentity("infra-provider:aws-1")).toBe(
      "aws-1@infra-provider.serviceaccount.omni.sidero.dev",
    );
    for (const bad of ["", "a b", "x@y", "infra-provider:", "infra-provider:a:b"]) {
      expect(() => serviceAccountIdentity(bad)).toThrow(ValidationError);
    }
  });

  it("does not repeat a rejected name, which may be a key pasted in the wrong place", async () => {
    const { privateKey } = await openpgp.generateKey({
      type: "ecc",
      curve: "ed25519Legacy",
      userIDs: [{ email: "ci@serviceaccount.omni.sidero.dev" }],
      format: "armored",
    });
    const error = (() => {
      try {
        serviceAccountIdentity(privateKey, "options.name");
      } catch (e) {
        return e as ValidationError;
      }
      throw new Error("expected a ValidationError");
    })();
    expect(error.argument).toBe("options.name");
    expect(error.message).toContain("is not a service-account name");
    for (const line of privateKey.split("\n").filter((l) => l.length > 20)) {
      expect(error.message).not.toContain(line);
    }
  });

  it("names a private key given where the public key belongs as such", async () => {
    const { privateKey } = await openpgp.generateKey({
      type: "ecc",
      curve: "ed25519Legacy",
      userIDs: [{ email: "ci@serviceaccount.omni.sidero.dev" }],
      keyExpirationTime: day,
      format: "armored",
    });
    const error = await checkServiceAccountPublicKey(
      privateKey,
      "options.armoredPgpPublicKey",
    ).catch((e) => e);
    expect(error).toBeInstanceOf(KeyError);
    expect((error as KeyError).reason).toBe("not-a-public-key");
    expect((error as KeyError).message).toContain("holds a private key; pass the public key");
  });

  it("generates a key that signs and whose secret stays out of serialised output", async () => {
    const key = await generateServiceAccountKey({ name: "ci", ttlSeconds: 3600 });
    expect(key.identity).toBe("ci@serviceaccount.omni.sidero.dev");
    expect(key.armoredPublicKey).toContain("BEGIN PGP PUBLIC KEY BLOCK");
    expect(key.expiresAt.getTime() - Date.now()).toBeLessThanOrEqual(3600_000);
    const signer = await serviceAccountAuth(key.serviceAccountKey).signer();
    expect(signer.keyId).toBe(key.publicKeyId);
    expect(signer.identity).toBe("ci");
    expect(JSON.stringify(key)).not.toContain(key.serviceAccountKey);
    expect(Object.keys(key)).not.toContain("serviceAccountKey");
    await expect(
      checkServiceAccountPublicKey(key.armoredPublicKey, "key"),
    ).resolves.toBeUndefined();
  });

  it.each([0, -1, 1.5, 365 * day + 1, Number.NaN])(
    "refuses a lifetime of %s seconds before generating anything",
    async (ttlSeconds) => {
      const error = await generateServiceAccountKey({ name: "ci", ttlSeconds }).catch((e) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).argument).toBe("options.ttlSeconds");
    },
  );

  it("applies Omni's lifetime rules to a public key before it is sent", async () => {
    const tooLong = await checkServiceAccountPublicKey(
      await publicKeyLiving(400 * day),
      "options.armoredPgpPublicKey",
    ).catch((e) => e);
    expect(tooLong).toBeInstanceOf(ValidationError);
    expect(tooLong.message).toContain("more than 365 days");

    const forever = await checkServiceAccountPublicKey(await publicKeyLiving(undefined), "k").catch(
      (e) => e,
    );
    expect(forever.message).toContain("never expires");

    const lastYear = new Date(Date.now() - 2 * day * 1000);
    const expired = await checkServiceAccountPublicKey(
      await publicKeyLiving(day, lastYear),
      "k",
    ).catch((e) => e);
    expect(expired).toBeInstanceOf(KeyError);
    expect((expired as KeyError).reason).toBe("expired");

    const garbage = await checkServiceAccountPublicKey("not a key", "k").catch((e) => e);
    expect((garbage as KeyError).reason).toBe("unreadable-key");
  });
});
