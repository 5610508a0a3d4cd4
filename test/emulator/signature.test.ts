import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type OmniEmulator, startOmniEmulator } from "../../src/emulator/index.js";
import { AuthService } from "../../src/gen/omni/auth/auth_pb.js";
import { ManagementService } from "../../src/gen/omni/management/management_pb.js";
import {
  ecdsaTestKey,
  metadataInterceptor,
  protocols,
  rejection,
  serviceAccountSigner,
  signingInterceptor,
  type Tamper,
  type TestSigner,
  transportFor,
} from "./support.js";

let emulator: OmniEmulator;
let pgpSigner: TestSigner;
let ecdsaSigner: TestSigner;

beforeAll(async () => {
  emulator = await startOmniEmulator({ seed: 3 });
  pgpSigner = await serviceAccountSigner(emulator.keys.admin);
  const key = await ecdsaTestKey("admin@example.org");
  const auth = createClient(AuthService, transportFor(emulator, "grpc", []));
  const now = Date.now();
  const registered = await auth.registerPublicKey({
    identity: { email: "admin@example.org" },
    publicKey: {
      plainKey: {
        keyPem: key.pem,
        notBefore: { seconds: BigInt(Math.floor(now / 1000)) },
        notAfter: { seconds: BigInt(Math.floor(now / 1000) + 3600) },
      },
    },
  });
  expect(registered.publicKeyId).toBe(key.signer.keyId);
  emulator.confirmPublicKey(registered.publicKeyId);
  ecdsaSigner = key.signer;
});
afterAll(() => emulator.close());

/**
 * The byte positions a verifier can check. Raw ECDSA signatures are all signature. In an OpenPGP
 * signature packet the bit counts in front of the two MPIs are not signed data, and neither
 * openpgp.js nor Go's OpenPGP reader checks them against the value, so a flip that keeps the
 * byte length passes in Omni too; those four bytes are left out.
 */
function coveredSignatureBytes(signature: Uint8Array): number[] {
  const all = Array.from(signature.keys());
  if (signature.length === 64) {
    return all;
  }
  const headerLength = (signature[1] ?? 0) < 192 ? 2 : 3;
  const hashedStart = headerLength + 4;
  const hashedLength = ((signature[hashedStart] ?? 0) << 8) | (signature[hashedStart + 1] ?? 0);
  const unhashedStart = hashedStart + 2 + hashedLength;
  const unhashedLength =
    ((signature[unhashedStart] ?? 0) << 8) | (signature[unhashedStart + 1] ?? 0);
  const rStart = unhashedStart + 2 + unhashedLength + 2;
  const rBits = ((signature[rStart] ?? 0) << 8) | (signature[rStart + 1] ?? 0);
  const sStart = rStart + 2 + Math.ceil(rBits / 8);
  const bitCounts = new Set([rStart, rStart + 1, sStart, sStart + 1]);
  return all.filter((index) => !bitCounts.has(index));
}

/** A signed Kubeconfig call for `production`, with one thing corrupted. */
function kubeconfigWith(
  signer: TestSigner,
  tamper: Tamper = {},
  protocol: (typeof protocols)[number] = "grpc",
) {
  const client = createClient(
    ManagementService,
    transportFor(emulator, protocol, [
      metadataInterceptor({ context: "production" }),
      signingInterceptor(signer, tamper),
    ]),
  );
  return client.kubeconfig({});
}

async function expectInvalidSignature(call: Promise<unknown>): Promise<void> {
  const error = await rejection(call);
  expect(error.code).toBe(Code.Unauthenticated);
  expect(error.rawMessage).toBe("invalid signature");
}

describe.each([
  ["OpenPGP", () => pgpSigner],
  ["plain ECDSA", () => ecdsaSigner],
])("siderov1 verification with a %s key", (_kind, signer) => {
  it.each(protocols)("accepts a correct signature over %s", async (protocol) => {
    await expect(kubeconfigWith(signer(), {}, protocol)).resolves.toBeDefined();
  });

  it.each(protocols)("rejects a missing signature over %s", async (protocol) => {
    const client = createClient(ManagementService, transportFor(emulator, protocol, []));
    await expectInvalidSignature(client.omniconfig({}));
  });

  it("rejects a timestamp six minutes off, in either direction", async () => {
    await expectInvalidSignature(kubeconfigWith(signer(), { clockOffsetSeconds: 6 * 60 }));
    await expectInvalidSignature(kubeconfigWith(signer(), { clockOffsetSeconds: -6 * 60 }));
    await expect(kubeconfigWith(signer(), { clockOffsetSeconds: -4 * 60 })).resolves.toBeDefined();
  });

  it("rejects a payload signed for another method", async () => {
    await expectInvalidSignature(
      kubeconfigWith(signer(), { payloadMethod: "/management.ManagementService/Talosconfig" }),
    );
  });

  it.each(["x-sidero-timestamp", "context", "x-sidero-payload"])(
    "rejects a call whose %s header changed after signing",
    async (name) => {
      await expectInvalidSignature(
        kubeconfigWith(signer(), {
          sent: (header) => {
            const value = header.get(name) ?? "";
            header.set(
              name,
              name === "x-sidero-timestamp"
                ? String(Number(value) - 1)
                : name === "context"
                  ? "staging"
                  : value.replace("production", "staging"),
            );
          },
        }),
      );
    },
  );

  it.each(["runtime", "cluster", "nodes", "selectors", "namespace", "uid", "authorization"])(
    "rejects a call that adds an unsigned %s header",
    async (name) => {
      await expectInvalidSignature(
        kubeconfigWith(signer(), { sent: (header) => header.set(name, "extra") }),
      );
    },
  );

  it("rejects an empty list where the header is absent, and accepts null", async () => {
    await expectInvalidSignature(
      kubeconfigWith(signer(), { payloadHeaders: (headers) => ({ ...headers, runtime: [] }) }),
    );
    await expect(
      kubeconfigWith(signer(), { payloadHeaders: (headers) => ({ ...headers, runtime: null }) }),
    ).resolves.toBeDefined();
  });

  it("treats fieldSelectors as Omni does: only null or absent passes", async () => {
    await expectInvalidSignature(
      kubeconfigWith(signer(), {
        payloadHeaders: (headers) => ({ ...headers, fieldSelectors: ["a=b"] }),
      }),
    );
  });

  it("rejects a payload with a header entry Omni cannot decode, even an unsigned one", async () => {
    await expectInvalidSignature(
      kubeconfigWith(signer(), { payloadHeaders: (headers) => ({ ...headers, extra: "x" }) }),
    );
    await expectInvalidSignature(
      kubeconfigWith(signer(), { payloadHeaders: (headers) => ({ ...headers, extra: [1] }) }),
    );
  });

  it("accepts a timestamp with a leading plus sign, as Go's ParseInt does", async () => {
    const plus = (value: unknown) => (Array.isArray(value) ? [`+${String(value[0])}`] : value);
    await expect(
      kubeconfigWith(signer(), {
        payloadHeaders: (headers) => ({
          ...headers,
          "x-sidero-timestamp": plus(headers["x-sidero-timestamp"]),
        }),
        sent: (header) =>
          header.set("x-sidero-timestamp", `+${header.get("x-sidero-timestamp") ?? ""}`),
      }),
    ).resolves.toBeDefined();
  });

  it("rejects an unknown key id", async () => {
    await expectInvalidSignature(kubeconfigWith(signer(), { keyId: "0".repeat(40) }));
  });

  it("ignores the identity field, as Omni does", async () => {
    await expect(kubeconfigWith({ ...signer(), identity: "someone-else" })).resolves.toBeDefined();
  });

  it("rejects every single-byte change of the signature", async () => {
    // Each call signs afresh, and MPI lengths vary between signatures, so the k-th checked byte
    // is looked up in the signature actually sent; the loop ends when k runs past its end.
    let checked = 0;
    for (let k = 0; ; k++) {
      let flipped = false;
      const outcome = await kubeconfigWith(signer(), {
        signature: (signature) => {
          const index = coveredSignatureBytes(signature)[k];
          if (index === undefined) {
            return signature;
          }
          flipped = true;
          const copy = signature.slice();
          copy[index] = (copy[index] ?? 0) ^ 0x01;
          return copy;
        },
      }).then(
        () => undefined,
        (error: unknown) => ConnectError.from(error),
      );
      if (!flipped) {
        expect(outcome).toBeUndefined();
        break;
      }
      expect(outcome?.rawMessage).toBe("invalid signature");
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(64);
  });

  it("rejects a truncated or extended signature", async () => {
    await expectInvalidSignature(
      kubeconfigWith(signer(), { signature: (signature) => signature.subarray(1) }),
    );
    await expectInvalidSignature(
      kubeconfigWith(signer(), { signature: (signature) => Uint8Array.from([...signature, 0]) }),
    );
  });
});

describe("signature header shape", () => {
  it.each([
    ["a wrong version", "siderov2 a b c"],
    ["three fields", "siderov1 a b"],
    ["five fields", "siderov1 a b c d"],
    ["a signature that is not base64", "siderov1 a b !!!"],
  ])("rejects %s", async (_name, value) => {
    await expectInvalidSignature(
      kubeconfigWith(pgpSigner, { sent: (header) => header.set("x-sidero-signature", value) }),
    );
  });

  it("treats an empty signature header as none, as Omni does", async () => {
    const auth = createClient(
      AuthService,
      transportFor(emulator, "grpc", [
        (next) => async (req) => {
          req.header.set("x-sidero-signature", "");
          return next(req);
        },
      ]),
    );
    await expect(
      auth.awaitPublicKeyConfirmation({ publicKeyId: ecdsaSigner.keyId }),
    ).resolves.toBeDefined();
    await expectInvalidSignature(
      kubeconfigWith(pgpSigner, { sent: (header) => header.set("x-sidero-signature", "") }),
    );
  });

  it("rejects a payload that is not JSON", async () => {
    await expectInvalidSignature(
      kubeconfigWith(pgpSigner, { sent: (header) => header.set("x-sidero-payload", "{") }),
    );
  });
});

describe("keys that cannot sign", () => {
  it("rejects a registered but unconfirmed key", async () => {
    const key = await ecdsaTestKey("admin@example.org");
    const auth = createClient(AuthService, transportFor(emulator, "grpc", []));
    const now = Math.floor(Date.now() / 1000);
    await auth.registerPublicKey({
      identity: { email: "admin@example.org" },
      publicKey: {
        plainKey: {
          keyPem: key.pem,
          notBefore: { seconds: BigInt(now) },
          notAfter: { seconds: BigInt(now + 600) },
        },
      },
    });
    await expectInvalidSignature(kubeconfigWith(key.signer));
  });

  it("rejects the key of a deleted user", async () => {
    emulator.addUser("gone@example.org", "Admin");
    const key = await ecdsaTestKey("gone@example.org");
    const auth = createClient(AuthService, transportFor(emulator, "grpc", []));
    const now = Math.floor(Date.now() / 1000);
    const { publicKeyId } = await auth.registerPublicKey({
      identity: { email: "gone@example.org" },
      publicKey: {
        plainKey: {
          keyPem: key.pem,
          notBefore: { seconds: BigInt(now) },
          notAfter: { seconds: BigInt(now + 600) },
        },
      },
    });
    emulator.confirmPublicKey(publicKeyId);
    await expect(kubeconfigWith(key.signer)).resolves.toBeDefined();
    const admin = createClient(
      ManagementService,
      transportFor(emulator, "grpc", [signingInterceptor(pgpSigner)]),
    );
    // Like Omni v1.9.3: the login key belongs to the KeyPrunerController, so DestroyUser answers
    // PermissionDenied naming it, yet removes the user, and the key signs no more.
    const destroyed = await rejection(admin.destroyUser({ email: "gone@example.org" }));
    expect(destroyed.code).toBe(Code.PermissionDenied);
    expect(destroyed.rawMessage).toBe(
      `1 error occurred:\n\t* failed to update: resource PublicKeys.omni.sidero.dev(default/${publicKeyId}@2) is owned by "KeyPrunerController"\n\n`,
    );
    expect(emulator.users().map((user) => user.email)).not.toContain("gone@example.org");
    await expectInvalidSignature(kubeconfigWith(key.signer));
  });
});
