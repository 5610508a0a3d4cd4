import { Code, createClient } from "@connectrpc/connect";
import * as openpgp from "openpgp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type OmniEmulator, startOmniEmulator } from "../../src/emulator/index.js";
import { AuthService } from "../../src/gen/omni/auth/auth_pb.js";
import { ManagementService } from "../../src/gen/omni/management/management_pb.js";
import {
  ecdsaTestKey,
  metadataInterceptor,
  protocols,
  rejection,
  signingInterceptor,
  type TestSigner,
  transportFor,
} from "./support.js";

let emulator: OmniEmulator;

beforeAll(async () => {
  emulator = await startOmniEmulator({
    users: [{ email: "reader@example.org", role: "Reader" }],
    timings: { publicKeyConfirmationTimeoutMs: 200 },
  });
});
afterAll(() => emulator.close());

function plainKey(pem: string, lifetimeSeconds = 3600, startOffsetSeconds = 0) {
  const start = Math.floor(Date.now() / 1000) + startOffsetSeconds;
  return {
    plainKey: {
      keyPem: pem,
      notBefore: { seconds: BigInt(start) },
      notAfter: { seconds: BigInt(start + lifetimeSeconds) },
    },
  };
}

async function pgpUserKey(email: string, lifetimeSeconds: number) {
  const { privateKey, publicKey } = await openpgp.generateKey({
    type: "ecc",
    curve: "ed25519Legacy",
    userIDs: [{ name: "cli", email }],
    keyExpirationTime: lifetimeSeconds,
    format: "object",
  });
  const signer: TestSigner = {
    identity: email,
    keyId: privateKey.getFingerprint(),
    async sign(payload) {
      return (await openpgp.sign({
        message: await openpgp.createMessage({ binary: payload }),
        signingKeys: privateKey,
        detached: true,
        format: "binary",
      })) as Uint8Array;
    },
  };
  return { signer, armored: publicKey.armor() };
}

describe.each(protocols)("the key-registration flow over %s", (protocol) => {
  it("registers a plain key, confirms it on the grant page, then signs with it", async () => {
    const auth = createClient(AuthService, transportFor(emulator, protocol, []));
    const key = await ecdsaTestKey("admin@example.org");
    const registered = await auth.registerPublicKey({
      identity: { email: "Admin@Example.org" },
      publicKey: plainKey(key.pem),
    });
    expect(registered.publicKeyId).toBe(key.signer.keyId);
    expect(registered.loginUrl).toBe(emulator.grantAccessUrl(registered.publicKeyId));

    const waiting = createClient(
      AuthService,
      transportFor(emulator, protocol, []),
    ).awaitPublicKeyConfirmation({ publicKeyId: registered.publicKeyId }, { timeoutMs: 5000 });
    const page = await fetch(registered.loginUrl);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("admin@example.org");
    const granted = await fetch(new URL("/authenticate", emulator.gatewayUrl), {
      method: "POST",
      body: new URLSearchParams({ "public-key-id": registered.publicKeyId }),
    });
    expect(await granted.text()).toContain("Access granted");
    await waiting;

    const management = createClient(
      ManagementService,
      transportFor(emulator, protocol, [
        metadataInterceptor({ context: "production" }),
        signingInterceptor(key.signer),
      ]),
    );
    await expect(management.kubeconfig({})).resolves.toBeDefined();

    const signedAuth = createClient(
      AuthService,
      transportFor(emulator, protocol, [signingInterceptor(key.signer)]),
    );
    await signedAuth.revokePublicKey({ publicKeyId: registered.publicKeyId });
    expect((await rejection(management.kubeconfig({}))).rawMessage).toBe("invalid signature");
  });
});

describe("AuthService rules", () => {
  const auth = () => createClient(AuthService, transportFor(emulator, "grpc", []));

  it("confirms a PGP key with an ID token and gives it min(user role, key role)", async () => {
    const { signer, armored } = await pgpUserKey("reader@example.org", 4 * 3600);
    const { publicKeyId } = await auth().registerPublicKey({
      identity: { email: "reader@example.org" },
      publicKey: { pgpData: new TextEncoder().encode(armored) },
      role: "Admin",
      skipUserRole: true,
    });
    expect(publicKeyId).toBe(signer.keyId);
    const missingToken = await rejection(auth().confirmPublicKey({ publicKeyId }));
    expect(missingToken.code).toBe(Code.Unauthenticated);
    const wrongUser = await rejection(
      auth().confirmPublicKey(
        { publicKeyId },
        { headers: { authorization: `Bearer ${emulator.idToken("admin@example.org")}` } },
      ),
    );
    // Omni answers another user's token with a plain error, which gRPC sends as Unknown.
    expect(wrongUser.code).toBe(Code.Unknown);
    expect(wrongUser.rawMessage).toBe("public key <> id mismatch");
    await auth().confirmPublicKey(
      { publicKeyId },
      { headers: { authorization: `Bearer ${emulator.idToken("reader@example.org")}` } },
    );
    await auth().awaitPublicKeyConfirmation({ publicKeyId });
    const management = createClient(
      ManagementService,
      transportFor(emulator, "grpc", [signingInterceptor(signer)]),
    );
    await expect(management.omniconfig({})).resolves.toBeDefined();
    const denied = await rejection(management.listUsers({}));
    expect(denied.code).toBe(Code.PermissionDenied);
    expect(denied.rawMessage).toBe('unauthorized: access denied: insufficient role: "Reader"');
  });

  it("answers an unknown identity like a known one but stores nothing", async () => {
    const key = await ecdsaTestKey("stranger@example.org");
    const registered = await auth().registerPublicKey({
      identity: { email: "stranger@example.org" },
      publicKey: plainKey(key.pem),
    });
    expect(registered.publicKeyId).toBe(key.signer.keyId);
    const error = await rejection(
      auth().awaitPublicKeyConfirmation({ publicKeyId: registered.publicKeyId }),
    );
    expect(error.code).toBe(Code.DeadlineExceeded);
    expect(() => emulator.confirmPublicKey(registered.publicKeyId)).toThrow(/publicKeyId/);
  });

  it("answers an empty e-mail, and an unknown one with a bad role, like any unknown identity", async () => {
    const key = await ecdsaTestKey("stranger@example.org");
    const noEmail = await auth().registerPublicKey({
      identity: { email: "" },
      publicKey: plainKey(key.pem),
    });
    expect(noEmail.publicKeyId).toBe(key.signer.keyId);
    const badRole = await auth().registerPublicKey({
      identity: { email: "stranger@example.org" },
      publicKey: plainKey(key.pem),
      role: "Boss",
      skipUserRole: true,
    });
    expect(badRole.publicKeyId).toBe(key.signer.keyId);
    expect(() => emulator.confirmPublicKey(key.signer.keyId)).toThrow(/publicKeyId/);
  });

  it.each([
    [
      "a lifetime over 8 hours",
      (pem: string) => plainKey(pem, 9 * 3600),
      Code.InvalidArgument,
      "public key expiration time exceeds max allowed lifetime",
    ],
    [
      "a start more than 5 minutes ahead",
      (pem: string) => plainKey(pem, 3600, 600),
      Code.InvalidArgument,
      "public key 'not_before' > now",
    ],
    [
      "an expired window",
      (pem: string) => plainKey(pem, 60, -3600),
      Code.InvalidArgument,
      "public key is expired",
    ],
    // Omni passes the PEM parser's plain error on: code Unknown.
    [
      "a key that is not PEM",
      () => plainKey("not a key"),
      Code.Unknown,
      "failed to decode PEM block containing public key",
    ],
  ])("rejects a plain key with %s", async (_name, build, code, message) => {
    const key = await ecdsaTestKey("admin@example.org");
    const error = await rejection(
      auth().registerPublicKey({
        identity: { email: "admin@example.org" },
        publicKey: build(key.pem),
      }),
    );
    expect(error.code).toBe(code);
    expect(error.rawMessage).toBe(message);
  });

  it("rejects a PGP key living longer than 8 hours, a request without key, and webauthn", async () => {
    const { armored } = await pgpUserKey("admin@example.org", 24 * 3600);
    const tooLong = await rejection(
      auth().registerPublicKey({
        identity: { email: "admin@example.org" },
        publicKey: { pgpData: new TextEncoder().encode(armored) },
      }),
    );
    // go-api-signature's plain error, which gRPC sends as Unknown (as real Omni v1.9.3 does).
    expect(tooLong.code).toBe(Code.Unknown);
    expect(tooLong.rawMessage).toBe("key lifetime is too long: 24h0m0s");
    const noKey = await rejection(
      auth().registerPublicKey({ identity: { email: "admin@example.org" } }),
    );
    expect(noKey.code).toBe(Code.InvalidArgument);
    expect(noKey.rawMessage).toBe("no public key data provided");
    const webauthn = await rejection(
      auth().registerPublicKey({
        identity: { email: "admin@example.org" },
        publicKey: { webauthnData: new Uint8Array([1]) },
      }),
    );
    expect(webauthn.code).toBe(Code.Unimplemented);
  });

  it("answers ConfirmPublicKey failures with Omni's codes and messages", async () => {
    const bearer = (email: string) => ({
      headers: { authorization: `Bearer ${emulator.idToken(email)}` },
    });
    const noId = await rejection(
      auth().confirmPublicKey({ publicKeyId: "" }, bearer("admin@example.org")),
    );
    expect(noId.code).toBe(Code.InvalidArgument);
    expect(noId.rawMessage).toBe("public key id is required");
    const unknownKey = await rejection(
      auth().confirmPublicKey({ publicKeyId: "no-such-key" }, bearer("admin@example.org")),
    );
    expect(unknownKey.code).toBe(Code.PermissionDenied);
    expect(unknownKey.rawMessage).toBe("permission denied");
    const stranger = await rejection(
      auth().confirmPublicKey({ publicKeyId: "no-such-key" }, bearer("nobody@example.org")),
    );
    expect(stranger.code).toBe(Code.PermissionDenied);
    expect(stranger.rawMessage).toBe(
      'The identity "nobody@example.org" is not authorized for this instance',
    );
  });

  it("revokes only the caller's own keys, and only when signed", async () => {
    const own = await ecdsaTestKey("admin@example.org");
    const other = await ecdsaTestKey("reader@example.org");
    for (const [email, key] of [
      ["admin@example.org", own],
      ["reader@example.org", other],
    ] as const) {
      const { publicKeyId } = await auth().registerPublicKey({
        identity: { email },
        publicKey: plainKey(key.pem),
      });
      emulator.confirmPublicKey(publicKeyId);
    }
    expect(
      (await rejection(auth().revokePublicKey({ publicKeyId: own.signer.keyId }))).rawMessage,
    ).toBe("invalid signature");
    const signed = createClient(
      AuthService,
      transportFor(emulator, "grpc", [signingInterceptor(own.signer)]),
    );
    const foreign = await rejection(signed.revokePublicKey({ publicKeyId: other.signer.keyId }));
    expect(foreign.code).toBe(Code.PermissionDenied);
    expect(foreign.rawMessage).toBe("permission denied");
    await signed.revokePublicKey({ publicKeyId: own.signer.keyId });
  });
});
