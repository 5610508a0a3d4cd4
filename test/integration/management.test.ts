import * as openpgp from "openpgp";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import {
  CanceledError,
  DeadlineExceededError,
  FailedPreconditionError,
  InvalidArgumentError,
  NotFoundError,
  PermissionDeniedError,
  UnimplementedError,
} from "../../src/errors.js";
import { MachineStatuses } from "../../src/resources/registry.js";
import {
  clientOver,
  drain,
  failure,
  type TransportName,
  take,
  transportNames,
  useEmulator,
} from "./harness.js";

const emulator = useEmulator({ timings: { followLogIntervalMs: 20, auditLogFollowWindowMs: 400 } });

/** A short-lived ed25519 key, as `omnictl serviceaccount create` makes (cheap, unlike RSA). */
async function servicePublicKey(name: string): Promise<string> {
  const { publicKey } = await openpgp.generateKey({
    type: "ecc",
    curve: "ed25519Legacy",
    userIDs: [{ name, email: `${name}@serviceaccount.omni.sidero.dev` }],
    keyExpirationTime: 24 * 3600,
    format: "armored",
  });
  return publicKey;
}

async function machineIdOf(transport: TransportName, hostname: string): Promise<string> {
  const statuses = await clientOver(emulator(), transport, { key: "reader" }).resources.listAll(
    MachineStatuses,
  );
  const machine = statuses.find((status) => status.spec.network?.hostname === hostname);
  if (!machine) {
    throw new Error(`the seeded fleet has no machine ${hostname}`);
  }
  return machine.metadata.id;
}

// Names must differ per transport: every transport talks to the same emulator.
const slug = (transport: TransportName) => transport.toLowerCase().replace(/[^a-z]+/g, "-");

describe.each(transportNames)("management facade over %s", (transport) => {
  const admin = () => clientOver(emulator(), transport);
  const reader = () => clientOver(emulator(), transport, { key: "reader" });

  describe("cluster documents", () => {
    it("kubeconfig names the cluster given as metadata and the caller's OIDC login", async () => {
      const document = parseYaml(await admin().management.kubeconfig({ cluster: "production" }));
      expect(document["current-context"]).toBe("omni-emulator-production");
      expect(document.clusters[0].cluster.server).toBe(
        `${emulator().gatewayUrl}/kubernetes/production`,
      );
      expect(document.users[0].user.exec.args).toContain("--oidc-extra-scope=cluster:production");
    });

    it("kubeconfig for a service account carries its user name and grant type", async () => {
      const document = parseYaml(
        await admin().management.kubeconfig({
          cluster: "staging",
          serviceAccount: true,
          serviceAccountUser: "ci-bot",
          serviceAccountTtlSeconds: 3600,
        }),
      );
      expect(document.users[0].name).toBe("omni-emulator-staging-ci-bot");
      expect(typeof document.users[0].user.token).toBe("string");
      const authcode = parseYaml(
        await reader().management.kubeconfig({ cluster: "dev", grantType: "authcode" }),
      );
      expect(authcode.users[0].user.exec.args).toContain("--grant-type=authcode");
    });

    it("talosconfig names the cluster and the caller; omniconfig points at gRPC", async () => {
      const talos = parseYaml(await reader().management.talosconfig({ cluster: "staging" }));
      expect(talos.context).toBe("omni-emulator-staging");
      expect(talos.contexts["omni-emulator-staging"].cluster).toBe("staging");
      const instance = parseYaml(await reader().management.talosconfig());
      expect(instance.contexts["omni-emulator"].auth.siderov1.identity).toBe(
        "emulator-reader@serviceaccount.omni.sidero.dev",
      );
      const omni = parseYaml(await reader().management.omniconfig());
      expect(omni.contexts.default.url).toBe(emulator().url);
    });

    it("refuses raw and break-glass configs as a production Omni does, with PermissionDenied", async () => {
      for (const call of [
        () => admin().management.talosconfig({ cluster: "production", raw: true }),
        () => admin().management.talosconfig({ cluster: "production", breakGlass: true }),
        () => admin().management.kubeconfig({ cluster: "production", breakGlass: true }),
      ]) {
        const error = await failure(call());
        expect(error).toBeInstanceOf(PermissionDeniedError);
        expect(error.rawMessage).toBe("not allowed");
      }
    });
  });

  describe("machine logs", () => {
    it("tails the last lines as raw chunks and as lines", async () => {
      const machineId = await machineIdOf(transport, "production-cp-1");
      const chunks = await drain(reader().management.machineLogs({ machineId, tailLines: 5 }));
      expect(chunks).toHaveLength(5);
      expect(chunks.every((chunk) => chunk instanceof Uint8Array)).toBe(true);
      const lines = await drain(reader().management.machineLogLines({ machineId, tailLines: 3 }));
      expect(lines).toHaveLength(3);
      for (const line of lines) {
        expect(JSON.parse(line).msg).toContain("production-cp-1");
      }
    });

    it("follows new lines until the caller aborts, then fails with CanceledError", async () => {
      const machineId = await machineIdOf(transport, "dev-cp-1");
      const controller = new AbortController();
      const seen: string[] = [];
      const error = await failure(
        (async () => {
          for await (const line of reader().management.machineLogLines(
            { machineId, follow: true, tailLines: 1 },
            { signal: controller.signal },
          )) {
            seen.push(line);
            // Past the one history line: these come from follow mode.
            if (seen.length === 3) {
              controller.abort();
            }
          }
        })(),
      );
      expect(error).toBeInstanceOf(CanceledError);
      expect(seen).toHaveLength(3);
      expect(JSON.parse(seen[2] ?? "{}").msg).toContain("event 121");
    });

    it("a followed log past its deadline fails with DeadlineExceededError", async () => {
      const machineId = await machineIdOf(transport, "dev-cp-1");
      const error = await failure(
        reader().management.machineLogs({ machineId, follow: true }, { timeoutMs: 300 }),
      );
      expect(error).toBeInstanceOf(DeadlineExceededError);
    });

    it("leaving the loop early stops the stream without an error", async () => {
      const machineId = await machineIdOf(transport, "dev-cp-1");
      const lines = await take(
        reader().management.machineLogLines({ machineId, follow: true, tailLines: 2 }),
        4,
      );
      expect(lines).toHaveLength(4);
    });

    it("an unknown machine is NotFound", async () => {
      const error = await failure(reader().management.machineLogs({ machineId: "no-such-id" }));
      expect(error).toBeInstanceOf(NotFoundError);
    });
  });

  describe("validation", () => {
    it("accepts a valid machine config and rejects an unknown field", async () => {
      await expect(
        reader().management.validateConfig({ config: "machine:\n  network:\n    hostname: a\n" }),
      ).resolves.toBeUndefined();
      const error = await failure(
        reader().management.validateConfig({ config: "machine: {}\nnonsense: true\n" }),
      );
      expect(error).toBeInstanceOf(InvalidArgumentError);
    });

    it("maps JSON-schema errors into a nested model", async () => {
      const schema = JSON.stringify({
        type: "object",
        properties: { replicas: { type: "integer" } },
        required: ["replicas"],
      });
      const valid = await reader().management.validateJSONSchema({
        schema,
        data: '{"replicas": 3}',
      });
      expect(valid.valid).toBe(true);
      const invalid = await reader().management.validateJSONSchema({
        schema,
        data: '{"replicas": "three"}',
      });
      expect(invalid.valid).toBe(false);
      expect(invalid.totalErrors).toBeGreaterThan(0);
      expect(JSON.stringify(invalid.errors)).toContain("replicas");
    });
  });

  describe("service accounts", () => {
    it("creates, renews, lists and destroys an account", async () => {
      const name = `sa-${slug(transport)}`;
      const [first, second] = await Promise.all([servicePublicKey(name), servicePublicKey(name)]);
      const created = await admin().management.createServiceAccount({
        name,
        armoredPgpPublicKey: first,
        role: "Reader",
      });
      expect(created.publicKeyId).toMatch(/^[0-9a-f]{40}$/);
      const renewed = await admin().management.renewServiceAccount({
        name,
        armoredPgpPublicKey: second,
      });
      expect(renewed.publicKeyId).not.toBe(created.publicKeyId);

      const account = (await admin().management.listServiceAccounts()).find(
        (candidate) => candidate.name === name,
      );
      expect(account?.role).toBe("Reader");
      expect(account?.publicKeys.map((key) => key.id).sort()).toEqual(
        [created.publicKeyId, renewed.publicKeyId].sort(),
      );
      expect(account?.publicKeys[0]?.expiration).toBeInstanceOf(Date);

      await admin().management.destroyServiceAccount({ name });
      const names = (await admin().management.listServiceAccounts()).map((sa) => sa.name);
      expect(names).not.toContain(name);
      expect(names).toContain("emulator-reader");
    });

    it("a reader may not list service accounts", async () => {
      const error = await failure(reader().management.listServiceAccounts());
      expect(error).toBeInstanceOf(PermissionDeniedError);
    });
  });

  describe("kubernetes", () => {
    it("pre-checks an upgrade one minor version ahead and refuses a skipped one", async () => {
      const ok = await admin().management.kubernetesUpgradePreChecks({
        cluster: "dev",
        newVersion: "1.33.0",
      });
      expect(ok).toEqual({ ok: true, reason: "" });
      // Omni refuses an unsupported path outright rather than answering ok: false.
      const skipped = await failure(
        admin().management.kubernetesUpgradePreChecks({ cluster: "dev", newVersion: "1.34.0" }),
      );
      expect(skipped).toBeInstanceOf(InvalidArgumentError);
      expect(skipped.rawMessage).toBe("unsupported upgrade path: 1.32->1.34");
    });

    it("streams a dry-run manifest sync without rollouts", async () => {
      const results = await drain(
        admin().management.kubernetesSyncManifests({
          cluster: "production",
          dryRun: true,
          ssa: { inventoryPolicy: "adopt-all", reconcileTimeoutSeconds: 30 },
        }),
      );
      expect(results.map((result) => result.type)).toEqual(["manifest", "manifest", "manifest"]);
      expect(results[0]?.path).toBe("apps/v1/DaemonSet/kube-system/kube-proxy");
      expect(results[0]?.diff).toContain("+ kind: DaemonSet");
      expect(results.every((result) => !result.skipped)).toBe(true);
    });
  });

  describe("schematics and boot assets", () => {
    it("creates a schematic whose YAML reflects every option sent", async () => {
      // Omni counts a schematic as good as a machine: Operator at least.
      expect(await failure(reader().management.createSchematic({}))).toBeInstanceOf(
        PermissionDeniedError,
      );
      const schematic = await admin().management.createSchematic({
        extensions: ["siderolabs/iscsi-tools", "siderolabs/amd-ucode"],
        extraKernelArgs: ["console=ttyS0"],
        metaValues: { 10: "rack-1" },
        talosVersion: "v1.10.5",
        siderolinkGrpcTunnelMode: "enabled",
        bootloader: "sd",
      });
      expect(schematic.id).toMatch(/^[0-9a-f]{64}$/);
      expect(schematic.grpcTunnelEnabled).toBe(true);
      // Current Omni no longer fills in a PXE URL.
      expect(schematic.pxeUrl).toBe("");
      const yaml = parseYaml(schematic.yaml);
      expect(yaml.customization.systemExtensions.officialExtensions).toEqual([
        "siderolabs/amd-ucode",
        "siderolabs/iscsi-tools",
      ]);
      // As in Omni, SideroLink's arguments come first, then the ones asked for.
      expect(yaml.customization.extraKernelArgs.at(-1)).toBe("console=ttyS0");
      expect(yaml.customization.extraKernelArgs.join(" ")).toContain("grpc_tunnel=true");
      expect(yaml.customization.meta).toEqual([{ key: 10, value: "rack-1" }]);
      expect(yaml.customization.bootloader).toBe("sd-boot");
    });

    it("creates a schematic from raw YAML and builds boot asset URLs for it", async () => {
      const raw = "customization:\n  extraKernelArgs:\n    - net.ifnames=0\n";
      const schematic = await admin().management.createSchematicFromRaw({
        rawSchematic: raw,
        talosVersion: "1.10.4",
      });
      // Omni answers a raw schematic with its ID alone.
      expect(schematic.id).toMatch(/^[0-9a-f]{64}$/);
      expect(schematic.yaml).toBe("");
      expect(
        await failure(
          reader().management.getBootAssetURL({
            talosVersion: "v1.10.4",
            schematicId: schematic.id,
            bootAssetKind: "iso",
          }),
        ),
      ).toBeInstanceOf(PermissionDeniedError);
      const iso = await admin().management.getBootAssetURL({
        talosVersion: "v1.10.4",
        schematicId: schematic.id,
        bootAssetKind: "iso",
        architecture: "arm64",
        secureBoot: true,
      });
      expect(iso.storageKey).toBe(`${schematic.id}/v1.10.4/metal-arm64-secureboot`);
      expect(iso.url).toBe(`${emulator().gatewayUrl}/image/${iso.storageKey}.iso`);
      expect(iso.imageFactoryHost).toBe("factory.talos.dev");
      const pxe = await admin().management.getBootAssetURL({
        talosVersion: "v1.10.4",
        schematicId: schematic.id,
        bootAssetKind: "pxe",
        standaloneUrl: true,
      });
      expect(pxe.url).toBe(`https://pxe.factory.talos.dev/pxe/${schematic.id}/v1.10.4/metal-amd64`);
    });
  });

  describe("support bundle", () => {
    it("streams progress per source, then the zip in one message", async () => {
      const events = await drain(admin().management.getSupportBundle({ cluster: "staging" }));
      const progress = events.flatMap((event) => (event.type === "progress" ? [event] : []));
      const sources = [...new Set(progress.map((event) => event.source))];
      expect(sources[0]).toBe("omni");
      expect(sources.slice(1).sort()).toEqual([
        "staging-cp-1",
        "staging-worker-2",
        "staging-worker-3",
      ]);
      // Omni sends no value, only a total per source; the SDK counts the steps.
      const lastOfEach = sources.map((source) =>
        progress.filter((event) => event.source === source).at(-1),
      );
      expect(lastOfEach.map((event) => event?.percent)).toEqual([100, 100, 100, 100]);
      expect(progress[0]).toMatchObject({ value: 1, total: 2, percent: 50 });
      const chunks = events.flatMap((event) => (event.type === "data" ? [event.bytes] : []));
      // Omni sends the bundle in one message (its Go client reads only the first).
      expect(chunks).toHaveLength(1);
      const zip = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
      let offset = 0;
      for (const chunk of chunks) {
        zip.set(chunk, offset);
        offset += chunk.length;
      }
      // A zip starts with a local file header and ends with the end-of-central-directory record.
      expect([...zip.subarray(0, 4)]).toEqual([0x50, 0x4b, 0x03, 0x04]);
      expect([...zip.subarray(zip.length - 22, zip.length - 18)]).toEqual([0x50, 0x4b, 0x05, 0x06]);
    });

    it("an encrypted bundle is refused by the emulator as a precondition", async () => {
      const error = await failure(
        admin().management.getSupportBundle({ cluster: "staging", encrypt: true }),
      );
      expect(error).toBeInstanceOf(FailedPreconditionError);
    });
  });

  describe("audit log", () => {
    it("reads filtered entries and follows new ones", async () => {
      // Omni limits join token names to 16 bytes.
      const name = `au-${slug(transport)}`;
      await admin().management.createJoinToken({ name });
      const created = await drain(
        admin().management.readAuditLog({ eventType: "create", resourceId: name }),
      );
      expect(created).toHaveLength(1);
      expect(created[0]).toMatchObject({
        eventType: "create",
        resourceType: "JoinTokens.omni.sidero.dev",
        resourceId: name,
        actor: "emulator-admin@serviceaccount.omni.sidero.dev",
      });
      // The emulator ends each follow stream after 400 ms, as Omni does after its lease; the SDK
      // resumes on a new stream, so an entry written after that still arrives, exactly once.
      const followed = admin().management.readAuditLog({
        follow: true,
        startTsMs: Date.now() - 60_000,
      });
      const later = `au2-${slug(transport)}`.slice(0, 16);
      const seen: string[] = [];
      let lastId = 0n;
      for await (const entry of followed) {
        expect(entry.id).toBeGreaterThan(lastId);
        lastId = entry.id;
        expect(followed.position).toBe(entry.id);
        seen.push(entry.resourceId);
        if (entry.resourceId === name) {
          await new Promise((resolve) => setTimeout(resolve, 600));
          await admin().management.createJoinToken({ name: later });
        }
        if (entry.resourceId === later) {
          break;
        }
      }
      expect(seen.filter((id) => id === name)).toHaveLength(1);
      expect(seen.at(-1)).toBe(later);
    });

    it("gives the acknowledged position of a follow before any entry arrives", async () => {
      const controller = new AbortController();
      const followed = admin().management.readAuditLog(
        { follow: true },
        { signal: controller.signal },
      );
      const iterator = followed[Symbol.asyncIterator]();
      const next = iterator.next();
      await expect.poll(() => followed.position).toBeDefined();
      const newest = (await drain(admin().management.readAuditLog({}))).at(-1)?.id ?? 0n;
      expect(followed.position).toBeLessThanOrEqual(newest);
      controller.abort();
      await expect(next).rejects.toBeInstanceOf(CanceledError);
    });
  });

  describe("machines in maintenance", () => {
    it("upgrades a maintenance machine and streams a lifecycle run", async () => {
      const spare = await machineIdOf(transport, "spare-1");
      await admin().management.maintenanceUpgrade({ machineId: spare, version: "v1.10.6" });
      const events = await drain(
        admin().management.maintenanceLifecycle({
          machineId: spare,
          operation: "upgrade",
          version: "1.10.7",
        }),
      );
      expect(events.map((event) => event.message)).toEqual([
        "upgrading Talos from v1.10.6 to v1.10.7",
        "staging the new image",
        "upgrade finished, rebooting",
      ]);
    });

    it("refuses maintenance calls for a machine in a cluster", async () => {
      const member = await machineIdOf(transport, "production-worker-4");
      const error = await failure(
        admin().management.maintenanceUpgrade({ machineId: member, version: "v1.10.6" }),
      );
      expect(error).toBeInstanceOf(FailedPreconditionError);
    });

    it("powers a machine off and on and resets its node unique token", async () => {
      const machineId = await machineIdOf(transport, "spare-2");
      await expect(admin().management.machinePowerOff({ machineId })).resolves.toBeUndefined();
      await expect(admin().management.machinePowerOn({ machineId })).resolves.toBeUndefined();
      await expect(
        admin().management.resetNodeUniqueToken({ id: machineId }),
      ).resolves.toBeUndefined();
      const error = await failure(reader().management.machinePowerOff({ machineId }));
      expect(error).toBeInstanceOf(PermissionDeniedError);
    });
  });

  describe("joining machines", () => {
    it("builds the join config for the default token, with and without the gRPC tunnel", async () => {
      const plain = await admin().management.getMachineJoinConfig();
      expect(plain.kernelArgs[0]).toMatch(
        /^siderolink\.api=http:\/\/127\.0\.0\.1:\d+\/\?jointoken=/,
      );
      expect(plain.kernelArgs[0]).not.toContain("grpc_tunnel");
      expect(plain.config).toContain("kind: SideroLinkConfig");
      const tunnel = await admin().management.getMachineJoinConfig({ useGrpcTunnel: true });
      expect(tunnel.kernelArgs[0]).toContain("grpc_tunnel=true");
    });

    it("creates a join token that the join config then uses", async () => {
      const token = await admin().management.createJoinToken({
        name: `tok-${slug(transport)}`,
        expirationTime: new Date(Date.now() + 3600_000),
      });
      expect(token.name).toBe(`tok-${slug(transport)}`);
      const config = await admin().management.getMachineJoinConfig({ joinToken: token.id });
      expect(config.kernelArgs[0]).toContain(`jointoken=${token.id}`);
      // Omni renders any token, and a Reader may ask.
      const unknown = await reader().management.getMachineJoinConfig({
        joinToken: "unknown-token",
      });
      expect(unknown.kernelArgs[0]).toContain("jointoken=unknown-token");
    });
  });

  describe("users", () => {
    it("creates, lists, updates and destroys a user", async () => {
      const email = `user-${slug(transport)}@example.org`;
      const id = await admin().management.createUser({ email, role: "Reader" });
      expect(id).not.toBe("");
      const listed = (await admin().management.listUsers()).find((user) => user.email === email);
      expect(listed).toMatchObject({ id, email, role: "Reader" });
      await admin().management.updateUser({ email, role: "Operator" });
      const updated = (await admin().management.listUsers()).find((user) => user.email === email);
      expect(updated?.role).toBe("Operator");
      await admin().management.destroyUser({ email });
      const emails = (await admin().management.listUsers()).map((user) => user.email);
      expect(emails).not.toContain(email);
      expect(emails).toContain("admin@example.org");
      expect(await failure(admin().management.destroyUser({ email }))).toBeInstanceOf(
        NotFoundError,
      );
    });
  });

  describe("version-specific RPCs", () => {
    it("tearDownLockedCluster is Unimplemented on current Omni and says where it exists", async () => {
      const error = await failure(
        admin().management.tearDownLockedCluster({ clusterId: "production" }),
      );
      expect(error).toBeInstanceOf(UnimplementedError);
      expect((error as UnimplementedError).availableIn).toBe("v1.2.0 and v1.2.1 only");
      expect(error.method).toBe("/management.ManagementService/TearDownLockedCluster");
    });
  });
});
