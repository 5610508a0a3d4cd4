import { create } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthService } from "../../src/gen/omni/auth/auth_pb.js";
import { ManagementService } from "../../src/gen/omni/management/management_pb.js";
import { ConfigPatchSpecSchema } from "../../src/gen/omni/specs/omni_pb.js";
import { State } from "../../src/gen/v1alpha1/state_pb.js";
import {
  Clusters,
  ConfigPatches,
  generateEcdsaKey,
  generateServiceAccountKey,
  type OmniClient,
  ReadOnlyModeError,
} from "../../src/index.js";
import { callKindRule } from "../../src/safety/classification.js";
import { adminClient, createServiceAccount, type TestServiceAccount } from "./auth-support.js";
import {
  drain,
  failure,
  realClient,
  realOmni,
  recordingTransport,
  transportNames,
  transportTo,
  uniqueName,
} from "./harness.js";

// Real things the writes aim at, so that a write that slipped through would change them.
let victim: TestServiceAccount;
let patchId: string;
let patchVersion: string;
let adminKeyId: string;
const newUserEmail = `${uniqueName("ro-new")}@example.org`;
const newAccountName = uniqueName("ro-new");
const machineId = "0c6bd7f5-6a0e-4f1c-a1b2-3c4d5e6f7a8b";
// Omni's key rules are checked before sending, so the keys must be real ones.
const spareKey = await generateServiceAccountKey({ name: newAccountName, ttlSeconds: 3600 });

beforeAll(async () => {
  const admin = adminClient();
  victim = await createServiceAccount("Reader", "ro-victim");
  patchId = `400-${uniqueName("ro")}`;
  const patch = await admin.resources.create(ConfigPatches, {
    metadata: { id: patchId },
    spec: create(ConfigPatchSpecSchema, { data: "machine: {}\n" }),
  });
  patchVersion = patch.metadata.version;
  const accounts = await admin.management.listServiceAccounts();
  const own = accounts.find((account) => account.name === realOmni().serviceAccountName);
  adminKeyId = own?.publicKeys[0]?.id ?? "";
});
afterAll(async () => {
  const admin = adminClient();
  await admin.resources.destroy(ConfigPatches, patchId);
  await admin.management.destroyServiceAccount({ name: victim.name });
});

/** One call per ManagementService RPC that can write, each aimed at something that exists. */
const managementWrites: Record<string, (client: OmniClient) => Promise<unknown>> = {
  Kubeconfig: (c) =>
    c.management.kubeconfig({
      cluster: "any",
      serviceAccount: true,
      serviceAccountUser: "robot",
      serviceAccountTtlSeconds: 3600,
    }),
  Talosconfig: (c) => c.management.talosconfig({ cluster: "any", breakGlass: true }),
  CreateServiceAccount: (c) =>
    c.management.createServiceAccount({
      name: newAccountName,
      armoredPgpPublicKey: spareKey.armoredPublicKey,
      role: "Admin",
    }),
  RenewServiceAccount: (c) =>
    c.management.renewServiceAccount({
      name: victim.name,
      armoredPgpPublicKey: spareKey.armoredPublicKey,
    }),
  DestroyServiceAccount: (c) => c.management.destroyServiceAccount({ name: victim.name }),
  KubernetesSyncManifests: (c) => drain(c.management.kubernetesSyncManifests({ cluster: "any" })),
  CreateSchematic: (c) => c.management.createSchematic({ extensions: ["a/b"] }),
  CreateSchematicFromRaw: (c) =>
    c.management.createSchematicFromRaw({ rawSchematic: "customization: {}\n" }),
  MaintenanceUpgrade: (c) => c.management.maintenanceUpgrade({ machineId, version: "v1.10.6" }),
  MaintenanceLifecycle: (c) =>
    drain(
      c.management.maintenanceLifecycle({
        machineId,
        operation: "install",
        version: "v1.10.6",
        disk: "/dev/sda",
      }),
    ),
  CreateJoinToken: (c) => c.management.createJoinToken({ name: "ro-test" }),
  ResetNodeUniqueToken: (c) => c.management.resetNodeUniqueToken({ id: machineId }),
  CreateUser: (c) => c.management.createUser({ email: newUserEmail, role: "Admin" }),
  UpdateUser: (c) => c.management.updateUser({ email: realOmni().adminUser, role: "Reader" }),
  DestroyUser: (c) => c.management.destroyUser({ email: realOmni().adminUser }),
  MachinePowerOff: (c) => c.management.machinePowerOff({ machineId }),
  MachinePowerOn: (c) => c.management.machinePowerOn({ machineId }),
  TearDownLockedCluster: (c) => c.management.tearDownLockedCluster({ clusterId: "any" }),
};

/** Resource writes, the key revocation of client.auth, and raw clients on client.transport. */
const otherWrites: Record<string, (client: OmniClient) => Promise<unknown>> = {
  "resources.create": (c) =>
    c.resources.create(ConfigPatches, {
      metadata: { id: `400-${uniqueName("ro")}` },
      spec: create(ConfigPatchSpecSchema, { data: "machine: {}\n" }),
    }),
  "resources.update": (c) =>
    c.resources.update(ConfigPatches, {
      metadata: { id: patchId, version: patchVersion },
      spec: create(ConfigPatchSpecSchema, { data: "machine: { changed: true }\n" }),
    }),
  "resources.destroy": (c) => c.resources.destroy(ConfigPatches, patchId),
  "resources.teardown": (c) => c.resources.teardown(ConfigPatches, patchId),
  "resources.teardownAndDestroy": (c) => c.resources.teardownAndDestroy(ConfigPatches, patchId),
  "auth.revokePublicKey": (c) => c.auth.revokePublicKey(adminKeyId),
  "raw State.Destroy": (c) =>
    createClient(State, c.transport).destroy({
      namespace: "default",
      type: ConfigPatches.type,
      id: patchId,
    }),
  "raw ManagementService.DestroyServiceAccount": (c) =>
    createClient(ManagementService, c.transport).destroyServiceAccount({ name: victim.name }),
  "raw AuthService.RevokePublicKey": (c) =>
    createClient(AuthService, c.transport).revokePublicKey({ publicKeyId: adminKeyId }),
};

describe("read-only mode against real Omni", () => {
  it("the table covers every ManagementService RPC that can write", () => {
    const writing = ManagementService.methods
      .filter((method) => callKindRule(method) !== "read")
      .map((method) => method.name)
      .sort();
    expect(Object.keys(managementWrites).sort()).toEqual(writing);
  });

  describe.each(transportNames)("over %s", (transport) => {
    it.each(Object.entries({ ...managementWrites, ...otherWrites }))(
      "%s throws ReadOnlyModeError and nothing reaches the transport",
      async (_name, write) => {
        const { transport: counted, sent } = recordingTransport(transportTo(transport));
        const client = realClient(transport, { readOnly: true, transport: counted });
        expect(await failure(write(client))).toBeInstanceOf(ReadOnlyModeError);
        expect(sent).toEqual([]);
      },
    );

    it("reads still go out and answer", async () => {
      const { transport: counted, sent } = recordingTransport(transportTo(transport));
      const client = realClient(transport, { readOnly: true, transport: counted });
      expect(await client.management.omniconfig()).toContain("siderov1");
      expect(Array.isArray(await client.resources.listAll(Clusters))).toBe(true);
      expect((await client.resources.get(ConfigPatches, patchId)).metadata.version).toBe(
        patchVersion,
      );
      expect((await client.management.listServiceAccounts()).length).toBeGreaterThan(0);
      // Logging in stays possible: a read-only dashboard registers its key like any other.
      const key = await generateEcdsaKey();
      await client.auth.registerPublicKey({ identity: realOmni().adminUser, ecdsaKey: key });
      expect(sent).toEqual([
        "Omniconfig",
        "List",
        "Get",
        "ListServiceAccounts",
        "RegisterPublicKey",
      ]);
    });
  });

  it("left the server as it was", async () => {
    const admin = adminClient();
    const accounts = await admin.management.listServiceAccounts();
    expect(accounts.map((account) => account.name)).not.toContain(newAccountName);
    // Omni lists keys from a status its controllers keep, a moment behind the keys themselves.
    await expect
      .poll(
        async () =>
          (await admin.management.listServiceAccounts())
            .find((account) => account.name === victim.name)
            ?.publicKeys.map((key) => key.id),
        { timeout: 10_000 },
      )
      .toEqual([victim.publicKeyId]);
    const patch = await admin.resources.get(ConfigPatches, patchId);
    expect(patch.metadata.version).toBe(patchVersion);
    expect(patch.metadata.phase).toBe("running");
    const users = await admin.management.listUsers();
    expect(users.map((user) => user.email)).not.toContain(newUserEmail);
    expect(users.find((user) => user.email === realOmni().adminUser)?.role).toBe("Admin");
    // The Admin key that the revocations aimed at still signs.
    expect(await admin.management.omniconfig()).toContain(
      `${realOmni().serviceAccountName}@serviceaccount.omni.sidero.dev`,
    );
  });
});
