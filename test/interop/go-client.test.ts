import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type OmniEmulator, startOmniEmulator } from "../../src/emulator/index.js";
import {
  ClusterSpecSchema,
  ClusterStatusSpec_Phase,
  ClusterStatusSpecSchema,
  MachineStatusSpecSchema,
} from "../../src/gen/omni/specs/omni_pb.js";
import { binaries, run, specOf, storedIds } from "./support.js";

/**
 * Omni's own Go client (`github.com/siderolabs/omni/client`, as omnictl and Terraform providers
 * use it) runs `interop/cmd/emulator-client` against the emulator over native gRPC, signed with
 * an Admin service-account key. Each step prints one JSON line; the values are checked here
 * against the emulator's own state.
 */

type Step = Record<string, unknown> & { step: string; ok: boolean; error?: string };

let emulator: OmniEmulator;
let steps: Map<string, Step>;
let exitCode: number;
let output: string;

beforeAll(async () => {
  emulator = await startOmniEmulator({ omniVersion: "1.9.3", simulation: false });
  const result = await run(
    binaries().emulatorClient,
    ["-endpoint", emulator.url, "-key", emulator.keys.admin, "-timeout", "90s"],
    { timeoutMs: 100_000 },
  );
  exitCode = result.code;
  output = `${result.stdout}\n${result.stderr}`;
  steps = new Map(
    result.stdout
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as Step)
      .map((step) => [step.step, step]),
  );
});

afterAll(async () => {
  await emulator?.close();
});

function step(name: string): Step {
  const found = steps.get(name);
  if (!found?.ok) {
    throw new Error(`step ${name} did not succeed:\n${output}`);
  }
  return found;
}

const clusterType = "Clusters.omni.sidero.dev";

describe("Omni's Go client against the emulator", () => {
  it("runs every step of the scenario and exits 0", () => {
    const failed = [...steps.values()].filter((each) => !each.ok);
    expect(failed, output).toEqual([]);
    expect(exitCode, output).toBe(0);
    expect([...steps.keys()]).toEqual([
      "clusters.list",
      "cluster.get",
      "machines.list",
      "machinestatuses.list",
      "machinesets.list",
      "clusterstatus.get",
      "configpatches.list",
      "clusters.watch",
      "configpatch.write-watch",
      "omniconfig",
      "talosconfig",
      "kubeconfig",
      "serviceaccounts",
      "users",
      "jointokens",
      "machinelogs",
      "supportbundle",
      "auditlog",
      "schematics",
    ]);
  });

  describe("COSI with typed specs", () => {
    it("lists the seeded clusters, and a watch bootstraps with the same ones", () => {
      const seeded = storedIds(emulator.store, clusterType);
      expect(seeded.length).toBeGreaterThan(0);
      expect(step("clusters.list").clusters).toEqual(seeded);
      expect(step("clusters.watch").clusters).toEqual(seeded);
    });

    it("decodes a cluster's spec", () => {
      const got = step("cluster.get");
      const cluster = String(got.cluster);
      const spec = specOf(ClusterSpecSchema, emulator.store.get("default", clusterType, cluster));
      expect(got).toMatchObject({
        talosVersion: spec.talosVersion,
        kubernetesVersion: spec.kubernetesVersion,
        version: "1",
      });
    });

    it("counts machines and decodes a machine status's hostname", () => {
      expect(step("machines.list").count).toBe(
        storedIds(emulator.store, "Machines.omni.sidero.dev").length,
      );
      const got = step("machinestatuses.list");
      const stored = emulator.store.get(
        "default",
        "MachineStatuses.omni.sidero.dev",
        String(got.machine),
      );
      const spec = specOf(MachineStatusSpecSchema, stored);
      expect(spec.network?.hostname).toBeTruthy();
      expect(got.hostname).toBe(spec.network?.hostname);
      expect(got.talosVersion).toBe(spec.talosVersion);
      expect(stored?.metadata?.labels["omni.sidero.dev/cluster"]).toBe(step("cluster.get").cluster);
    });

    it("filters machine sets by cluster label", () => {
      const cluster = String(step("cluster.get").cluster);
      const expected = emulator.store
        .list("default", "MachineSets.omni.sidero.dev")
        .filter((set) => set.metadata?.labels["omni.sidero.dev/cluster"] === cluster)
        .map((set) => set.metadata?.id);
      expect(expected.length).toBeGreaterThan(0);
      expect(step("machinesets.list").machineSets).toEqual(expected);
    });

    it("decodes the cluster status's phase and machine counts", () => {
      const cluster = String(step("cluster.get").cluster);
      const spec = specOf(
        ClusterStatusSpecSchema,
        emulator.store.get("default", "ClusterStatuses.omni.sidero.dev", cluster),
      );
      expect(step("clusterstatus.get")).toMatchObject({
        phase: ClusterStatusSpec_Phase[spec.phase],
        ready: spec.ready,
        total: spec.machines?.total,
        healthy: spec.machines?.healthy,
      });
    });

    it("lists config patches, then creates, updates and destroys one under a watch", () => {
      const seeded = step("configpatches.list").configPatches as string[];
      expect(seeded.length).toBeGreaterThan(0);
      expect(step("configpatch.write-watch")).toMatchObject({
        namespace: "default",
        createdVersion: "1",
        updatedVersion: "2",
        data: "machine:\n  env:\n    FROM: emulator-client-updated\n",
        clusterLabelSet: true,
      });
      expect(
        emulator.store.get("default", "ConfigPatches.omni.sidero.dev", "400-emulator-client-patch"),
      ).toBeUndefined();
    });
  });

  describe("management", () => {
    it("hands out an omniconfig for the service account, at the emulator's gRPC URL", () => {
      expect(step("omniconfig")).toMatchObject({
        context: "default",
        url: emulator.url,
        identity: "emulator-admin@serviceaccount.omni.sidero.dev",
      });
    });

    it("hands out a talosconfig and a kubeconfig of the cluster that Go's parsers read", () => {
      const cluster = String(step("cluster.get").cluster);
      expect(step("talosconfig")).toMatchObject({
        context: `omni-emulator-${cluster}`,
        endpoints: [emulator.url],
        cluster,
        identity: "emulator-admin@serviceaccount.omni.sidero.dev",
      });
      const kubeconfig = step("kubeconfig");
      expect(kubeconfig).toMatchObject({
        currentContext: `omni-emulator-${cluster}`,
        execAPIVersion: "client.authentication.k8s.io/v1",
      });
      expect(kubeconfig.execArgs).toContain(`--oidc-extra-scope=cluster:${cluster}`);
    });

    it("creates a service account whose key works, renews, lists and destroys it", () => {
      const got = step("serviceaccounts");
      expect(got).toMatchObject({ name: "emulator-client-bot", role: "Reader" });
      expect(got.listedKeyIDs).toEqual([got.createdKeyID, got.renewedKeyID]);
      expect(got.clustersSeenByKey).toBe(storedIds(emulator.store, clusterType).length);
      expect(emulator.users().some((user) => user.email.startsWith("emulator-client-bot@"))).toBe(
        false,
      );
    });

    it("creates a user, changes its role, lists and destroys it", () => {
      const got = step("users");
      expect(got).toMatchObject({ email: "emulator-client@example.org", role: "Operator" });
      expect(got.listedID).toBe(got.id);
      expect(emulator.users().some((user) => user.email === "emulator-client@example.org")).toBe(
        false,
      );
    });

    it("creates a join token with a status, and a join config naming it", () => {
      expect(step("jointokens")).toMatchObject({
        name: "emulator-client",
        hasExpiration: true,
        statusName: "emulator-client",
        statusState: "ACTIVE",
        kernelArgsToken: true,
      });
    });

    it("reads the tail of a machine's log", () => {
      const got = step("machinelogs");
      expect(got.machine).toBe(step("machinestatuses.list").machine);
      expect(got.lines).toBe(5);
      expect(JSON.parse(String(got.firstLine)).msg).toContain(
        String(step("machinestatuses.list").hostname),
      );
    });

    it("receives the support bundle as one zip Go can open", () => {
      const got = step("supportbundle");
      const hostname = String(step("machinestatuses.list").hostname);
      expect(got.files).toContain("omni/cluster.yaml");
      expect(got.files).toContain(`${hostname}/machined.log`);
      expect(got.sources).toBeGreaterThan(1);
    });

    it("reads the audit log as JSON lines", () => {
      const got = step("auditlog");
      expect(got.entries).toBeGreaterThan(0);
      expect(got.firstEventType).toEqual(expect.any(String));
    });

    it("creates schematics, from options and from raw YAML", () => {
      const got = step("schematics");
      expect(got.schematicID).toMatch(/^[0-9a-f]{64}$/);
      expect(got.rawSchematicID).toMatch(/^[0-9a-f]{64}$/);
      expect(got.pxeURL).toBe("");
    });
  });
});
