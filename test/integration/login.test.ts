import { createClient } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { ecdsaAuth, generateEcdsaKey } from "../../src/auth/ecdsa.js";
import { UnauthenticatedError } from "../../src/errors.js";
import { ManagementService } from "../../src/gen/omni/management/management_pb.js";
import { Clusters } from "../../src/resources/registry.js";
import { clientOver, failure, transportNames, useEmulator } from "./harness.js";

const emulator = useEmulator({ users: [{ email: "viewer@example.org", role: "Reader" }] });

const noAuthHint =
  "this client has no auth, so its calls go unsigned: pass auth: serviceAccountAuth(...), pgpAuth(...) or ecdsaAuth(...)";

const identityOf = async (omniconfig: Promise<string>): Promise<string> =>
  parseYaml(await omniconfig).contexts.default.auth.siderov1.identity;

describe.each(transportNames)("signing over %s", (transport) => {
  it("signs with a service-account (PGP) key", async () => {
    const client = clientOver(emulator(), transport, { key: "operator" });
    expect(await identityOf(client.management.omniconfig())).toBe(
      "emulator-operator@serviceaccount.omni.sidero.dev",
    );
  });

  it("registers an ECDSA key through client.auth, then signs with it once confirmed", async () => {
    const key = await generateEcdsaKey();
    const identity = "viewer@example.org";
    // Registering is what a read-only dashboard does first; readOnly must not stop it.
    const anonymous = clientOver(emulator(), transport, { key: null, readOnly: true });
    const registered = await anonymous.auth.registerPublicKey({ identity, ecdsaKey: key });
    expect(registered.publicKeyId).toBe(key.publicKeyId);
    expect(registered.loginUrl).toBe(emulator().grantAccessUrl(key.publicKeyId));

    const signed = clientOver(emulator(), transport, {
      key: ecdsaAuth({ identity, privateKey: key.privateKey, publicKeyId: key.publicKeyId }),
      readOnly: true,
    });
    // Until its owner confirms it, the key signs nothing Omni accepts.
    expect(await failure(signed.management.omniconfig())).toBeInstanceOf(UnauthenticatedError);

    const confirmed = anonymous.auth.awaitPublicKeyConfirmation(key.publicKeyId, {
      timeoutMs: 10_000,
    });
    emulator().confirmPublicKey(key.publicKeyId);
    await confirmed;

    expect(await identityOf(signed.management.omniconfig())).toBe(identity);
    const clusters = await signed.resources.listAll(Clusters);
    expect(clusters.map((cluster) => cluster.metadata.id).sort()).toEqual([
      "dev",
      "production",
      "staging",
    ]);
  });

  it("an unknown key and an unsigned call are Unauthenticated", async () => {
    const key = await generateEcdsaKey();
    const stranger = clientOver(emulator(), transport, {
      key: ecdsaAuth({
        identity: "admin@example.org",
        privateKey: key.privateKey,
        publicKeyId: key.publicKeyId,
      }),
    });
    const strangerError = await failure(stranger.resources.listAll(Clusters));
    expect(strangerError).toBeInstanceOf(UnauthenticatedError);
    expect(strangerError.rawMessage).toBe("invalid signature");
    const unsigned = clientOver(emulator(), transport, { key: null });
    const unsignedError = await failure(unsigned.management.omniconfig());
    expect(unsignedError).toBeInstanceOf(UnauthenticatedError);
    expect(unsignedError.rawMessage).toBe(`invalid signature (${noAuthHint})`);
  });

  it("says so when a client without auth gets Unauthenticated, streams included", async () => {
    const unsigned = clientOver(emulator(), transport, { key: null });
    for (const error of [
      await failure(unsigned.resources.get(Clusters, "production")),
      await failure(unsigned.resources.watch(Clusters)),
      await failure(createClient(ManagementService, unsigned.transport).kubeconfig({})),
    ]) {
      expect(error).toBeInstanceOf(UnauthenticatedError);
      expect(error.message).toContain(noAuthHint);
    }
    // The login flow runs unsigned by design: its own refusals keep the server's words.
    const key = await generateEcdsaKey();
    const { publicKeyId } = await unsigned.auth.registerPublicKey({
      identity: "admin@example.org",
      ecdsaKey: key,
    });
    const refused = await failure(
      unsigned.auth.confirmPublicKey(publicKeyId, { idToken: "not-a-token" }),
    );
    expect(refused).toBeInstanceOf(UnauthenticatedError);
    expect(refused.message).not.toContain("no auth");
  });
});
