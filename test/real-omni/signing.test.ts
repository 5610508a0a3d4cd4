import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  Clusters,
  createOmniClient,
  createSigningInterceptor,
  ecdsaAuth,
  generateEcdsaKey,
  generateServiceAccountKey,
  type OmniAuth,
  serviceAccountAuth,
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
  realClient,
  realOmni,
  type TransportName,
  transportNames,
  transportTo,
  uniqueName,
} from "./harness.js";

const invalidSignature = "invalid signature";
const minute = 60_000;

// One confirmed Reader key serves every transport: keys belong to Omni, not to a connection.
let reader: UserKey;
beforeAll(async () => {
  reader = await loginWithEcdsa(await createUser("Reader", "signing"));
});
afterAll(async () => {
  await removeUser(reader.email, [reader]);
});

/** An auth that claims `keyId` (and `identity`) but signs with whatever `sign` gives. */
function forgedAuth(
  keyId: string,
  sign: (payload: Uint8Array) => Promise<Uint8Array>,
  identity = reader.email,
): OmniAuth {
  return { kind: "ecdsa", identity, signer: async () => ({ identity, keyId, sign }) };
}

describe.each(transportNames)("request signing against real Omni over %s", (transport) => {
  it("signs with the initial service-account key", async () => {
    const omni = realClient(transport);
    expect(await identityOf(omni)).toBe(
      `${realOmni().serviceAccountName}@serviceaccount.omni.sidero.dev`,
    );
    expect(Array.isArray(await omni.resources.listAll(Clusters))).toBe(true);
  });

  it("answers unsigned calls Unauthenticated 'invalid signature', RevokePublicKey included", async () => {
    const unsigned = realClient(transport, { auth: null });
    for (const call of [
      () => unsigned.management.omniconfig(),
      () => unsigned.management.listServiceAccounts(),
      () => unsigned.resources.listAll(Clusters),
      () => unsigned.auth.revokePublicKey(reader.publicKeyId),
    ]) {
      // Omni's own answer, followed by the SDK's hint that this client signs nothing.
      expectOmniError(
        await failure(call),
        UnauthenticatedError,
        Code.Unauthenticated,
        `${invalidSignature} (this client has no auth, so its calls go unsigned: pass auth: serviceAccountAuth(...), pgpAuth(...) or ecdsaAuth(...))`,
      );
    }
  });

  it("refuses a key Omni never saw", async () => {
    const key = await generateEcdsaKey();
    const stranger = realClient(transport, {
      auth: ecdsaAuth({ identity: reader.email, ...key }),
    });
    expectOmniError(
      await failure(stranger.resources.listAll(Clusters)),
      UnauthenticatedError,
      Code.Unauthenticated,
      invalidSignature,
    );
  });

  it("refuses a confirmed key's id with a bad signature or another key's signature", async () => {
    const garbage = realClient(transport, {
      auth: forgedAuth(reader.publicKeyId, async () => crypto.getRandomValues(new Uint8Array(64))),
    });
    expectOmniError(
      await failure(garbage.resources.listAll(Clusters)),
      UnauthenticatedError,
      Code.Unauthenticated,
      invalidSignature,
    );
    const other = await generateEcdsaKey();
    const otherSigner = await ecdsaAuth({ identity: reader.email, ...other }).signer();
    const impostor = realClient(transport, {
      auth: forgedAuth(reader.publicKeyId, (payload) => otherSigner.sign(payload)),
    });
    expectOmniError(
      await failure(impostor.management.omniconfig()),
      UnauthenticatedError,
      Code.Unauthenticated,
      invalidSignature,
    );
  });

  it("ignores the identity in the signature header: the key alone says who calls", async () => {
    const signer = await reader.auth.signer();
    for (const claimed of [realOmni().adminUser, "nobody-at-all"]) {
      const mislabelled = realClient(transport, {
        auth: forgedAuth(reader.publicKeyId, (payload) => signer.sign(payload), claimed),
      });
      expect(await identityOf(mislabelled)).toBe(reader.email);
      // The Reader key stays a Reader whoever it claims to be.
      expect((await failure(mislabelled.management.listUsers())).code).toBe(Code.PermissionDenied);
    }
  });

  it("accepts timestamps within ±5 minutes of its clock and refuses those beyond", async () => {
    const skewed = (offsetMs: number) => clientWithClock(transport, reader.auth, offsetMs);
    for (const offset of [-4 * minute, 4 * minute]) {
      expect(Array.isArray(await skewed(offset).resources.listAll(Clusters))).toBe(true);
    }
    for (const offset of [-6 * minute, 6 * minute]) {
      expectOmniError(
        await failure(skewed(offset).resources.listAll(Clusters)),
        UnauthenticatedError,
        Code.Unauthenticated,
        invalidSignature,
      );
    }
  });

  it("refuses a registered key until it is confirmed", async () => {
    const key = await generateEcdsaKey();
    await realClient(transport, { auth: null }).auth.registerPublicKey({
      identity: reader.email,
      ecdsaKey: key,
    });
    const unconfirmed = realClient(transport, {
      auth: ecdsaAuth({ identity: reader.email, ...key }),
    });
    expectOmniError(
      await failure(unconfirmed.resources.listAll(Clusters)),
      UnauthenticatedError,
      Code.Unauthenticated,
      invalidSignature,
    );
  });

  it("refuses a confirmed key once its notAfter has passed", async () => {
    const shortLived = await loginWithEcdsa(reader.email, {
      notBefore: new Date(Date.now() - minute),
      notAfter: new Date(Date.now() + 3_000),
    });
    const client = realClient(transport, { auth: shortLived.auth });
    expect(Array.isArray(await client.resources.listAll(Clusters))).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 3_500));
    expectOmniError(
      await failure(client.resources.listAll(Clusters)),
      UnauthenticatedError,
      Code.Unauthenticated,
      invalidSignature,
    );
  });
});

/**
 * A client whose signatures carry a clock `offsetMs` away from this machine's: the SDK signs in a
 * caller interceptor with a shifted clock, standing in for a machine whose clock is off.
 */
function clientWithClock(transport: TransportName, auth: OmniAuth, offsetMs: number) {
  return createOmniClient({
    transport: transportTo(transport),
    interceptors: [createSigningInterceptor(auth, { now: () => Date.now() + offsetMs })],
  });
}

describe("service-account keys on real Omni", () => {
  it("signs on every transport with a key made by generateServiceAccountKey", async () => {
    const name = uniqueName("signing-sa");
    const key = await generateServiceAccountKey({ name, ttlSeconds: 3600 });
    const admin = adminClient();
    const created = await admin.management.createServiceAccount({
      name,
      armoredPgpPublicKey: key.armoredPublicKey,
      role: "Reader",
    });
    try {
      expect(created.publicKeyId).toBe(key.publicKeyId);
      for (const transport of transportNames) {
        const client = realClient(transport, { auth: serviceAccountAuth(key.serviceAccountKey) });
        expect(await identityOf(client)).toBe(`${name}@serviceaccount.omni.sidero.dev`);
      }
    } finally {
      await admin.management.destroyServiceAccount({ name });
    }
  });

  it("renewing adds a key and leaves the old one working; destroying ends both", async () => {
    const name = uniqueName("renew-sa");
    const first = await generateServiceAccountKey({ name, ttlSeconds: 3600 });
    const second = await generateServiceAccountKey({ name, ttlSeconds: 3600 });
    const admin = adminClient();
    await admin.management.createServiceAccount({
      name,
      armoredPgpPublicKey: first.armoredPublicKey,
      role: "Reader",
    });
    const renewed = await admin.management.renewServiceAccount({
      name,
      armoredPgpPublicKey: second.armoredPublicKey,
    });
    expect(renewed.publicKeyId).toBe(second.publicKeyId);
    // Omni lists keys from a status its controllers keep, so the new key shows up a moment later.
    const listed = async () =>
      (await admin.management.listServiceAccounts()).find((sa) => sa.name === name);
    await expect
      .poll(async () => (await listed())?.publicKeys.map((key) => key.id).sort(), {
        timeout: 10_000,
      })
      .toEqual([first.publicKeyId, second.publicKeyId].sort());
    expect((await listed())?.role).toBe("Reader");
    const clients = [first, second].map((key) =>
      realClient("native gRPC", { auth: serviceAccountAuth(key.serviceAccountKey) }),
    );
    for (const client of clients) {
      expect(await identityOf(client)).toBe(`${name}@serviceaccount.omni.sidero.dev`);
    }
    await admin.management.destroyServiceAccount({ name });
    for (const client of clients) {
      expectOmniError(
        await failure(client.management.omniconfig()),
        UnauthenticatedError,
        Code.Unauthenticated,
        invalidSignature,
      );
    }
  });
});
