import { beforeAll, describe, expect, it } from "vitest";
import { serviceAccountAuth } from "../../src/auth/service-account.js";
import { KeyError, type KeyErrorReason } from "../../src/errors.js";
import { generatePgpKey, gpgVerify, serviceAccountKey } from "./support.js";

let key: Awaited<ReturnType<typeof generatePgpKey>>;

beforeAll(async () => {
  key = await generatePgpKey({ email: "ci@serviceaccount.omni.sidero.dev" });
});

function expectKeyError(run: () => unknown, reason: KeyErrorReason, message: RegExp): KeyError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(KeyError);
    const keyError = error as KeyError;
    expect(keyError.reason).toBe(reason);
    expect(keyError.message).toMatch(message);
    const shown = `${keyError.message}${JSON.stringify(keyError)}${keyError.stack ?? ""}`;
    for (const line of key.privateKey
      .split("\n")
      .filter((l) => l.length > 20 && !l.startsWith("-----"))) {
      expect(shown).not.toContain(line);
    }
    return keyError;
  }
  throw new Error("expected a KeyError");
}

describe("serviceAccountAuth", () => {
  it("signs as the account name with the key from the JSON", async () => {
    const auth = serviceAccountAuth(serviceAccountKey({ name: "ci", pgp_key: key.privateKey }));
    expect(auth.kind).toBe("service-account");
    expect(auth.identity).toBe("ci");
    const signer = await auth.signer();
    expect(signer.identity).toBe("ci");
    expect(signer.keyId).toMatch(/^[0-9a-f]{40}$/);
    const data = new TextEncoder().encode("payload");
    expect(await gpgVerify(key.publicKey, data, await signer.sign(data))).toBe(true);
  });

  it("accepts line breaks and surrounding whitespace in the base64 text", async () => {
    const encoded = serviceAccountKey({ name: "infra-provider:aws-1", pgp_key: key.privateKey });
    const wrapped = `${encoded.replace(/(.{76})/g, "$1\n")}\n`;
    expect(serviceAccountAuth(wrapped).identity).toBe("infra-provider:aws-1");
  });

  it("never shows the key in JSON or strings", () => {
    const auth = serviceAccountAuth(serviceAccountKey({ name: "ci", pgp_key: key.privateKey }));
    expect(JSON.parse(JSON.stringify(auth))).toEqual({ kind: "service-account", identity: "ci" });
    expect(String(auth)).not.toContain("PRIVATE");
  });

  it("rejects text that is not base64", () => {
    expectKeyError(
      () => serviceAccountAuth("not base64!"),
      "not-base64",
      /serviceAccountKey: is not valid standard \(padded\) base64/,
    );
    expectKeyError(() => serviceAccountAuth(""), "not-base64", /must be a non-empty base64 string/);
  });

  it("rejects base64 that is not JSON, without quoting the decoded text", () => {
    const notJson = Buffer.from(`name=ci ${key.privateKey}`).toString("base64");
    expectKeyError(
      () => serviceAccountAuth(notJson),
      "not-json",
      /^\[InvalidArgument\] serviceAccountKey: does not decode to a JSON document$/,
    );
    expectKeyError(
      () => serviceAccountAuth(serviceAccountKey(["ci"])),
      "not-json",
      /must decode to a JSON object/,
    );
  });

  it("rejects JSON without a name", () => {
    expectKeyError(
      () => serviceAccountAuth(serviceAccountKey({ pgp_key: key.privateKey })),
      "missing-name",
      /has no "name" string/,
    );
  });

  it("rejects JSON without a pgp_key", () => {
    expectKeyError(
      () => serviceAccountAuth(serviceAccountKey({ name: "ci" })),
      "missing-pgp-key",
      /has no "pgp_key" string/,
    );
  });

  it("rejects a public key in pgp_key", () => {
    const error = expectKeyError(
      () => serviceAccountAuth(serviceAccountKey({ name: "ci", pgp_key: key.publicKey })),
      "not-a-private-key",
      /serviceAccountKey.pgp_key: is an OpenPGP public key/,
    );
    expect(error.argument).toBe("serviceAccountKey.pgp_key");
  });

  it("rejects a name with a space, without repeating the name", () => {
    const error = expectKeyError(
      () => serviceAccountAuth(serviceAccountKey({ name: "my ci", pgp_key: key.privateKey })),
      "invalid-identity",
      /serviceAccountKey.name: contains whitespace/,
    );
    expect(error.message).not.toContain("my ci");
  });

  it("reports the account's signer with the service-account kind, like the auth", async () => {
    const auth = serviceAccountAuth(serviceAccountKey({ name: "ci", pgp_key: key.privateKey }));
    const signer = await auth.signer();
    expect(JSON.parse(JSON.stringify(auth)).kind).toBe("service-account");
    expect(JSON.parse(JSON.stringify(signer))).toEqual({
      kind: "service-account",
      identity: "ci",
      keyId: signer.keyId,
    });
  });

  it("rejects an encrypted key, which Omni never issues, when signing starts", async () => {
    const encrypted = await generatePgpKey({ passphrase: "pw" });
    const auth = serviceAccountAuth(
      serviceAccountKey({ name: "ci", pgp_key: encrypted.privateKey }),
    );
    await expect(auth.signer()).rejects.toMatchObject({
      name: "KeyError",
      reason: "passphrase-required",
      argument: "serviceAccountKey.pgp_key",
    });
  });

  it("rejects an expired key when signing starts, saying when it expired", async () => {
    const expired = await generatePgpKey({
      date: new Date(Date.now() - 7200_000),
      keyExpirationTime: 60,
    });
    const auth = serviceAccountAuth(serviceAccountKey({ name: "ci", pgp_key: expired.privateKey }));
    await expect(auth.signer()).rejects.toThrow(
      /serviceAccountKey.pgp_key: the OpenPGP key expired at \d{4}-\d\d-\d\dT/,
    );
  });
});
