import { fromBinary } from "@bufbuild/protobuf";
import { type Client, Code, createClient } from "@connectrpc/connect";
import * as openpgp from "openpgp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { type OmniEmulator, startOmniEmulator } from "../../src/emulator/index.js";
import {
  AuditLogEventType,
  BootAssetURLRequest_BootAssetKind,
  KubernetesSyncManifestResponse_ResponseType,
  MaintenanceLifecycleRequest_Operation,
  ManagementService,
} from "../../src/gen/omni/management/management_pb.js";
import {
  MachineStatusSpec_PowerState,
  MachineStatusSpecSchema,
} from "../../src/gen/omni/specs/omni_pb.js";
import {
  collect,
  metadataInterceptor,
  type Protocol,
  protocols,
  rejection,
  serviceAccountSigner,
  signingInterceptor,
  transportFor,
} from "./support.js";

const decoder = new TextDecoder();
const dayMs = 24 * 3600 * 1000;

async function serviceAccountPublicKey(
  name: string,
  lifetimeSeconds = 30 * 24 * 3600,
): Promise<string> {
  const { publicKey } = await openpgp.generateKey({
    type: "ecc",
    curve: "ed25519Legacy",
    userIDs: [{ name, email: `${name}@serviceaccount.omni.sidero.dev` }],
    keyExpirationTime: lifetimeSeconds,
    format: "armored",
  });
  return publicKey;
}

function machinesOf(emulator: OmniEmulator): { member: string; spare: string } {
  const statuses = emulator.store.list("default", "MachineStatuses.omni.sidero.dev");
  const member = statuses.find(
    (r) => r.metadata?.labels["omni.sidero.dev/cluster"] === "production",
  );
  const spare = statuses.find((r) => r.metadata?.labels["omni.sidero.dev/cluster"] === undefined);
  return { member: member?.metadata?.id ?? "", spare: spare?.metadata?.id ?? "" };
}

describe.each(protocols)("every ManagementService method over %s", (protocol: Protocol) => {
  let emulator: OmniEmulator;
  let client: Client<typeof ManagementService>;
  let production: Client<typeof ManagementService>;
  let machines: { member: string; spare: string };

  beforeAll(async () => {
    emulator = await startOmniEmulator({
      seed: 11,
      timings: { followLogIntervalMs: 5, auditLogFollowWindowMs: 300 },
    });
    const signer = await serviceAccountSigner(emulator.keys.admin);
    client = createClient(
      ManagementService,
      transportFor(emulator, protocol, [signingInterceptor(signer)]),
    );
    production = createClient(
      ManagementService,
      transportFor(emulator, protocol, [
        metadataInterceptor({ context: "production" }),
        signingInterceptor(signer),
      ]),
    );
    machines = machinesOf(emulator);
  });
  afterAll(() => emulator.close());

  it("Kubeconfig answers a kubeconfig for the cluster named in metadata", async () => {
    const response = await production.kubeconfig({});
    const document = parse(decoder.decode(response.kubeconfig)) as {
      "current-context": string;
      clusters: Array<{ cluster: { server: string } }>;
    };
    expect(document["current-context"]).toBe("omni-emulator-production");
    expect(document.clusters[0]?.cluster.server).toContain("/kubernetes/production");
    const badGrant = await rejection(production.kubeconfig({ grantType: "password" }));
    expect(badGrant.code).toBe(Code.InvalidArgument);
    expect(badGrant.rawMessage).toBe('invalid grant type "password"');
    // As Omni's: a grant type adds it and the out-of-band redirect, a cache dir its option.
    const withOptions = decoder.decode(
      (
        await production.kubeconfig({
          grantType: "auto",
          oidcCacheBaseDir: "/tmp/cache",
          oidcCacheIsolation: true,
        })
      ).kubeconfig,
    );
    expect(withOptions).toContain("--grant-type=auto");
    expect(withOptions).toContain("--oidc-redirect-url=urn:ietf:wg:oauth:2.0:oob");
    expect(withOptions).toContain(
      "--token-cache-dir=/tmp/cache/omni-emulator-production-emulator-admin@serviceaccount.omni.sidero.dev",
    );
  });

  it("Kubeconfig for a service account needs a TTL of at most ten years, as in Omni", async () => {
    const request = { serviceAccount: true, serviceAccountUser: "ci" };
    const minted = await production.kubeconfig({
      ...request,
      serviceAccountTtl: { seconds: 315_360_000n },
    });
    expect(decoder.decode(minted.kubeconfig)).toContain("token:");
    const missing = await rejection(production.kubeconfig(request));
    expect(missing.code).toBe(Code.InvalidArgument);
    expect(missing.rawMessage).toBe("service account ttl is not set");
    const tooLong = await rejection(
      production.kubeconfig({ ...request, serviceAccountTtl: { seconds: 315_360_000n, nanos: 1 } }),
    );
    expect(tooLong.code).toBe(Code.InvalidArgument);
    expect(tooLong.rawMessage).toContain("too long");
    const negative = await rejection(
      production.kubeconfig({ ...request, serviceAccountTtl: { seconds: -1n } }),
    );
    expect(negative.code).toBe(Code.InvalidArgument);
  });

  it("Kubeconfig fills in any cluster name, but a service account's needs the cluster", async () => {
    const signer = await serviceAccountSigner(emulator.keys.admin);
    const unknown = createClient(
      ManagementService,
      transportFor(emulator, protocol, [
        metadataInterceptor({ cluster: "nope" }),
        signingInterceptor(signer),
      ]),
    );
    // Omni templates the OIDC kubeconfig from the name it is given, without a lookup.
    expect(decoder.decode((await unknown.kubeconfig({})).kubeconfig)).toContain(
      "omni-emulator-nope",
    );
    const error = await rejection(
      unknown.kubeconfig({
        serviceAccount: true,
        serviceAccountUser: "ci",
        serviceAccountTtl: { seconds: 3600n },
      }),
    );
    expect(error.code).toBe(Code.Unknown);
    expect(error.rawMessage).toContain("failed to get cluster UUID");
  });

  it("Talosconfig and Omniconfig answer YAML for the caller", async () => {
    const talosconfig = parse(decoder.decode((await production.talosconfig({})).talosconfig)) as {
      context: string;
      contexts: Record<string, { cluster: string; auth: { siderov1: { identity: string } } }>;
    };
    expect(talosconfig.contexts[talosconfig.context]?.cluster).toBe("production");
    expect(talosconfig.contexts[talosconfig.context]?.auth.siderov1.identity).toBe(
      "emulator-admin@serviceaccount.omni.sidero.dev",
    );
    const instanceWide = parse(decoder.decode((await client.talosconfig({})).talosconfig)) as {
      context: string;
    };
    expect(instanceWide.context).toBe("omni-emulator");
    const omniconfig = parse(decoder.decode((await client.omniconfig({})).omniconfig)) as {
      context: string;
      contexts: Record<string, { url: string }>;
    };
    expect(omniconfig.context).toBe("default");
    expect(omniconfig.contexts.default?.url).toBe(emulator.url);
  });

  it("Talosconfig refuses raw and break-glass configs, as a production Omni does", async () => {
    for (const request of [{ raw: true }, { breakGlass: true }]) {
      const error = await rejection(production.talosconfig(request));
      expect(error.code).toBe(Code.PermissionDenied);
      expect(error.rawMessage).toBe("not allowed");
    }
  });

  it("MachineLogs tails and follows until cancelled", async () => {
    const tail = await collect(client.machineLogs({ machineId: machines.member, tailLines: 5 }));
    expect(tail).toHaveLength(5);
    // Like Omni: one line per message, without a line break.
    expect(tail.every((data) => !decoder.decode(data.bytes).includes("\n"))).toBe(true);
    expect(JSON.parse(decoder.decode(tail[0]?.bytes))).toHaveProperty("talos-service");
    const all = await collect(client.machineLogs({ machineId: machines.member, tailLines: -1 }));
    expect(all.length).toBeGreaterThan(5);
    expect(await collect(client.machineLogs({ machineId: machines.member }))).toHaveLength(0);
    const abort = new AbortController();
    let lines = 0;
    const follow = (async () => {
      for await (const _chunk of client.machineLogs(
        { machineId: machines.member, tailLines: 1, follow: true },
        { signal: abort.signal },
      )) {
        lines++;
        if (lines === 4) {
          abort.abort();
        }
      }
    })();
    const error = await rejection(follow);
    expect(error.code).toBe(Code.Canceled);
    expect(lines).toBe(4);
    expect(
      (await rejection(collect(client.machineLogs({ machineId: "missing", tailLines: 1 })))).code,
    ).toBe(Code.NotFound);
  });

  it("ValidateConfig accepts patches and rejects fields Omni owns", async () => {
    await client.validateConfig({ config: "machine:\n  network:\n    hostname: a\n" });
    const error = await rejection(client.validateConfig({ config: "machine:\n  token: abc\n" }));
    expect(error.code).toBe(Code.InvalidArgument);
    expect(error.rawMessage).toContain("machine.token");
  });

  it("ValidateJSONSchema lists every violation flat, as Omni does", async () => {
    const schema = JSON.stringify({
      type: "object",
      required: ["name"],
      properties: {
        size: {
          type: "object",
          properties: { cpu: { type: "integer", minimum: 1 }, disk: { type: "string" } },
        },
      },
    });
    const ok = await client.validateJSONSchema({
      schema,
      data: JSON.stringify({ name: "a", size: { cpu: 2 } }),
    });
    expect(ok.errors).toHaveLength(0);
    const bad = await client.validateJSONSchema({
      schema,
      data: JSON.stringify({ size: { cpu: 0, disk: 5 } }),
    });
    // Omni names the schema after a file in its directory and flattens the validator's causes.
    const file = expect.stringMatching(/^file:\/\/\/.*\/untitled-schema\.json#/);
    expect(
      bad.errors.map(({ schemaPath, dataPath, cause, errors }) => ({
        schemaPath: schemaPath.replace(/^.*#/, "#"),
        dataPath,
        cause,
        errors,
      })),
    ).toEqual([
      { schemaPath: "#", dataPath: "/name", cause: "property is required", errors: [] },
      {
        schemaPath: "#/properties/size",
        dataPath: "/size",
        cause: "validation failed",
        errors: [],
      },
      {
        schemaPath: "#/properties/size/properties/cpu",
        dataPath: "/size/cpu",
        cause: "minimum: got 0, want 1",
        errors: [],
      },
      {
        schemaPath: "#/properties/size/properties/disk",
        dataPath: "/size/disk",
        cause: "got number, want string",
        errors: [],
      },
    ]);
    expect(bad.errors[0]?.schemaPath).toEqual(file);
    // A schema Go's JSON decoder cannot read is a plain error (code Unknown) with its text.
    const cut = await rejection(client.validateJSONSchema({ schema: "{", data: "{}" }));
    expect(cut.code).toBe(Code.Unknown);
    expect(cut.rawMessage).toBe("unexpected EOF");
    const notJson = await rejection(client.validateJSONSchema({ schema: "not json", data: "{}" }));
    expect(notJson.rawMessage).toBe("invalid character 'o' in literal null (expecting 'u')");
  });

  it("creates, lists, renews and destroys service accounts", async () => {
    const name = `ci-${protocol.replace(/[^a-z]/g, "")}`;
    const created = await client.createServiceAccount({
      name,
      role: "Operator",
      armoredPgpPublicKey: await serviceAccountPublicKey(name),
    });
    expect(created.publicKeyId).toMatch(/^[0-9a-f]{40}$/);
    const renewed = await client.renewServiceAccount({
      name,
      armoredPgpPublicKey: await serviceAccountPublicKey(name),
    });
    const listed = (await client.listServiceAccounts({})).serviceAccounts.find(
      (account) => account.name === name,
    );
    expect(listed?.role).toBe("Operator");
    expect(listed?.pgpPublicKeys.map((key) => key.id).sort()).toEqual(
      [created.publicKeyId, renewed.publicKeyId].sort(),
    );
    expect(
      (
        await rejection(
          client.createServiceAccount({
            name,
            role: "Reader",
            armoredPgpPublicKey: await serviceAccountPublicKey(name),
          }),
        )
      ).code,
    ).toBe(Code.AlreadyExists);
    await client.destroyServiceAccount({ name });
    const after = await client.listServiceAccounts({});
    expect(after.serviceAccounts.map((account) => account.name)).not.toContain(name);
    expect((await rejection(client.destroyServiceAccount({ name }))).code).toBe(Code.NotFound);
  });

  it("refuses service-account keys living longer than 365 days", async () => {
    const error = await rejection(
      client.createServiceAccount({
        name: "too-long",
        role: "Reader",
        armoredPgpPublicKey: await serviceAccountPublicKey("too-long", 400 * 24 * 3600),
      }),
    );
    // go-api-signature's plain error, passed on by Omni: code Unknown.
    expect(error.code).toBe(Code.Unknown);
    expect(error.rawMessage).toBe("key lifetime is too long: 9600h0m0s");
  });

  it("KubernetesUpgradePreChecks refuses an unsupported upgrade path, as Omni does", async () => {
    expect((await production.kubernetesUpgradePreChecks({ newVersion: "1.33.3" })).ok).toBe(true);
    expect((await production.kubernetesUpgradePreChecks({ newVersion: "1.34" })).ok).toBe(true);
    for (const [newVersion, path] of [
      ["1.35.0", "1.33->1.35"],
      ["1.32.0", "1.33->1.32"],
    ]) {
      const error = await rejection(production.kubernetesUpgradePreChecks({ newVersion }));
      expect(error.code).toBe(Code.InvalidArgument);
      expect(error.rawMessage).toBe(`unsupported upgrade path: ${path}`);
    }
  });

  it("KubernetesSyncManifests shows a diff on dry run, rolls out for real, then has nothing to do", async () => {
    const dryRun = await collect(production.kubernetesSyncManifests({ dryRun: true }));
    expect(
      dryRun.every(
        (r) =>
          r.responseType === KubernetesSyncManifestResponse_ResponseType.MANIFEST && !r.skipped,
      ),
    ).toBe(true);
    const real = await collect(production.kubernetesSyncManifests({}));
    expect(
      real.some((r) => r.responseType === KubernetesSyncManifestResponse_ResponseType.ROLLOUT),
    ).toBe(true);
    const again = await collect(production.kubernetesSyncManifests({}));
    expect(again.every((r) => r.skipped)).toBe(true);
  });

  it("CreateSchematic and CreateSchematicFromRaw derive ids from content", async () => {
    const first = await client.createSchematic({
      extensions: ["siderolabs/iscsi-tools"],
      talosVersion: "1.10.5",
    });
    const same = await client.createSchematic({
      extensions: ["siderolabs/iscsi-tools"],
      talosVersion: "1.10.5",
    });
    const other = await client.createSchematic({
      extensions: ["siderolabs/gvisor"],
      talosVersion: "1.10.5",
    });
    expect(first.schematicId).toMatch(/^[0-9a-f]{64}$/);
    expect(same.schematicId).toBe(first.schematicId);
    expect(other.schematicId).not.toBe(first.schematicId);
    expect(first.schematicYml).toContain("siderolabs/iscsi-tools");
    const raw = await client.createSchematicFromRaw({
      rawSchematic: new TextEncoder().encode(first.schematicYml),
      talosVersion: "1.10.5",
    });
    expect(raw.schematicId).toBe(first.schematicId);
    const asset = await client.getBootAssetURL({
      schematicId: first.schematicId,
      talosVersion: "1.10.5",
      bootAssetKind: BootAssetURLRequest_BootAssetKind.ISO,
      standaloneUrl: true,
    });
    expect(asset.url).toBe(
      `https://factory.talos.dev/image/${first.schematicId}/v1.10.5/metal-amd64.iso`,
    );
    const unset = await rejection(
      client.getBootAssetURL({ schematicId: first.schematicId, talosVersion: "1.10.5" }),
    );
    expect(unset.code).toBe(Code.InvalidArgument);
  });

  it("GetSupportBundle streams progress then the zip in one message, as Omni sends it", async () => {
    const messages = await collect(client.getSupportBundle({ cluster: "production" }));
    const progress = messages.filter((m) => m.progress);
    expect(progress.length).toBeGreaterThan(1);
    const chunks = messages.filter((m) => m.bundleData.length > 0).map((m) => m.bundleData);
    // Omni's Go client takes the first `bundle_data` as the whole bundle.
    expect(chunks).toHaveLength(1);
    expect(messages.at(-1)?.bundleData.length).toBeGreaterThan(0);
    const bundle = Buffer.concat(chunks);
    expect(bundle.subarray(0, 4)).toEqual(Buffer.from([0x50, 0x4b, 0x03, 0x04]));
    // Omni skips what it cannot find: an unknown cluster gives a bundle and a progress error.
    const unknown = await collect(client.getSupportBundle({ cluster: "nope" }));
    expect(unknown[0]?.progress?.error).toContain("kubeconfig for cluster nope is not found");
    expect(unknown.at(-1)?.bundleData.subarray(0, 4)).toEqual(
      new Uint8Array([0x50, 0x4b, 0x05, 0x06]),
    );
  });

  it("ReadAuditLog filters entries and follows new ones", async () => {
    const all = await collect(client.readAuditLog({}));
    expect(all.length).toBeGreaterThan(3);
    // Without a start day Omni reads 29 days back; the seeded entry of 40 days ago needs one.
    const resourceIds = (entries: typeof all) =>
      entries.map((entry) => JSON.parse(decoder.decode(entry.auditLog)).resource_id);
    expect(resourceIds(all)).not.toContain("legacy");
    const longAgo = new Date(Date.now() - 45 * dayMs).toISOString().slice(0, 10);
    expect(resourceIds(await collect(client.readAuditLog({ startTime: longAgo })))).toContain(
      "legacy",
    );
    const creates = await collect(client.readAuditLog({ eventType: AuditLogEventType.CREATE }));
    expect(creates.length).toBeGreaterThan(0);
    expect(
      creates.every((entry) => JSON.parse(decoder.decode(entry.auditLog)).event_type === "create"),
    ).toBe(true);
    const today = new Date(Date.now() + dayMs).toISOString().slice(0, 10);
    const future = await collect(client.readAuditLog({ startTime: today }));
    expect(future).toHaveLength(0);
    // As in Omni, the acknowledgment carries the position just before the first entry sent.
    const followed = await collect(client.readAuditLog({ follow: true, fromId: 2n }));
    expect(followed[0]?.auditLog.length).toBe(0);
    expect(followed[0]?.id).toBe(1n);
    expect(followed[1]?.id).toBe(2n);
    const latest = (await collect(client.readAuditLog({}))).at(-1)?.id;
    const fromTail = await collect(client.readAuditLog({ follow: true }));
    expect(fromTail).toHaveLength(1);
    expect(fromTail[0]?.id).toBe(latest);
    expect(
      (await rejection(collect(client.readAuditLog({ follow: true, search: "x" })))).code,
    ).toBe(Code.InvalidArgument);
  });

  it("MaintenanceUpgrade and MaintenanceLifecycle work on machines in maintenance mode only", async () => {
    await client.maintenanceUpgrade({ machineId: machines.spare, version: "1.10.6" });
    const error = await rejection(
      client.maintenanceUpgrade({ machineId: machines.member, version: "1.10.6" }),
    );
    expect(error.code).toBe(Code.FailedPrecondition);
    const steps = await collect(
      client.maintenanceLifecycle({
        machineId: machines.spare,
        operation: MaintenanceLifecycleRequest_Operation.INSTALL,
        version: "1.10.6",
        disk: "/dev/sda",
      }),
    );
    expect(steps[0]?.message).toContain("/dev/sda");
  });

  it("MaintenanceLifecycle checks disk and version per operation, as Omni does", async () => {
    const { INSTALL, UPGRADE } = MaintenanceLifecycleRequest_Operation;
    // Omni checks the request before it looks the machine up, so an unknown one is never reached.
    for (const request of [
      { machineId: "no-such-machine", operation: INSTALL, version: "1.10.6" },
      { machineId: "no-such-machine", operation: UPGRADE, version: "1.10.6", disk: "/dev/sda" },
      { machineId: "no-such-machine", operation: UPGRADE },
    ]) {
      expect((await rejection(collect(client.maintenanceLifecycle(request)))).code).toBe(
        Code.InvalidArgument,
      );
    }
    // Without a version, the Talos the machine runs in memory is installed.
    const steps = await collect(
      client.maintenanceLifecycle({
        machineId: machines.spare,
        operation: INSTALL,
        disk: "/dev/nvme0n1",
      }),
    );
    expect(steps[0]?.message).toMatch(/^installing Talos v\d+\.\d+\.\d+ to \/dev\/nvme0n1$/);
  });

  it("join tokens and join config", async () => {
    const defaultConfig = await client.getMachineJoinConfig({});
    expect(defaultConfig.kernelArgs.some((arg) => arg.startsWith("siderolink.api="))).toBe(true);
    expect(defaultConfig.config).toContain("SideroLinkConfig");
    const token = await client.createJoinToken({ name: "lab" });
    const config = await client.getMachineJoinConfig({ joinToken: token.id, useGrpcTunnel: true });
    expect(config.kernelArgs[0]).toContain(`jointoken=${token.id}`);
    expect(config.kernelArgs[0]).toContain("grpc_tunnel=true");
    // Omni renders any token; a machine with a bad one is refused when it joins.
    const unknown = await client.getMachineJoinConfig({ joinToken: "unknown" });
    expect(unknown.kernelArgs[0]).toContain("jointoken=unknown");
    expect((await rejection(client.createJoinToken({ name: "" }))).code).toBe(Code.InvalidArgument);
    // Omni's limit is 16 bytes.
    await client.createJoinToken({ name: "sixteen-chars-ok" });
    const long = await rejection(client.createJoinToken({ name: "a-seventeen-chars" }));
    expect(long.code).toBe(Code.InvalidArgument);
    expect(long.rawMessage).toBe("token name cannot be longer than 16 symbols");
    expect((await rejection(client.createJoinToken({ name: "é".repeat(9) }))).code).toBe(
      Code.InvalidArgument,
    );
  });

  it("ResetNodeUniqueToken, MachinePowerOff and MachinePowerOn act on known machines", async () => {
    const power = (id: string) => {
      const stored = emulator.store.get("default", "MachineStatuses.omni.sidero.dev", id);
      const spec = fromBinary(MachineStatusSpecSchema, stored?.spec?.protoSpec ?? new Uint8Array());
      const machine = emulator.store.get("default", "Machines.omni.sidero.dev", id);
      return [spec.powerState, spec.connected, machine?.metadata?.version] as const;
    };
    await client.resetNodeUniqueToken({ id: machines.member });
    await client.machinePowerOff({ machineId: machines.member });
    expect(power(machines.member).slice(0, 2)).toEqual([MachineStatusSpec_PowerState.OFF, false]);
    await client.machinePowerOff({ machineId: machines.spare });
    const off = power(machines.spare);
    expect(off.slice(0, 2)).toEqual([MachineStatusSpec_PowerState.OFF, false]);
    await client.machinePowerOn({ machineId: machines.spare });
    const on = power(machines.spare);
    expect(on.slice(0, 2)).toEqual([MachineStatusSpec_PowerState.ON, true]);
    expect(on[2]).not.toBe(off[2]);
    expect((await rejection(client.machinePowerOff({ machineId: "missing" }))).code).toBe(
      Code.NotFound,
    );
  });

  it("MachinePowerOn refuses a machine no static infrastructure provider manages", async () => {
    const error = await rejection(client.machinePowerOn({ machineId: machines.member }));
    expect(error.code).toBe(Code.FailedPrecondition);
    expect(error.rawMessage).toBe(
      "machine is not managed by a static infra provider, power on the machine manually",
    );
  });

  it("ResetNodeUniqueToken needs the Admin role", async () => {
    const operator = createClient(
      ManagementService,
      transportFor(emulator, protocol, [
        signingInterceptor(await serviceAccountSigner(emulator.keys.operator)),
      ]),
    );
    const error = await rejection(operator.resetNodeUniqueToken({ id: machines.member }));
    expect(error.code).toBe(Code.PermissionDenied);
  });

  it("users CRUD", async () => {
    const email = `Dev-${protocol}@Example.com`;
    const created = await client.createUser({ email, role: "Reader" });
    expect(created.userId).not.toBe("");
    await client.updateUser({ email, role: "Operator" });
    const listed = (await client.listUsers({})).users.find(
      (user) => user.email === email.toLowerCase(),
    );
    expect(listed?.role).toBe("Operator");
    // Both are plain errors in Omni, which gRPC sends as Unknown.
    const duplicate = await rejection(client.createUser({ email, role: "Reader" }));
    expect(duplicate.code).toBe(Code.Unknown);
    expect(duplicate.rawMessage).toBe(`user with email "${email.toLowerCase()}" already exists`);
    const badRole = await rejection(client.createUser({ email: "x@example.com", role: "Boss" }));
    expect(badRole.code).toBe(Code.Unknown);
    expect(badRole.rawMessage).toBe('unknown role to parse: "Boss"');
    await client.destroyUser({ email });
    expect((await client.listUsers({})).users.map((user) => user.email)).not.toContain(
      email.toLowerCase(),
    );
  });

  it("users: refuses self-changes and service accounts the way Omni does", async () => {
    const self = "emulator-admin@serviceaccount.omni.sidero.dev";
    const ownRole = await rejection(client.updateUser({ email: self, role: "Reader" }));
    expect(ownRole.code).toBe(Code.InvalidArgument);
    expect(ownRole.rawMessage).toBe("updating your own role is not allowed");
    const ownAccount = await rejection(client.destroyUser({ email: self.toUpperCase() }));
    expect(ownAccount.code).toBe(Code.InvalidArgument);
    expect(ownAccount.rawMessage).toBe("destroying your own account is not allowed");
    const account = await rejection(
      client.destroyUser({ email: "emulator-reader@serviceaccount.omni.sidero.dev" }),
    );
    expect(account.code).toBe(Code.InvalidArgument);
    const missing = await rejection(client.destroyUser({ email: "nobody@example.com" }));
    expect(missing.code).toBe(Code.NotFound);
    expect(missing.rawMessage).toBe('user "nobody@example.com" not found');
  });

  it("TearDownLockedCluster is not served by the current API", async () => {
    const error = await rejection(client.tearDownLockedCluster({ clusterId: "production" }));
    expect(error.code).toBe(Code.Unimplemented);
  });
});

describe("an emulator of Omni v1.2", () => {
  let emulator: OmniEmulator;
  beforeAll(async () => {
    emulator = await startOmniEmulator({ omniVersion: "1.2" });
  });
  afterAll(() => emulator.close());

  it.each(protocols)(
    "serves TearDownLockedCluster and lacks newer methods over %s",
    async (protocol) => {
      const signer = await serviceAccountSigner(emulator.keys.admin);
      const client = createClient(
        ManagementService,
        transportFor(emulator, protocol, [signingInterceptor(signer)]),
      );
      await client.tearDownLockedCluster({ clusterId: "production" });
      expect((await rejection(client.tearDownLockedCluster({ clusterId: "nope" }))).code).toBe(
        Code.NotFound,
      );
      for (const call of [
        () => client.listUsers({}),
        () => client.machinePowerOn({ machineId: "x" }),
        () => client.getBootAssetURL({}),
      ]) {
        expect((await rejection(call())).code).toBe(Code.Unimplemented);
      }
      expect((await rejection(collect(client.maintenanceLifecycle({})))).code).toBe(
        Code.Unimplemented,
      );
    },
  );
});
