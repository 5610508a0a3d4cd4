import { inspect } from "node:util";
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { generateServiceAccountKey } from "../../src/auth/service-account-key.js";
import { createOmniClient } from "../../src/client.js";
import {
  CanceledError,
  OmniError,
  UnavailableError,
  UnimplementedError,
  ValidationError,
} from "../../src/errors.js";
import { DataSchema } from "../../src/gen/common/common_pb.js";
import {
  AuditLogEventType,
  BootAssetURLRequest_BootAssetKind,
  BootAssetURLResponseSchema,
  CreateSchematicRequest_SiderolinkGRPCTunnelMode,
  CreateSchematicResponseSchema,
  GetMachineJoinConfigResponseSchema,
  GetSupportBundleResponseSchema,
  KubeconfigResponseSchema,
  KubernetesSSAOptions_InventoryPolicy,
  KubernetesSyncManifestResponse_ResponseType,
  KubernetesSyncManifestResponseSchema,
  KubernetesUpgradePreChecksResponseSchema,
  ListServiceAccountsResponseSchema,
  ListUsersResponseSchema,
  MaintenanceLifecycleRequest_Operation,
  MaintenanceLifecycleResponseSchema,
  type ReadAuditLogRequest,
  ReadAuditLogResponseSchema,
  SchematicBootloader,
  TalosconfigResponseSchema,
  ValidateJsonSchemaResponseSchema,
} from "../../src/gen/omni/management/management_pb.js";
import type { MaintenanceLifecycleOptions } from "../../src/management/requests.js";
import { createFakeOmni, type ManagementImpl } from "./fake-omni.js";

const encoder = new TextEncoder();
// Omni's key rules are checked before sending, so the key must be a real, short-lived one.
const { armoredPublicKey: publicKey } = await generateServiceAccountKey({
  name: "ci",
  ttlSeconds: 3600,
});

function setup(impl: ManagementImpl = {}) {
  const omni = createFakeOmni(impl);
  const client = createOmniClient({ transport: omni.transport });
  return { omni, management: client.management };
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) {
    out.push(item);
  }
  return out;
}

describe("management facade: cluster-scoped calls", () => {
  it("kubeconfig sends the cluster as metadata and every request field", async () => {
    const { omni, management } = setup({
      kubeconfig: () =>
        create(KubeconfigResponseSchema, { kubeconfig: encoder.encode("apiVersion: v1\n") }),
    });
    const text = await management.kubeconfig({
      cluster: "prod",
      serviceAccount: true,
      serviceAccountTtlSeconds: 3600,
      serviceAccountUser: "ci",
      serviceAccountGroups: ["system:masters"],
      grantType: "authcode",
      oidcCacheBaseDir: "/tmp/cache",
      oidcCacheIsolation: true,
    });
    expect(text).toBe("apiVersion: v1\n");
    const call = omni.last();
    expect(call.method).toBe("Kubeconfig");
    expect(call.headers.get("cluster")).toBe("prod");
    expect(call.request).toMatchObject({
      serviceAccount: true,
      serviceAccountTtl: { seconds: 3600n },
      serviceAccountUser: "ci",
      serviceAccountGroups: ["system:masters"],
      grantType: "authcode",
      breakGlass: false,
      oidcCacheBaseDir: "/tmp/cache",
      oidcCacheIsolation: true,
    });
  });

  it("talosconfig is instance-wide without a cluster and scoped with one", async () => {
    const { omni, management } = setup({
      talosconfig: () =>
        create(TalosconfigResponseSchema, { talosconfig: encoder.encode("context: x") }),
    });
    expect(await management.talosconfig()).toBe("context: x");
    expect(omni.last().headers.has("cluster")).toBe(false);
    await management.talosconfig({ cluster: "edge", raw: true });
    expect(omni.last().headers.get("cluster")).toBe("edge");
    expect(omni.last().request).toMatchObject({ raw: true, breakGlass: false });
  });

  it("upgrade pre-checks map ok and reason", async () => {
    const { omni, management } = setup({
      kubernetesUpgradePreChecks: () =>
        create(KubernetesUpgradePreChecksResponseSchema, { ok: false, reason: "node not ready" }),
    });
    const result = await management.kubernetesUpgradePreChecks({
      cluster: "prod",
      newVersion: "1.31.2",
    });
    expect(result).toEqual({ ok: false, reason: "node not ready" });
    expect(omni.last().headers.get("cluster")).toBe("prod");
    expect(omni.last().request).toMatchObject({ newVersion: "1.31.2" });
    // Omni reads the version tolerantly, so a minor version alone is fine; a word is not.
    await management.kubernetesUpgradePreChecks({ cluster: "prod", newVersion: "1.32" });
    expect(omni.last().request).toMatchObject({ newVersion: "1.32" });
    await expect(
      management.kubernetesUpgradePreChecks({ cluster: "prod", newVersion: "latest" }),
    ).rejects.toThrow(/options.newVersion: must be a version such as 1.34/);
  });

  it("manifest sync streams typed results with the cluster metadata", async () => {
    const { omni, management } = setup({
      async *kubernetesSyncManifests() {
        yield create(KubernetesSyncManifestResponseSchema, {
          responseType: KubernetesSyncManifestResponse_ResponseType.MANIFEST,
          path: "apps/v1/Deployment/coredns",
          object: encoder.encode("kind: Deployment"),
          diff: "+replicas: 2",
        });
        yield create(KubernetesSyncManifestResponseSchema, {
          responseType: KubernetesSyncManifestResponse_ResponseType.ROLLOUT,
          path: "coredns",
          skipped: true,
        });
      },
    });
    const results = await collect(
      management.kubernetesSyncManifests({
        cluster: "prod",
        dryRun: true,
        ssa: {
          inventoryPolicy: "adopt-all",
          reconcileTimeoutSeconds: 30,
          forceConflicts: true,
          noPrune: true,
        },
      }),
    );
    expect(results.map((r) => [r.type, r.path, r.diff, r.skipped])).toEqual([
      ["manifest", "apps/v1/Deployment/coredns", "+replicas: 2", false],
      ["rollout", "coredns", "", true],
    ]);
    expect(new TextDecoder().decode(results[0]?.object)).toBe("kind: Deployment");
    expect(omni.last().headers.get("cluster")).toBe("prod");
    expect(omni.last().request).toMatchObject({
      dryRun: true,
      ssa: {
        inventoryPolicy: KubernetesSSAOptions_InventoryPolicy.ADOPT_ALL,
        reconcileTimeout: { seconds: 30n },
        forceConflicts: true,
        noPrune: true,
      },
    });
  });
});

describe("management facade: server-side apply defaults", () => {
  it("fills what a partial ssa leaves out with Omni's own defaults, not the riskier zeros", async () => {
    const { omni, management } = setup();
    await collect(
      management.kubernetesSyncManifests({ cluster: "prod", ssa: { forceConflicts: true } }),
    );
    expect(omni.last().request).toMatchObject({
      ssa: {
        inventoryPolicy: KubernetesSSAOptions_InventoryPolicy.ADOPT_IF_NO_INVENTORY,
        forceConflicts: true,
        noPrune: true,
      },
    });
    await collect(
      management.kubernetesSyncManifests({
        cluster: "prod",
        ssa: { inventoryPolicy: "must-match", noPrune: false },
      }),
    );
    expect(omni.last().request).toMatchObject({
      ssa: { inventoryPolicy: KubernetesSSAOptions_InventoryPolicy.MUST_MATCH, noPrune: false },
    });
  });
});

describe("management facade: unary methods", () => {
  it("omniconfig decodes the document", async () => {
    const { management } = setup({
      omniconfig: () => ({ omniconfig: encoder.encode("contexts: {}") }),
    });
    expect(await management.omniconfig()).toBe("contexts: {}");
  });

  it("validateConfig and validateJSONSchema send their documents", async () => {
    const { omni, management } = setup({
      validateJSONSchema: () =>
        create(ValidateJsonSchemaResponseSchema, {
          errors: [
            {
              dataPath: "/spec",
              schemaPath: "#/properties/spec",
              cause: "invalid",
              errors: [
                { dataPath: "/spec/a", cause: "missing" },
                { dataPath: "/spec/b", cause: "type" },
              ],
            },
          ],
        }),
    });
    await management.validateConfig({ config: "machine: {}" });
    expect(omni.last().request).toMatchObject({ config: "machine: {}" });
    const result = await management.validateJSONSchema({ data: "{}", schema: '{"type":"object"}' });
    expect(omni.last().request).toMatchObject({ data: "{}", schema: '{"type":"object"}' });
    expect(result.valid).toBe(false);
    expect(result.totalErrors).toBe(3);
    expect(result.errors[0]?.errors).toHaveLength(2);
    expect(result.summary()).toBe(
      "3 errors\n  /spec: invalid\n    /spec/a: missing\n    /spec/b: type",
    );
  });

  it("service accounts: create, renew, list with keys and expiry, destroy", async () => {
    const expires = new Date("2030-01-01T00:00:00Z");
    const { omni, management } = setup({
      createServiceAccount: () => ({ publicKeyId: "abc123" }),
      renewServiceAccount: () => ({ publicKeyId: "def456" }),
      listServiceAccounts: () =>
        create(ListServiceAccountsResponseSchema, {
          serviceAccounts: [
            {
              name: "ci",
              role: "Operator",
              lastActive: "2 hours ago",
              pgpPublicKeys: [
                {
                  id: "k1",
                  armored: publicKey,
                  expiration: timestampFromDate(new Date("2029-01-01T00:00:00Z")),
                },
                {
                  id: "k2",
                  armored: publicKey,
                  expiration: timestampFromDate(expires),
                  created: timestampFromDate(new Date("2025-01-01T00:00:00Z")),
                  // Go's zero time, which Omni sends for a key never used.
                  lastUsed: { seconds: -62_135_596_800n, nanos: 0 },
                },
              ],
            },
          ],
        }),
    });
    expect(
      await management.createServiceAccount({
        name: "ci",
        armoredPgpPublicKey: publicKey,
        role: "Operator",
      }),
    ).toEqual({ publicKeyId: "abc123" });
    expect(omni.last().request).toMatchObject({
      name: "ci",
      armoredPgpPublicKey: publicKey,
      role: "Operator",
      useUserRole: false,
    });
    expect(
      await management.renewServiceAccount({ name: "ci", armoredPgpPublicKey: publicKey }),
    ).toEqual({
      publicKeyId: "def456",
    });
    const [account] = await management.listServiceAccounts();
    expect(account?.name).toBe("ci");
    expect(account?.publicKeys.map((k) => k.id)).toEqual(["k1", "k2"]);
    expect(account?.expiresAt?.toISOString()).toBe(expires.toISOString());
    expect(account?.publicKeys[1]?.created?.toISOString()).toBe("2025-01-01T00:00:00.000Z");
    expect(account?.publicKeys[1]?.lastUsed).toBeUndefined();
    await management.destroyServiceAccount({ name: "ci" });
    expect(omni.last()).toMatchObject({ method: "DestroyServiceAccount", request: { name: "ci" } });
  });

  it("schematics: every request field and the mapped model", async () => {
    const { omni, management } = setup({
      createSchematic: () =>
        create(CreateSchematicResponseSchema, {
          schematicId: "376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba",
          pxeUrl: "https://pxe.factory.talos.dev/pxe/3765/v1.9.0/metal-amd64",
          grpcTunnelEnabled: true,
          schematicYml: "customization: {}",
        }),
      createSchematicFromRaw: () =>
        create(CreateSchematicResponseSchema, { schematicId: "raw-id" }),
    });
    const schematic = await management.createSchematic({
      extensions: ["siderolabs/iscsi-tools"],
      extraKernelArgs: ["console=ttyS0"],
      metaValues: { 10: "meta" },
      talosVersion: "v1.9.0",
      mediaId: "iso",
      siderolinkGrpcTunnelMode: "enabled",
      joinToken: "tok",
      overlay: { image: "siderolabs/sbc-raspberrypi", name: "rpi_generic" },
      bootloader: "grub",
      embeddedMachineConfig: "machine: {}",
      imageFactoryUrl: "https://factory.example.com",
    });
    expect(schematic.id).toMatch(/^3765/);
    expect(schematic.pxeUrl).toContain("metal-amd64");
    expect(schematic.grpcTunnelEnabled).toBe(true);
    expect(schematic.yaml).toBe("customization: {}");
    expect(omni.last().request).toMatchObject({
      extensions: ["siderolabs/iscsi-tools"],
      extraKernelArgs: ["console=ttyS0"],
      metaValues: { 10: "meta" },
      talosVersion: "v1.9.0",
      mediaId: "iso",
      siderolinkGrpcTunnelMode: CreateSchematicRequest_SiderolinkGRPCTunnelMode.ENABLED,
      joinToken: "tok",
      overlay: { image: "siderolabs/sbc-raspberrypi", name: "rpi_generic", options: "" },
      bootloader: SchematicBootloader.BOOT_GRUB,
      embeddedMachineConfig: "machine: {}",
      imageFactoryUrl: "https://factory.example.com",
    });
    const fromRaw = await management.createSchematicFromRaw({
      rawSchematic: "customization: {}",
      talosVersion: "1.9.0",
    });
    expect(fromRaw.id).toBe("raw-id");
    expect(
      new TextDecoder().decode((omni.last().request as { rawSchematic: Uint8Array }).rawSchematic),
    ).toBe("customization: {}");
  });

  it("boot asset URL maps url, headers, host and storage key", async () => {
    const { omni, management } = setup({
      getBootAssetURL: () =>
        create(BootAssetURLResponseSchema, {
          url: "https://omni.example.com/image/abc",
          headers: { authorization: "Bearer x" },
          imageFactoryHost: "factory.talos.dev",
          storageKey: "abc/metal-amd64.iso",
        }),
    });
    const asset = await management.getBootAssetURL({
      talosVersion: "v1.10.0",
      schematicId: "abc",
      bootAssetKind: "iso",
      platform: "metal",
      architecture: "amd64",
      format: "iso",
      secureBoot: true,
      standaloneUrl: true,
    });
    expect(asset.url).toBe("https://omni.example.com/image/abc");
    expect(asset.headers).toEqual({ authorization: "Bearer x" });
    expect(asset.imageFactoryHost).toBe("factory.talos.dev");
    expect(asset.storageKey).toBe("abc/metal-amd64.iso");
    expect(omni.last().request).toMatchObject({
      bootAssetKind: BootAssetURLRequest_BootAssetKind.ISO,
      secureBoot: true,
      standaloneUrl: true,
      platform: "metal",
      architecture: "amd64",
      format: "iso",
    });
  });

  it("boot asset URL keeps Image Factory credentials out of strings, JSON and logs", async () => {
    const url = "https://user:hunter2@pxe.factory.example.org/pxe/abc/v1.10.0/metal-amd64?t=s3cr3t";
    const { management } = setup({
      getBootAssetURL: () => create(BootAssetURLResponseSchema, { url }),
    });
    const asset = await management.getBootAssetURL({
      talosVersion: "v1.10.0",
      schematicId: "abc",
      bootAssetKind: "pxe",
    });
    expect(asset.url).toBe(url);
    const shown = [
      String(asset),
      JSON.stringify(asset),
      inspect(asset),
      JSON.stringify({ ...asset }),
    ];
    for (const text of shown) {
      expect(text).not.toContain("hunter2");
      expect(text).not.toContain("s3cr3t");
    }
    expect(String(asset)).toBe(
      "BootAssetUrl(https://[redacted]@pxe.factory.example.org/pxe/abc/v1.10.0/metal-amd64?[redacted])",
    );
  });

  it("machine join config carries its helpers", async () => {
    const { omni, management } = setup({
      getMachineJoinConfig: () =>
        create(GetMachineJoinConfigResponseSchema, {
          kernelArgs: [
            "siderolink.api=https://omni?jointoken=t",
            "talos.events.sink=[fdae::1]:8090",
          ],
          config: "apiVersion: v1alpha1\nkind: SideroLinkConfig\n",
        }),
    });
    const join = await management.getMachineJoinConfig({ useGrpcTunnel: true, joinToken: "t" });
    expect(omni.last().request).toMatchObject({ useGrpcTunnel: true, joinToken: "t" });
    expect(join.hasKernelArgs).toBe(true);
    expect(join.hasConfig).toBe(true);
    expect(join.totalItems).toBe(3);
    expect(join.kernelArgsString()).toBe(
      "siderolink.api=https://omni?jointoken=t talos.events.sink=[fdae::1]:8090",
    );
    expect(join.summary()).toBe("2 kernel args, config (44 characters)");
  });

  it("join tokens, node unique tokens, maintenance upgrade and power", async () => {
    const expiry = new Date(Date.now() + 86_400_000);
    const { omni, management } = setup({ createJoinToken: () => ({ id: "token-value" }) });
    const token = await management.createJoinToken({ name: "lab", expirationTime: expiry });
    expect(token.id).toBe("token-value");
    expect(token.name).toBe("lab");
    expect(omni.last().request).toMatchObject({
      name: "lab",
      expirationTime: timestampFromDate(expiry),
    });
    await management.resetNodeUniqueToken({ id: "m-1" });
    expect(omni.last()).toMatchObject({ method: "ResetNodeUniqueToken", request: { id: "m-1" } });
    await management.maintenanceUpgrade({ machineId: "m-1", version: "v1.9.0" });
    expect(omni.last()).toMatchObject({
      method: "MaintenanceUpgrade",
      request: { machineId: "m-1", version: "v1.9.0" },
    });
    await management.machinePowerOff({ machineId: "m-1" });
    expect(omni.last()).toMatchObject({ method: "MachinePowerOff", request: { machineId: "m-1" } });
    await management.machinePowerOn({ machineId: "m-1" });
    expect(omni.last()).toMatchObject({ method: "MachinePowerOn", request: { machineId: "m-1" } });
    await management.tearDownLockedCluster({ clusterId: "imported" });
    expect(omni.last()).toMatchObject({
      method: "TearDownLockedCluster",
      request: { clusterId: "imported" },
    });
  });

  it("users: create, list, update, destroy", async () => {
    const { omni, management } = setup({
      createUser: () => ({ userId: "u-1" }),
      listUsers: () =>
        create(ListUsersResponseSchema, {
          users: [
            {
              id: "u-1",
              email: "a@example.com",
              role: "Reader",
              samlLabels: { team: "x" },
              lastActive: "now",
            },
          ],
        }),
    });
    expect(await management.createUser({ email: "a@example.com", role: "Reader" })).toBe("u-1");
    expect(await management.listUsers()).toEqual([
      {
        id: "u-1",
        email: "a@example.com",
        role: "Reader",
        samlLabels: { team: "x" },
        lastActive: "now",
      },
    ]);
    await management.updateUser({ email: "a@example.com", role: "Operator" });
    expect(omni.last().request).toMatchObject({ email: "a@example.com", role: "Operator" });
    await management.destroyUser({ email: "a@example.com" });
    expect(omni.last()).toMatchObject({
      method: "DestroyUser",
      request: { email: "a@example.com" },
    });
  });
});

describe("management facade: streams", () => {
  it("machine logs: each message is a line, as Omni sends them", async () => {
    // Omni sends one line per message without a line break; the others guard odd servers.
    const messages = ["first", "second\r", "", "two\nlines\n", "crlf\r\nend"];
    const { omni, management } = setup({
      async *machineLogs() {
        for (const message of messages) {
          yield create(DataSchema, { bytes: encoder.encode(message) });
        }
      },
    });
    const raw = await collect(management.machineLogs({ machineId: "m-1", tailLines: 10 }));
    expect(raw.map((c) => new TextDecoder().decode(c))).toEqual(messages);
    expect(omni.last().request).toMatchObject({ machineId: "m-1", follow: false, tailLines: 10 });
    expect(await collect(management.machineLogLines({ machineId: "m-1", follow: true }))).toEqual([
      "first",
      "second",
      "",
      "two",
      "lines",
      "crlf",
      "end",
    ]);
  });

  it("machine logs start from the beginning unless tailLines says otherwise", async () => {
    const { omni, management } = setup();
    await collect(management.machineLogs({ machineId: "m-1" }));
    expect(omni.last().request).toMatchObject({ tailLines: -1 });
    await collect(management.machineLogLines({ machineId: "m-1", follow: true, tailLines: 0 }));
    expect(omni.last().request).toMatchObject({ tailLines: 0 });
  });

  it("support bundle yields progress with percent and data chunks as they come", async () => {
    const { omni, management } = setup({
      async *getSupportBundle() {
        yield create(GetSupportBundleResponseSchema, { encryptionRecipients: ["age1xyz"] });
        yield create(GetSupportBundleResponseSchema, {
          progress: { source: "cluster", state: "collecting", value: 1, total: 4 },
        });
        yield create(GetSupportBundleResponseSchema, { bundleData: new Uint8Array([1, 2]) });
        yield create(GetSupportBundleResponseSchema, { bundleData: new Uint8Array([3]) });
      },
    });
    const events = await collect(
      management.getSupportBundle({
        cluster: "prod",
        encrypt: true,
        encryptionRecipients: ["age1xyz"],
      }),
    );
    expect(events).toEqual([
      { type: "recipients", recipients: ["age1xyz"] },
      {
        type: "progress",
        source: "cluster",
        state: "collecting",
        error: "",
        value: 1,
        total: 4,
        percent: 25,
      },
      { type: "data", bytes: new Uint8Array([1, 2]) },
      { type: "data", bytes: new Uint8Array([3]) },
    ]);
    expect(omni.last().request).toMatchObject({
      cluster: "prod",
      encrypt: true,
      encryptionRecipients: ["age1xyz"],
    });
  });

  it("support bundle refuses a plain zip when encryption was asked for (an Omni without it)", async () => {
    const emptyZip = new Uint8Array([0x50, 0x4b, 0x05, 0x06, ...new Array(18).fill(0)]);
    const { management } = setup({
      async *getSupportBundle() {
        yield create(GetSupportBundleResponseSchema, { bundleData: emptyZip });
      },
    });
    const error = await collect(
      management.getSupportBundle({ cluster: "prod", encrypt: true }),
    ).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(UnimplementedError);
    expect((error as UnimplementedError).rawMessage).toBe(
      "this Omni cannot encrypt support bundles: it sent the bundle unencrypted",
    );
    // Without encryption the same zip is the bundle asked for.
    expect(await collect(management.getSupportBundle({ cluster: "prod" }))).toEqual([
      { type: "data", bytes: emptyZip },
    ]);
  });

  it("support bundle turns the gateway's refusal of the encryption fields into UnimplementedError", async () => {
    const { management } = setup({
      // biome-ignore lint/correctness/useYield: the stream fails before its first message
      async *getSupportBundle() {
        throw new ConnectError('proto: (line 1:19): unknown field "encrypt"', Code.InvalidArgument);
      },
    });
    const error = await collect(
      management.getSupportBundle({ cluster: "prod", encrypt: true }),
    ).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(UnimplementedError);
    expect((error as UnimplementedError).rawMessage).toBe(
      "this Omni cannot encrypt support bundles: it refused the encryption options",
    );
  });

  it("support bundle counts Omni's progress steps per source, as omnictl does", async () => {
    const step = (source: string, total: number, error = "") =>
      create(GetSupportBundleResponseSchema, {
        progress: { source, state: "collecting", total, error },
      });
    const { management } = setup({
      async *getSupportBundle() {
        yield step("cluster", 4);
        yield step("node-1", 2);
        yield step("cluster", 4);
        // An error report without a total is not a step.
        yield step("cluster", 0, "etcd unreachable");
        yield step("node-1", 2);
      },
    });
    const events = await collect(management.getSupportBundle({ cluster: "prod" }));
    expect(
      events.map((e) => (e.type === "progress" ? [e.source, e.value, e.total, e.percent] : [])),
    ).toEqual([
      ["cluster", 1, 4, 25],
      ["node-1", 1, 2, 50],
      ["cluster", 2, 4, 50],
      ["cluster", 0, 0, 0],
      ["node-1", 2, 2, 100],
    ]);
  });

  it("audit log entries are parsed from JSON lines, also when split across responses", async () => {
    const first =
      '{"event_type":"create","resource_type":"Clusters.omni.sidero.dev","resource_id":"prod","event_ts":1700000000000,';
    const second =
      '"event_data":{"session":{"email":"a@example.com"}}}\n{"event_type":"destroy"}\n';
    const { omni, management } = setup({
      async *readAuditLog() {
        yield create(ReadAuditLogResponseSchema, { auditLog: new Uint8Array(), id: 7n });
        yield create(ReadAuditLogResponseSchema, { auditLog: encoder.encode(first), id: 8n });
        yield create(ReadAuditLogResponseSchema, { auditLog: encoder.encode(second), id: 9n });
      },
    });
    const entries = await collect(
      management.readAuditLog({
        startTime: new Date("2024-05-01T10:00:00Z"),
        endTime: "2024-05-02",
        eventType: "create",
      }),
    );
    expect(entries.map((e) => [e.id, e.eventType, e.resourceType, e.resourceId, e.actor])).toEqual([
      [9n, "create", "Clusters.omni.sidero.dev", "prod", "a@example.com"],
      [9n, "destroy", "", "", ""],
    ]);
    expect(entries[0]?.time?.getTime()).toBe(1_700_000_000_000);
    expect(omni.last().request).toMatchObject({
      startTime: "2024-05-01",
      endTime: "2024-05-02",
      eventType: AuditLogEventType.CREATE,
      follow: false,
    });
  });

  describe("following the audit log", () => {
    const ack = (id: bigint) => create(ReadAuditLogResponseSchema, { id });
    const event = (id: bigint, resourceId: string) =>
      create(ReadAuditLogResponseSchema, {
        id,
        auditLog: encoder.encode(
          `${JSON.stringify({ event_type: "create", resource_id: resourceId })}\n`,
        ),
      });
    /** A server that answers its n-th follow request with the n-th script, then fails. */
    function scripted(...streams: ReturnType<typeof ack>[][]) {
      let served = 0;
      return setup({
        async *readAuditLog() {
          const stream = streams[served++];
          if (!stream) {
            throw new ConnectError("no more scripted streams", Code.Unavailable);
          }
          yield* stream;
        },
      });
    }

    it("resumes after Omni ends a stream, from the last position, without the start time", async () => {
      const { omni, management } = scripted(
        [ack(0n), event(1n, "a"), event(2n, "b")],
        [ack(2n), event(3n, "c")],
      );
      const followed = management.readAuditLog({ follow: true, fromId: 10, startTsMs: 5 });
      expect(followed.position).toBeUndefined();
      const seen: string[] = [];
      const error = await (async () => {
        try {
          for await (const entry of followed) {
            seen.push(`${entry.id}:${entry.resourceId}`);
            expect(followed.position).toBe(entry.id);
          }
        } catch (caught) {
          return caught;
        }
      })();
      expect(error).toBeInstanceOf(UnavailableError);
      expect(seen).toEqual(["1:a", "2:b", "3:c"]);
      expect(followed.position).toBe(3n);
      const requests = omni.calls.map((call) => call.request as ReadAuditLogRequest);
      expect(requests.map((r) => [r.follow, r.fromId, r.startTsMs])).toEqual([
        [true, 10n, 5n],
        [true, 3n, 0n],
        [true, 4n, 0n],
      ]);
    });

    it("resumes after an acknowledgment alone, from the acknowledged position", async () => {
      const { omni, management } = scripted([ack(7n)], [ack(7n), event(8n, "a")]);
      const followed = management.readAuditLog({ follow: true });
      const first = await followed[Symbol.asyncIterator]().next();
      expect(first.value).toMatchObject({ id: 8n, resourceId: "a" });
      expect(omni.calls.map((call) => (call.request as ReadAuditLogRequest).fromId)).toEqual([
        0n,
        8n,
      ]);
    });

    it("refuses a server that answers a follow with a bounded read", async () => {
      for (const stream of [[event(1n, "a")], []]) {
        const { management } = scripted(stream);
        const followed = management.readAuditLog({ follow: true });
        const seen: unknown[] = [];
        const error = await (async () => {
          try {
            for await (const entry of followed) {
              seen.push(entry);
            }
          } catch (caught) {
            return caught;
          }
        })();
        expect(error).toBeInstanceOf(UnimplementedError);
        expect(seen).toEqual([]);
      }
    });

    it("refuses a followed event without a position", async () => {
      const { management } = scripted([
        ack(0n),
        event(1n, "a"),
        create(ReadAuditLogResponseSchema, { auditLog: encoder.encode('{"event_type":"x"}\n') }),
      ]);
      const seen: string[] = [];
      const error = await (async () => {
        try {
          for await (const entry of management.readAuditLog({ follow: true })) {
            seen.push(entry.resourceId);
          }
        } catch (caught) {
          return caught;
        }
      })();
      expect(seen).toEqual(["a"]);
      expect(error).toBeInstanceOf(OmniError);
      expect((error as OmniError).code).toBe(Code.Internal);
      expect((error as OmniError).message).toContain("without a position");
    });

    it("has no position without follow", async () => {
      const { management } = setup({
        async *readAuditLog() {
          yield event(5n, "a");
        },
      });
      const read = management.readAuditLog({});
      expect(await collect(read)).toHaveLength(1);
      expect(read.position).toBeUndefined();
    });
  });

  it("maintenance lifecycle yields its messages", async () => {
    const { omni, management } = setup({
      async *maintenanceLifecycle() {
        yield create(MaintenanceLifecycleResponseSchema, { message: "installing" });
        yield create(MaintenanceLifecycleResponseSchema, { message: "done" });
      },
    });
    const events = await collect(
      management.maintenanceLifecycle({
        machineId: "m-1",
        operation: "install",
        version: "v1.9.0",
        disk: "/dev/sda",
      }),
    );
    expect(events).toEqual([{ message: "installing" }, { message: "done" }]);
    expect(omni.last().request).toMatchObject({
      machineId: "m-1",
      operation: MaintenanceLifecycleRequest_Operation.INSTALL,
      version: "v1.9.0",
      disk: "/dev/sda",
    });
  });
});

describe("management facade: maintenance lifecycle targets", () => {
  it("installs the in-memory version when none is given", async () => {
    const { omni, management } = setup({ async *maintenanceLifecycle() {} });
    await collect(
      management.maintenanceLifecycle({ machineId: "m-1", operation: "install", disk: "/dev/sda" }),
    );
    expect(omni.last().request).toMatchObject({ version: "", disk: "/dev/sda" });
  });

  it.each([
    [{ operation: "install", version: "1.10.6" }, "options.disk"],
    [{ operation: "install", disk: " " }, "options.disk"],
    [{ operation: "upgrade" }, "options.version"],
    [{ operation: "upgrade", version: "1.10.6", disk: "/dev/sda" }, "options.disk"],
  ])("refuses %j before any call", async (target, argument) => {
    const { omni, management } = setup({ async *maintenanceLifecycle() {} });
    const options = { machineId: "m-1", ...target } as MaintenanceLifecycleOptions;
    // Bad options are refused when the method is called, before anything is iterated.
    let error: unknown;
    try {
      await collect(management.maintenanceLifecycle(options));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).argument).toBe(argument);
    expect(omni.requestCount()).toBe(0);
  });
});

describe("management facade: requests Omni accepts", () => {
  it("sends seconds as a Duration of whole nanoseconds", async () => {
    const { omni, management } = setup({
      kubeconfig: () =>
        create(KubeconfigResponseSchema, { kubeconfig: encoder.encode("apiVersion: v1\n") }),
    });
    await management.kubeconfig({
      cluster: "c",
      serviceAccount: true,
      serviceAccountUser: "ci",
      serviceAccountTtlSeconds: 1234.5678,
    });
    expect(omni.last().request).toMatchObject({
      serviceAccountTtl: { seconds: 1234n, nanos: 567_800_000 },
    });
    await management.kubeconfig({
      cluster: "c",
      serviceAccount: true,
      serviceAccountUser: "ci",
      serviceAccountTtlSeconds: 315_360_000,
    });
    expect(omni.last().request).toMatchObject({
      serviceAccountTtl: { seconds: 315_360_000n, nanos: 0 },
    });
    await collect(
      management.kubernetesSyncManifests({ cluster: "c", ssa: { reconcileTimeoutSeconds: 1e-7 } }),
    );
    expect(omni.last().request).toMatchObject({
      ssa: { reconcileTimeout: { seconds: 0n, nanos: 100 } },
    });
    await collect(
      management.kubernetesSyncManifests({
        cluster: "c",
        ssa: { reconcileTimeoutSeconds: 2.9999999999 },
      }),
    );
    expect(omni.last().request).toMatchObject({
      ssa: { reconcileTimeout: { seconds: 3n, nanos: 0 } },
    });
  });

  it("service accounts take a known role, or the creator's with useUserRole", async () => {
    const { omni, management } = setup({
      createServiceAccount: () => ({ publicKeyId: "abc123" }),
    });
    for (const role of [
      "None",
      "InfraProvider",
      "Reader",
      "Auditor",
      "Operator",
      "Admin",
    ] as const) {
      // Omni gives the InfraProvider role to infra-provider accounts only.
      const name = role === "InfraProvider" ? "infra-provider:aws-1" : "ci";
      await management.createServiceAccount({ name, armoredPgpPublicKey: publicKey, role });
      expect(omni.last().request).toMatchObject({ name, role, useUserRole: false });
    }
    await management.createServiceAccount({
      name: "ci",
      armoredPgpPublicKey: publicKey,
      useUserRole: true,
    });
    expect(omni.last().request).toMatchObject({ role: "", useUserRole: true });
  });

  it("refuses a service-account name with capitals, which Omni cannot store", async () => {
    const { omni, management } = setup({
      createServiceAccount: () => ({ publicKeyId: "abc123" }),
    });
    const error = await management
      .createServiceAccount({ name: "CI-Bot", armoredPgpPublicKey: publicKey, role: "Reader" })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).argument).toBe("options.name");
    expect(omni.requestCount()).toBe(0);
    await management.createServiceAccount({
      name: "ci_bot.v2",
      armoredPgpPublicKey: publicKey,
      role: "Reader",
    });
    expect(omni.last().request).toMatchObject({ name: "ci_bot.v2" });
  });

  it("keeps the InfraProvider role and infra-provider names together, as Omni does", async () => {
    const { omni, management } = setup({
      createServiceAccount: () => ({ publicKeyId: "abc123" }),
    });
    const attempts: [Parameters<typeof management.createServiceAccount>[0], string][] = [
      [
        { name: "infra-provider:aws-1", armoredPgpPublicKey: publicKey, useUserRole: true },
        "options.useUserRole",
      ],
      [
        { name: "infra-provider:aws-1", armoredPgpPublicKey: publicKey, role: "Admin" },
        "options.role",
      ],
      [{ name: "aws-1", armoredPgpPublicKey: publicKey, role: "InfraProvider" }, "options.name"],
    ];
    for (const [options, argument] of attempts) {
      const error = await management.createServiceAccount(options).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).argument).toBe(argument);
    }
    expect(omni.requestCount()).toBe(0);
  });

  it("a role error lists the roles Omni knows", async () => {
    const { management } = setup();
    await expect(
      management.createUser({ email: "a@example.com", role: "reader" as "Reader" }),
    ).rejects.toThrow(
      "options.role: must be one of None, InfraProvider, Reader, Auditor, Operator, Admin",
    );
  });

  it("a boot asset kind is required and its error lists the kinds", async () => {
    const { management } = setup();
    await expect(
      management.getBootAssetURL({
        talosVersion: "1.10.0",
        schematicId: "abc",
      } as Parameters<typeof management.getBootAssetURL>[0]),
    ).rejects.toThrow("options.bootAssetKind: is required: one of pxe, iso, disk");
  });

  it("join token names up to 16 bytes", async () => {
    const { omni, management } = setup({ createJoinToken: () => ({ id: "token-value" }) });
    await management.createJoinToken({ name: "sixteen-chars-ok" });
    expect(omni.last().request).toMatchObject({ name: "sixteen-chars-ok" });
  });

  it("methods without request fields take call options second", async () => {
    const { management } = setup({
      omniconfig: () => ({ omniconfig: encoder.encode("contexts: {}") }),
    });
    const controller = new AbortController();
    controller.abort();
    await expect(management.omniconfig({}, { signal: controller.signal })).rejects.toBeInstanceOf(
      CanceledError,
    );
    await expect(management.listUsers({ signal: controller.signal } as never)).rejects.toThrow(
      "pass call options (signal, timeoutMs, headers) as the second argument",
    );
    expect(await management.omniconfig({})).toBe("contexts: {}");
    expect(await management.listServiceAccounts()).toEqual([]);
  });
});

describe("management facade: input validation before any network I/O", () => {
  const cases: [string, (m: ReturnType<typeof setup>["management"]) => unknown, string][] = [
    ["kubeconfig without cluster", (m) => m.kubeconfig({ cluster: "" }), "options.cluster"],
    ["cluster with a space", (m) => m.kubeconfig({ cluster: "a b" }), "options.cluster"],
    [
      "service account without user",
      (m) => m.kubeconfig({ cluster: "c", serviceAccount: true }),
      "options.serviceAccountUser",
    ],
    [
      "negative ttl",
      (m) => m.kubeconfig({ cluster: "c", serviceAccountTtlSeconds: -1 }),
      "options.serviceAccountTtlSeconds",
    ],
    [
      "unknown grant type",
      (m) => m.kubeconfig({ cluster: "c", grantType: "device" as "auto" }),
      "options.grantType",
    ],
    [
      "bad version",
      (m) => m.kubernetesUpgradePreChecks({ cluster: "c", newVersion: "latest" }),
      "options.newVersion",
    ],
    [
      "private key instead of public",
      (m) =>
        m.createServiceAccount({
          name: "ci",
          armoredPgpPublicKey: "-----BEGIN PGP PRIVATE KEY BLOCK-----",
        }),
      "options.armoredPgpPublicKey",
    ],
    [
      "role with useUserRole",
      (m) =>
        m.createServiceAccount({
          name: "ci",
          armoredPgpPublicKey: publicKey,
          role: "Admin",
          useUserRole: true,
        }),
      "options.role",
    ],
    [
      "tail lines not whole",
      (m) => m.machineLogs({ machineId: "m", tailLines: 1.5 }),
      "options.tailLines",
    ],
    ["empty machine id", (m) => m.machinePowerOff({ machineId: "" }), "options.machineId"],
    ["bad email", (m) => m.createUser({ email: "nobody", role: "Reader" }), "options.email"],
    [
      "expired join token",
      (m) => m.createJoinToken({ name: "x", expirationTime: new Date(0) }),
      "options.expirationTime",
    ],
    ["follow with filters", (m) => m.readAuditLog({ follow: true, search: "x" }), "options.search"],
    ["bad audit day", (m) => m.readAuditLog({ startTime: "May 1st" }), "options.startTime"],
    [
      "missing operation",
      (m) =>
        m.maintenanceLifecycle({ machineId: "m", operation: undefined as unknown as "install" }),
      "options.operation",
    ],
    [
      "meta key out of range",
      (m) => m.createSchematic({ metaValues: { [-1]: "x" } }),
      'options.metaValues["-1"]',
    ],
    [
      "bad factory URL",
      (m) => m.createSchematic({ imageFactoryUrl: "not a url" }),
      "options.imageFactoryUrl",
    ],
    [
      "empty raw schematic",
      (m) => m.createSchematicFromRaw({ rawSchematic: "" }),
      "options.rawSchematic",
    ],
    ["bad timeout", (m) => m.omniconfig({}, { timeoutMs: 0 }), "callOptions.timeoutMs"],
    [
      "service account without ttl",
      (m) => m.kubeconfig({ cluster: "c", serviceAccount: true, serviceAccountUser: "ci" }),
      "options.serviceAccountTtlSeconds",
    ],
    [
      "service account ttl above ten years",
      (m) =>
        m.kubeconfig({
          cluster: "c",
          serviceAccount: true,
          serviceAccountUser: "ci",
          serviceAccountTtlSeconds: 315_360_001,
        }),
      "options.serviceAccountTtlSeconds",
    ],
    [
      "ttl below a nanosecond",
      (m) => m.kubeconfig({ cluster: "c", serviceAccountTtlSeconds: 1e-10 }),
      "options.serviceAccountTtlSeconds",
    ],
    [
      "reconcile timeout beyond what a Duration holds",
      (m) => m.kubernetesSyncManifests({ cluster: "c", ssa: { reconcileTimeoutSeconds: 1e12 } }),
      "options.ssa.reconcileTimeoutSeconds",
    ],
    ["raw talosconfig without cluster", (m) => m.talosconfig({ raw: true }), "options.cluster"],
    [
      "break-glass talosconfig without cluster",
      (m) => m.talosconfig({ breakGlass: true }),
      "options.cluster",
    ],
    [
      "boot asset without a kind",
      (m) =>
        m.getBootAssetURL({
          talosVersion: "1.10.0",
          schematicId: "abc",
        } as Parameters<typeof m.getBootAssetURL>[0]),
      "options.bootAssetKind",
    ],
    [
      "service account without role or useUserRole",
      (m) => m.createServiceAccount({ name: "ci", armoredPgpPublicKey: publicKey }),
      "options.role",
    ],
    [
      "service account with an unknown role",
      (m) =>
        m.createServiceAccount({
          name: "ci",
          armoredPgpPublicKey: publicKey,
          role: "Root" as "Admin",
        }),
      "options.role",
    ],
    [
      "user role in the wrong case",
      (m) => m.createUser({ email: "a@example.com", role: "admin" as "Admin" }),
      "options.role",
    ],
    [
      "user updated to an unknown role",
      (m) => m.updateUser({ email: "a@example.com", role: "Boss" as "Admin" }),
      "options.role",
    ],
    [
      "join token name longer than 16 characters",
      (m) => m.createJoinToken({ name: "a-seventeen-chars" }),
      "options.name",
    ],
    [
      "join token name longer than 16 bytes of UTF-8",
      (m) => m.createJoinToken({ name: "é".repeat(9) }),
      "options.name",
    ],
    [
      "call options passed to omniconfig as its options",
      (m) => m.omniconfig({ timeoutMs: 100 } as never),
      "options.timeoutMs",
    ],
    [
      "a signal passed to listUsers as its options",
      (m) => m.listUsers({ signal: new AbortController().signal } as never),
      "options.signal",
    ],
    [
      "headers passed to listServiceAccounts as its options",
      (m) => m.listServiceAccounts({ headers: { a: "b" } } as never),
      "options.headers",
    ],
    [
      "options not an object",
      (m) => m.validateConfig(undefined as unknown as { config: string }),
      "options",
    ],
  ];

  it.each(cases)("%s", async (_name, call, argument) => {
    const { omni, management } = setup();
    let thrown: unknown;
    try {
      await call(management);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ValidationError);
    expect((thrown as ValidationError).argument).toBe(argument);
    expect(omni.requestCount()).toBe(0);
  });
});
