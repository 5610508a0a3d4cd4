import type { DescService } from "@bufbuild/protobuf";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { generateServiceAccountKey } from "../../src/auth/service-account-key.js";
import { createOmniClient } from "../../src/client.js";
import {
  NotFoundError,
  OmniError,
  ReadOnlyModeError,
  UnimplementedError,
} from "../../src/errors.js";
import { AuthService } from "../../src/gen/omni/auth/auth_pb.js";
import {
  KubeconfigResponseSchema,
  ManagementService,
} from "../../src/gen/omni/management/management_pb.js";
import { OIDCService } from "../../src/gen/omni/oidc/oidc_pb.js";
import { ResourceService } from "../../src/gen/omni/resources/resources_pb.js";
import { MachineService } from "../../src/gen/talos/machine/machine_pb.js";
import { State } from "../../src/gen/v1alpha1/state_pb.js";
import { callKindRule, callKinds, classifyCall } from "../../src/safety/classification.js";
import { createFakeOmni } from "./fake-omni.js";

const services: DescService[] = [
  ManagementService,
  AuthService,
  OIDCService,
  State,
  ResourceService,
  MachineService,
];
// Omni's key rules are checked before sending, so the key must be a real, short-lived one.
const { armoredPublicKey: publicKey } = await generateServiceAccountKey({
  name: "ci",
  ttlSeconds: 3600,
});

describe("classification table", () => {
  it("classifies every method of every generated service", () => {
    const missing = services.flatMap((service) =>
      service.methods
        .filter((method) => callKindRule(method) === undefined)
        .map((m) => `${service.typeName}/${m.name}`),
    );
    expect(missing).toEqual([]);
  });

  it("has no entry for a method the descriptors do not have", () => {
    const known = new Set(services.flatMap((s) => s.methods.map((m) => `${s.typeName}/${m.name}`)));
    const stale = Object.entries(callKinds).flatMap(([service, methods]) =>
      Object.keys(methods)
        .map((name) => `${service}/${name}`)
        .filter((key) => !known.has(key)),
    );
    expect(stale).toEqual([]);
  });

  it("decides the conditional RPCs from the request", () => {
    const m = ManagementService.method;
    expect(classifyCall(m.kubeconfig, {})).toBe("read");
    expect(classifyCall(m.kubeconfig, { serviceAccount: true })).toBe("create");
    expect(classifyCall(m.kubeconfig, { breakGlass: true })).toBe("update");
    expect(classifyCall(m.talosconfig, { breakGlass: true })).toBe("update");
    expect(classifyCall(m.kubernetesSyncManifests, { dryRun: true })).toBe("read");
    expect(classifyCall(m.kubernetesSyncManifests, {})).toBe("update");
    expect(classifyCall(m.kubernetesSyncManifests, undefined)).toBe("update");
  });
});

describe("read-only mode", () => {
  function readOnlyClient() {
    const omni = createFakeOmni({
      kubeconfig: () =>
        create(KubeconfigResponseSchema, { kubeconfig: new TextEncoder().encode("k") }),
    });
    const client = createOmniClient({ transport: omni.transport, readOnly: true });
    return { omni, client };
  }

  const writes: [
    string,
    "create" | "update" | "delete",
    (c: ReturnType<typeof readOnlyClient>["client"]) => Promise<unknown>,
  ][] = [
    [
      "Kubeconfig",
      "create",
      (c) =>
        c.management.kubeconfig({
          cluster: "c",
          serviceAccount: true,
          serviceAccountUser: "u",
          serviceAccountTtlSeconds: 3600,
        }),
    ],
    ["Kubeconfig", "update", (c) => c.management.kubeconfig({ cluster: "c", breakGlass: true })],
    ["Talosconfig", "update", (c) => c.management.talosconfig({ cluster: "c", breakGlass: true })],
    [
      "CreateServiceAccount",
      "create",
      (c) =>
        c.management.createServiceAccount({
          name: "n",
          armoredPgpPublicKey: publicKey,
          role: "Reader",
        }),
    ],
    [
      "RenewServiceAccount",
      "update",
      (c) => c.management.renewServiceAccount({ name: "n", armoredPgpPublicKey: publicKey }),
    ],
    ["DestroyServiceAccount", "delete", (c) => c.management.destroyServiceAccount({ name: "n" })],
    [
      "KubernetesSyncManifests",
      "update",
      async (c) => {
        for await (const _ of c.management.kubernetesSyncManifests({ cluster: "c" })) {
          /* drain */
        }
      },
    ],
    ["CreateSchematic", "create", (c) => c.management.createSchematic({})],
    [
      "CreateSchematicFromRaw",
      "create",
      (c) => c.management.createSchematicFromRaw({ rawSchematic: "x: 1" }),
    ],
    [
      "MaintenanceUpgrade",
      "update",
      (c) => c.management.maintenanceUpgrade({ machineId: "m", version: "1.9.0" }),
    ],
    [
      "MaintenanceLifecycle",
      "update",
      async (c) => {
        for await (const _ of c.management.maintenanceLifecycle({
          machineId: "m",
          operation: "upgrade",
          version: "1.9.0",
        })) {
          /* drain */
        }
      },
    ],
    ["CreateJoinToken", "create", (c) => c.management.createJoinToken({ name: "t" })],
    ["ResetNodeUniqueToken", "update", (c) => c.management.resetNodeUniqueToken({ id: "m" })],
    ["CreateUser", "create", (c) => c.management.createUser({ email: "a@b.c", role: "Reader" })],
    ["UpdateUser", "update", (c) => c.management.updateUser({ email: "a@b.c", role: "Reader" })],
    ["DestroyUser", "delete", (c) => c.management.destroyUser({ email: "a@b.c" })],
    ["MachinePowerOff", "update", (c) => c.management.machinePowerOff({ machineId: "m" })],
    ["MachinePowerOn", "update", (c) => c.management.machinePowerOn({ machineId: "m" })],
    [
      "TearDownLockedCluster",
      "delete",
      (c) => c.management.tearDownLockedCluster({ clusterId: "c" }),
    ],
  ];

  it.each(writes)(
    "%s (%s) throws ReadOnlyModeError and nothing reaches the server",
    async (name, kind, call) => {
      const { omni, client } = readOnlyClient();
      const error = await call(client).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ReadOnlyModeError);
      expect((error as ReadOnlyModeError).code).toBe(Code.PermissionDenied);
      expect((error as ReadOnlyModeError).kind).toBe(kind);
      expect((error as ReadOnlyModeError).method).toBe(`/management.ManagementService/${name}`);
      expect(omni.requestCount()).toBe(0);
    },
  );

  it("covers every write RPC of the ManagementService", () => {
    const fixedWrites = ManagementService.methods.filter((m) => {
      const rule = callKindRule(m);
      return typeof rule === "object" || rule !== "read";
    });
    const tested = new Set(writes.map(([name]) => name));
    expect(fixedWrites.map((m) => m.name).filter((n) => !tested.has(n))).toEqual([]);
  });

  it("lets reads through, including the read forms of conditional RPCs", async () => {
    const { omni, client } = readOnlyClient();
    expect(await client.management.kubeconfig({ cluster: "c" })).toBe("k");
    for await (const _ of client.management.kubernetesSyncManifests({
      cluster: "c",
      dryRun: true,
    })) {
      // drain
    }
    await client.management.listUsers();
    expect(omni.requestCount()).toBe(3);
    expect(omni.calls.map((c) => c.method)).toEqual([
      "Kubeconfig",
      "KubernetesSyncManifests",
      "ListUsers",
    ]);
  });

  it("protects raw generated clients built on client.transport, unary and streaming", async () => {
    const { omni, client } = readOnlyClient();
    const raw = createClient(ManagementService, client.transport);
    await expect(raw.destroyUser({ email: "a@b.c" })).rejects.toBeInstanceOf(ReadOnlyModeError);
    await expect(raw.kubeconfig({ serviceAccount: true })).rejects.toMatchObject({
      kind: "create",
    });
    const stream = raw.kubernetesSyncManifests({ dryRun: false });
    await expect(stream[Symbol.asyncIterator]().next()).rejects.toBeInstanceOf(ReadOnlyModeError);
    expect(omni.requestCount()).toBe(0);
    for await (const _ of raw.kubernetesSyncManifests({ dryRun: true })) {
      // drain
    }
    expect(omni.requestCount("KubernetesSyncManifests")).toBe(1);
  });

  it("refuses client.auth.revokePublicKey, which deletes a key, and sends nothing", async () => {
    const { omni, client } = readOnlyClient();
    await expect(client.auth.revokePublicKey("key-id")).rejects.toMatchObject({
      name: "ReadOnlyModeError",
      kind: "delete",
      method: "/auth.AuthService/RevokePublicKey",
    });
    expect(omni.requestCount()).toBe(0);
  });

  it("blocks approving an OIDC login, which hands out an authorization code", async () => {
    const { client } = readOnlyClient();
    expect(classifyCall(OIDCService.method.authenticate, { authRequestId: "r" })).toBe("create");
    const raw = createClient(OIDCService, client.transport);
    await expect(raw.authenticate({ authRequestId: "r" })).rejects.toMatchObject({
      name: "ReadOnlyModeError",
      kind: "create",
      method: "/oidc.OIDCService/Authenticate",
    });
  });

  it("blocks methods of services the table does not know", async () => {
    const { client } = readOnlyClient();
    const fakeMethod = { ...ManagementService.method.listUsers, name: "NewRpc" };
    expect(classifyCall(fakeMethod, {})).toBe("update");
    expect(client.readOnly).toBe(true);
  });
});

describe("errors", () => {
  it("maps server codes to OmniError subclasses with the method", async () => {
    const omni = createFakeOmni({
      listUsers: () => {
        throw new ConnectError("user not found", Code.NotFound);
      },
    });
    const client = createOmniClient({ transport: omni.transport });
    const error = await client.management.listUsers().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toBeInstanceOf(OmniError);
    expect((error as OmniError).method).toBe("/management.ManagementService/ListUsers");
    expect((error as OmniError).rawMessage).toBe("user not found");
  });

  it("names the Omni versions that have an RPC the server lacks", async () => {
    const omni = createFakeOmni({
      tearDownLockedCluster: () => {
        throw new ConnectError("unknown method", Code.Unimplemented);
      },
    });
    const client = createOmniClient({ transport: omni.transport });
    const error = await client.management
      .tearDownLockedCluster({ clusterId: "c" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnimplementedError);
    expect((error as UnimplementedError).availableIn).toBe("v1.2.0 and v1.2.1 only");
    expect((error as Error).message).toContain("TearDownLockedCluster");
  });

  it("maps errors in the middle of a stream", async () => {
    const omni = createFakeOmni({
      // biome-ignore lint/correctness/useYield: the stream fails before its first message
      async *machineLogs() {
        throw new ConnectError("gone", Code.Unavailable);
      },
    });
    const client = createOmniClient({ transport: omni.transport });
    const iterator = client.management.machineLogs({ machineId: "m" })[Symbol.asyncIterator]();
    await expect(iterator.next()).rejects.toMatchObject({
      name: "UnavailableError",
      code: Code.Unavailable,
    });
  });
});
