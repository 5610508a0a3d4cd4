import { Code } from "@connectrpc/connect";
import * as openpgp from "openpgp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  Clusters,
  DeadlineExceededError,
  ecdsaAuth,
  generateEcdsaKey,
  OmniError,
  PermissionDeniedError,
  pgpAuth,
  UnauthenticatedError,
} from "../../src/index.js";
import {
  adminClient,
  createUser,
  expectOmniError,
  identityOf,
  loginWithEcdsa,
  removeUser,
  type UserKey,
} from "./auth-support.js";
import {
  failure,
  idTokenFor,
  realClient,
  realOmni,
  transportNames,
  uniqueName,
} from "./harness.js";

// Keys that outlive their test are revoked at the end, so Omni can destroy their users.
const keysToRevoke: UserKey[] = [];
let readerEmail: string;
beforeAll(async () => {
  readerEmail = await createUser("Reader", "login");
});
afterAll(async () => {
  await removeUser(
    readerEmail,
    keysToRevoke.filter((key) => key.email === readerEmail),
  );
  for (const key of keysToRevoke.filter((each) => each.email !== readerEmail)) {
    await realClient("native gRPC", { auth: key.auth }).auth.revokePublicKey(key.publicKeyId);
  }
});

/** A user PGP key as omnictl makes one: Ed25519, the email as user ID, a 4-hour lifetime. */
async function userPgpKey(email: string, lifetimeSeconds = 4 * 3600) {
  return openpgp.generateKey({
    type: "ecc",
    curve: "ed25519Legacy",
    userIDs: [{ email }],
    keyExpirationTime: lifetimeSeconds,
    format: "armored",
  });
}

function loginUrlFor(publicKeyId: string): string {
  // Omni advertises its API URL as https even when it listens on plain HTTP.
  const { port } = new URL(realOmni().endpoint);
  return `https://127.0.0.1:${port}/authenticate?flow=cli&public-key-id=${encodeURIComponent(publicKeyId)}`;
}

describe.each(transportNames)("the login flow against real Omni over %s", (transport) => {
  it("registers an ECDSA key, confirms it with the user's ID token, awaits it, then signs", async () => {
    const key = await generateEcdsaKey();
    // A read-only dashboard logs in the same way: registering is not stopped by readOnly.
    const anonymous = realClient(transport, { auth: null, readOnly: true });
    const registered = await anonymous.auth.registerPublicKey({
      identity: readerEmail,
      ecdsaKey: key,
    });
    expect(registered).toEqual({
      publicKeyId: key.publicKeyId,
      loginUrl: loginUrlFor(key.publicKeyId),
    });
    const userKey = {
      email: readerEmail,
      publicKeyId: key.publicKeyId,
      auth: ecdsaAuth({ identity: readerEmail, ...key }),
    };
    const signed = realClient(transport, { auth: userKey.auth });
    expectOmniError(
      await failure(signed.resources.listAll(Clusters)),
      UnauthenticatedError,
      Code.Unauthenticated,
      "invalid signature",
    );

    const confirmed = anonymous.auth.awaitPublicKeyConfirmation(key.publicKeyId, {
      timeoutMs: 20_000,
    });
    await anonymous.auth.confirmPublicKey(key.publicKeyId, {
      idToken: await idTokenFor(readerEmail),
    });
    await confirmed;
    // Awaiting a key that is already confirmed returns at once.
    await anonymous.auth.awaitPublicKeyConfirmation(key.publicKeyId, { timeoutMs: 5_000 });

    expect(await identityOf(signed)).toBe(readerEmail);
    expect(Array.isArray(await signed.resources.listAll(Clusters))).toBe(true);
    expectOmniError(
      await failure(signed.management.listUsers()),
      PermissionDeniedError,
      Code.PermissionDenied,
      'unauthorized: access denied: insufficient role: "Reader"',
    );

    // Logging out: the key revokes itself and signs nothing afterwards.
    await signed.auth.revokePublicKey(key.publicKeyId);
    expectOmniError(
      await failure(signed.management.omniconfig()),
      UnauthenticatedError,
      Code.Unauthenticated,
      "invalid signature",
    );
  });

  it("registers a PGP user key of the Admin user, which then signs as an Admin", async () => {
    const email = realOmni().adminUser;
    const { privateKey, publicKey } = await userPgpKey(email);
    const anonymous = realClient(transport, { auth: null });
    const registered = await anonymous.auth.registerPublicKey({
      identity: email,
      pgpPublicKey: publicKey,
    });
    const fingerprint = (await openpgp.readKey({ armoredKey: publicKey })).getFingerprint();
    expect(registered).toEqual({ publicKeyId: fingerprint, loginUrl: loginUrlFor(fingerprint) });
    const confirmed = anonymous.auth.awaitPublicKeyConfirmation(fingerprint, {
      timeoutMs: 20_000,
    });
    await anonymous.auth.confirmPublicKey(fingerprint, { idToken: await idTokenFor(email) });
    await confirmed;
    const auth = pgpAuth({ identity: email, armoredPrivateKey: privateKey });
    keysToRevoke.push({ email, publicKeyId: fingerprint, auth });
    const signed = realClient(transport, { auth });
    expect(await identityOf(signed)).toBe(email);
    expect((await signed.management.listUsers()).map((user) => user.email)).toContain(email);
  });

  it("gives each bad confirmation its exact error", async () => {
    const key = await generateEcdsaKey();
    const anonymous = realClient(transport, { auth: null });
    await anonymous.auth.registerPublicKey({ identity: readerEmail, ecdsaKey: key });
    const confirmWith = async (idToken: string, publicKeyId = key.publicKeyId) =>
      failure(anonymous.auth.confirmPublicKey(publicKeyId, { idToken }));

    expectOmniError(
      await confirmWith("not.a.jwt"),
      UnauthenticatedError,
      Code.Unauthenticated,
      "invalid jwt",
    );
    expectOmniError(
      await confirmWith(await idTokenFor(readerEmail, { emailVerified: false })),
      UnauthenticatedError,
      Code.Unauthenticated,
      `Email address "${readerEmail}" is not verified. Please check your email for a message to verify it, then click "Log In" again.`,
    );
    // Another known user's token: a plain error in Omni, so gRPC's Unknown.
    expectOmniError(
      await confirmWith(await idTokenFor(realOmni().adminUser)),
      OmniError,
      Code.Unknown,
      "public key <> id mismatch",
    );
    const stranger = `${uniqueName("stranger")}@example.org`;
    expectOmniError(
      await confirmWith(await idTokenFor(stranger)),
      PermissionDeniedError,
      Code.PermissionDenied,
      `The identity "${stranger}" is not authorized for this instance`,
    );
    const unknownKey = await generateEcdsaKey();
    expectOmniError(
      await confirmWith(await idTokenFor(readerEmail), unknownKey.publicKeyId),
      PermissionDeniedError,
      Code.PermissionDenied,
      "permission denied",
    );
    // None of them confirmed the key.
    const signed = realClient(transport, { auth: ecdsaAuth({ identity: readerEmail, ...key }) });
    expect((await failure(signed.management.omniconfig())).code).toBe(Code.Unauthenticated);
  });

  it("answers a key of an unknown identity like any other, but stores nothing", async () => {
    const key = await generateEcdsaKey();
    const anonymous = realClient(transport, { auth: null });
    const registered = await anonymous.auth.registerPublicKey({
      identity: `${uniqueName("nobody")}@example.org`,
      ecdsaKey: key,
    });
    expect(registered.publicKeyId).toBe(key.publicKeyId);
    expectOmniError(
      await failure(
        anonymous.auth.confirmPublicKey(key.publicKeyId, {
          idToken: await idTokenFor(realOmni().adminUser),
        }),
      ),
      PermissionDeniedError,
      Code.PermissionDenied,
      "permission denied",
    );
    // Omni would wait its full five minutes for a key that does not exist.
    expect(
      await failure(
        anonymous.auth.awaitPublicKeyConfirmation(key.publicKeyId, { timeoutMs: 1_500 }),
      ),
    ).toBeInstanceOf(DeadlineExceededError);
  });

  it("refuses keys Omni's rules forbid with Unknown, not InvalidArgument", async () => {
    const anonymous = realClient(transport, { auth: null });
    const tooLong = await userPgpKey(readerEmail, 24 * 3600);
    expectOmniError(
      await failure(
        anonymous.auth.registerPublicKey({
          identity: readerEmail,
          pgpPublicKey: tooLong.publicKey,
        }),
      ),
      OmniError,
      Code.Unknown,
      "key lifetime is too long: 24h0m0s",
    );
  });

  it("lets a user revoke only its own keys", async () => {
    const own = await loginWithEcdsa(readerEmail);
    keysToRevoke.push(own);
    const signed = realClient(transport, { auth: own.auth });
    const admin = adminClient();
    const serviceAccount = (await admin.management.listServiceAccounts()).find(
      (account) => account.name === realOmni().serviceAccountName,
    );
    const foreignKeyId = serviceAccount?.publicKeys[0]?.id ?? "";
    expectOmniError(
      await failure(signed.auth.revokePublicKey(foreignKeyId)),
      PermissionDeniedError,
      Code.PermissionDenied,
      "permission denied",
    );
    const missing = "0".repeat(40);
    // A missing key is Unknown with COSI's text, not NotFound.
    expectOmniError(
      await failure(signed.auth.revokePublicKey(missing)),
      OmniError,
      Code.Unknown,
      `failed to get: resource PublicKeys.omni.sidero.dev(default/${missing}@undefined) doesn't exist`,
    );
    expect(await identityOf(realClient(transport))).toBe(
      `${realOmni().serviceAccountName}@serviceaccount.omni.sidero.dev`,
    );
  });
});
