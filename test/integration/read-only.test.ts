import { create } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { generateServiceAccountKey } from "../../src/auth/service-account-key.js";
import type { OmniClient } from "../../src/client.js";
import { ReadOnlyModeError } from "../../src/errors.js";
import { AuthService } from "../../src/gen/omni/auth/auth_pb.js";
import { ManagementService } from "../../src/gen/omni/management/management_pb.js";
import { ConfigPatchSpecSchema } from "../../src/gen/omni/specs/omni_pb.js";
import { State } from "../../src/gen/v1alpha1/state_pb.js";
import { Clusters, ConfigPatches } from "../../src/resources/registry.js";
import { callKindRule } from "../../src/safety/classification.js";
import { clientOver, drain, failure, transportNames, useEmulator } from "./harness.js";

const emulator = useEmulator();

// Omni's key rules are checked before sending, so the key must be a real, short-lived one.
const { armoredPublicKey: publicKey } = await generateServiceAccountKey({
  name: "ci",
  ttlSeconds: 3600,
});
const machineId = "0c6bd7f5-6a0e-4f1c-a1b2-3c4d5e6f7a8b";
const schematicYaml = "customization:\n  extraKernelArgs:\n    - net.ifnames=0\n";

/**
 * One call per ManagementService RPC that can write, with arguments the facade accepts, so that
 * only the read-only guard can stop it. Requests whose kind depends on a flag use the writing one.
 */
const managementWrites: Record<string, (client: OmniClient) => Promise<unknown>> = {
  Kubeconfig: (client) =>
    client.management.kubeconfig({
      cluster: "production",
      serviceAccount: true,
      serviceAccountUser: "robot",
      serviceAccountTtlSeconds: 3600,
    }),
  Talosconfig: (client) =>
    client.management.talosconfig({ cluster: "production", breakGlass: true }),
  CreateServiceAccount: (client) =>
    client.management.createServiceAccount({
      name: "ro-test",
      armoredPgpPublicKey: publicKey,
      role: "Reader",
    }),
  RenewServiceAccount: (client) =>
    client.management.renewServiceAccount({
      name: "emulator-reader",
      armoredPgpPublicKey: publicKey,
    }),
  DestroyServiceAccount: (client) =>
    client.management.destroyServiceAccount({ name: "emulator-reader" }),
  KubernetesSyncManifests: (client) =>
    drain(client.management.kubernetesSyncManifests({ cluster: "production" })),
  CreateSchematic: (client) => client.management.createSchematic({ extensions: ["a/b"] }),
  CreateSchematicFromRaw: (client) =>
    client.management.createSchematicFromRaw({ rawSchematic: schematicYaml }),
  MaintenanceUpgrade: (client) =>
    client.management.maintenanceUpgrade({ machineId, version: "v1.10.6" }),
  MaintenanceLifecycle: (client) =>
    drain(
      client.management.maintenanceLifecycle({
        machineId,
        operation: "install",
        version: "v1.10.6",
        disk: "/dev/sda",
      }),
    ),
  CreateJoinToken: (client) => client.management.createJoinToken({ name: "ro-test" }),
  ResetNodeUniqueToken: (client) => client.management.resetNodeUniqueToken({ id: machineId }),
  CreateUser: (client) => client.management.createUser({ email: "ro@example.org", role: "Reader" }),
  UpdateUser: (client) =>
    client.management.updateUser({ email: "admin@example.org", role: "Reader" }),
  DestroyUser: (client) => client.management.destroyUser({ email: "admin@example.org" }),
  MachinePowerOff: (client) => client.management.machinePowerOff({ machineId }),
  MachinePowerOn: (client) => client.management.machinePowerOn({ machineId }),
  TearDownLockedCluster: (client) =>
    client.management.tearDownLockedCluster({ clusterId: "production" }),
};

const patch = {
  metadata: { id: "400-ro-test", labels: { "omni.sidero.dev/cluster": "production" } },
  spec: create(ConfigPatchSpecSchema, { data: "machine: {}\n" }),
};

/** Every write of the resources facade, plus raw generated clients on `client.transport`. */
const otherWrites: Record<string, (client: OmniClient) => Promise<unknown>> = {
  "resources.create": (client) => client.resources.create(ConfigPatches, patch),
  "resources.update": (client) =>
    client.resources.update(ConfigPatches, {
      ...patch,
      metadata: { ...patch.metadata, version: "1" },
    }),
  "resources.destroy": (client) => client.resources.destroy(Clusters, "production"),
  "resources.teardown": (client) => client.resources.teardown(Clusters, "production"),
  "resources.teardownAndDestroy": (client) =>
    client.resources.teardownAndDestroy(Clusters, "production"),
  "raw State.Destroy": (client) =>
    createClient(State, client.transport).destroy({
      namespace: "default",
      type: Clusters.type,
      id: "production",
    }),
  "raw AuthService.RevokePublicKey": (client) =>
    createClient(AuthService, client.transport).revokePublicKey({ publicKeyId: "abc" }),
};

describe("read-only mode against the emulator", () => {
  it("the table covers every ManagementService RPC that can write", () => {
    const writing = ManagementService.methods
      .filter((method) => callKindRule(method) !== "read")
      .map((method) => method.name)
      .sort();
    expect(Object.keys(managementWrites).sort()).toEqual(writing);
  });

  describe.each(transportNames)("over %s", (transport) => {
    it("the request counter sees reads made in read-only mode", async () => {
      emulator().resetRequestCounts();
      const client = clientOver(emulator(), transport, { readOnly: true });
      await client.management.omniconfig();
      await client.resources.listAll(Clusters);
      expect(emulator().requestCount("/management.ManagementService/Omniconfig")).toBe(1);
      expect(emulator().requestCount("/cosi.resource.State/List")).toBe(1);
      expect(emulator().requestCount()).toBe(2);
    });

    it.each(Object.entries({ ...managementWrites, ...otherWrites }))(
      "%s throws ReadOnlyModeError and reaches no server",
      async (_name, write) => {
        emulator().resetRequestCounts();
        const client = clientOver(emulator(), transport, { readOnly: true });
        const error = await failure(write(client));
        expect(error).toBeInstanceOf(ReadOnlyModeError);
        expect(emulator().requestCount()).toBe(0);
      },
    );
  });
});
