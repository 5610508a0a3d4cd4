import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { type OmniEmulator, startOmniEmulator } from "../../src/emulator/index.js";
import {
  ClusterStatusSpec_Phase,
  ClusterStatusSpecSchema,
  ConfigPatchSpecSchema,
  MachineSpecSchema,
  MachineStatusSpecSchema,
} from "../../src/gen/omni/specs/omni_pb.js";
import { binaries, type RunResult, run, specOf, storedIds } from "./support.js";

/**
 * omnictl v1.9.3, built from the Go module proxy, against the emulator: an omnictl home the
 * emulator wrote (omniconfig and a confirmed PGP key), and a service-account key from the
 * environment. Every command's exit code and output are checked.
 */

let emulator: OmniEmulator;
let root: string;
let home: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "omnictl-interop-"));
  home = join(root, "home");
  emulator = await startOmniEmulator({
    omniVersion: "1.9.3",
    simulation: false,
    omnictlHome: home,
  });
});

afterAll(async () => {
  await emulator?.close();
  if (root) {
    rmSync(root, { recursive: true, force: true });
  }
});

/** omnictl with only the omnictl home: no OMNI_* or OMNICONFIG from the caller's environment. */
function omnictl(...args: string[]): Promise<RunResult> {
  return run(binaries().omnictl, args, {
    env: { HOME: home, PATH: process.env.PATH ?? "" },
    cwd: root,
  });
}

/** omnictl as CI runs it: endpoint and service-account key from the environment, no home. */
function omnictlWithKey(endpoint: string, key: string, ...args: string[]): Promise<RunResult> {
  return run(binaries().omnictl, args, {
    env: {
      HOME: join(root, "empty-home"),
      PATH: process.env.PATH ?? "",
      OMNI_ENDPOINT: endpoint,
      OMNI_SERVICE_ACCOUNT_KEY: key,
    },
    cwd: root,
  });
}

/** Asserts success and returns stdout; on failure the message carries omnictl's output. */
async function ok(result: Promise<RunResult>): Promise<string> {
  const { code, stdout, stderr } = await result;
  expect(code, `exit ${code}\nstdout:\n${stdout}\nstderr:\n${stderr}`).toBe(0);
  // Served as v1.9.3, the emulator is the backend omnictl v1.9.3 expects: no version warning.
  expect(stderr).not.toContain("differs from the backend version");
  return stdout;
}

/** The first column of a table omnictl printed, header excluded. */
function firstColumn(table: string, column = 0): string[] {
  return table
    .trim()
    .split("\n")
    .slice(1)
    .map((line) => line.trim().split(/\s{2,}/)[column] ?? "");
}

const clusterType = "Clusters.omni.sidero.dev";
const patchType = "ConfigPatches.omni.sidero.dev";

describe("omnictl get", () => {
  it("get clusters lists the seeded clusters", async () => {
    const table = await ok(omnictl("get", "clusters"));
    expect(table.split("\n")[0]).toMatch(/^NAMESPACE\s+TYPE\s+ID\s+VERSION/);
    expect(firstColumn(table, 2)).toEqual(storedIds(emulator.store, clusterType));
  });

  it("get machines -o yaml prints every machine as a YAML document", async () => {
    const text = await ok(omnictl("get", "machines", "-o", "yaml"));
    const documents = parseAllDocuments(text).map((doc) => doc.toJS());
    expect(documents.map((doc) => doc.metadata.id)).toEqual(
      storedIds(emulator.store, "Machines.omni.sidero.dev"),
    );
    for (const doc of documents) {
      expect(doc.metadata).toMatchObject({
        namespace: "default",
        type: "Machines.omni.sidero.dev",
      });
    }
    // Go's YAML leaves false out, so only connected machines say so.
    const connected = emulator.store
      .list("default", "Machines.omni.sidero.dev")
      .filter((machine) => specOf(MachineSpecSchema, machine).connected)
      .map((machine) => machine.metadata?.id);
    expect(connected.length).toBeGreaterThan(0);
    expect(
      documents.filter((doc) => doc.spec.connected === true).map((doc) => doc.metadata.id),
    ).toEqual(connected);
  });

  it("get machinestatus -o jsonpath prints each machine's hostname", async () => {
    const text = await ok(
      omnictl("get", "machinestatus", "-o", "jsonpath={.spec.network.hostname}"),
    );
    const expected = emulator.store
      .list("default", "MachineStatuses.omni.sidero.dev")
      .map((status) => specOf(MachineStatusSpecSchema, status).network?.hostname);
    expect(text.trim().split("\n")).toEqual(expected);
  });
});

describe("omnictl apply and delete", () => {
  const id = "500-omnictl-interop";
  const data = "machine:\n  env:\n    FROM: omnictl\n";

  it("applies a config patch, reads it back, deletes it", async () => {
    const cluster = storedIds(emulator.store, clusterType)[0] ?? "";
    const file = join(root, "patch.yaml");
    writeFileSync(
      file,
      [
        "metadata:",
        "  namespace: default",
        `  type: ${patchType}`,
        `  id: ${id}`,
        "  labels:",
        `    omni.sidero.dev/cluster: ${cluster}`,
        "spec:",
        "  data: |",
        ...data
          .trimEnd()
          .split("\n")
          .map((line) => `    ${line}`),
        "",
      ].join("\n"),
    );
    await ok(omnictl("apply", "-f", file));
    const stored = emulator.store.get("default", patchType, id);
    expect(specOf(ConfigPatchSpecSchema, stored).data).toBe(data);
    expect(stored?.metadata?.labels["omni.sidero.dev/cluster"]).toBe(cluster);

    // A second apply updates the resource even when nothing changed, as omnictl always does
    // (and COSI bumps the version of every update).
    await ok(omnictl("apply", "-f", file));
    expect(emulator.store.get("default", patchType, id)?.metadata?.version).toBe("2");

    const yaml = parse(await ok(omnictl("get", "configpatch", id, "-o", "yaml")));
    expect(yaml).toMatchObject({ metadata: { id, version: 2 }, spec: { data } });

    const deleted = omnictl("delete", "configpatch", id);
    await ok(deleted);
    // omnictl reports each destroyed resource on stderr.
    expect((await deleted).stderr).toContain(`destroyed ${patchType} ${id}`);
    expect(emulator.store.get("default", patchType, id)).toBeUndefined();

    const missing = await omnictl("get", "configpatch", id);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("code = NotFound");
  });
});

describe("omnictl serviceaccount", () => {
  it("creates an account whose key omnictl can use, renews, lists and destroys it", async () => {
    const name = "omnictl-bot";
    const created = await ok(
      omnictl("serviceaccount", "create", name, "--use-user-role=false", "--role", "Reader"),
    );
    // omnictl prints the endpoint it used, with the http scheme turned into grpc.
    const endpoint = /^OMNI_ENDPOINT=(\S+)$/m.exec(created)?.[1] ?? "";
    expect(endpoint).toBe(emulator.url.replace(/^http:/, "grpc:"));
    const key = /^OMNI_SERVICE_ACCOUNT_KEY=(\S+)$/m.exec(created)?.[1] ?? "";
    expect(key).not.toBe("");

    // The new key signs calls, from the environment as in CI.
    const clusters = await ok(omnictlWithKey(endpoint, key, "get", "clusters"));
    expect(firstColumn(clusters, 2)).toEqual(storedIds(emulator.store, clusterType));
    // With the account's role: a Reader cannot create accounts.
    const refused = await omnictlWithKey(endpoint, key, "serviceaccount", "create", "other");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("PermissionDenied");

    const renewed = await ok(omnictl("serviceaccount", "renew", name));
    expect(renewed).toMatch(/^OMNI_SERVICE_ACCOUNT_KEY=\S+$/m);

    const list = await ok(omnictl("serviceaccount", "list"));
    const rows = list.split("\n");
    const row = rows.findIndex((line) => line.startsWith(`${name} `));
    expect(row).toBeGreaterThan(0);
    expect(rows[row]).toMatch(new RegExp(`^${name}\\s+Reader\\s+`));
    // The renewed key is listed on a line of its own under the account.
    expect(rows[row + 1]).toMatch(/^\s+[0-9a-f]{40}\s/);

    expect(await ok(omnictl("serviceaccount", "destroy", name))).toContain(
      `destroyed service account: ${name}`,
    );
    expect(await ok(omnictl("serviceaccount", "list"))).not.toContain(name);
  });
});

describe("omnictl user", () => {
  it("creates a user, lists it, sets its role and deletes it", async () => {
    const email = "omnictl-user@example.org";
    await ok(omnictl("user", "create", email, "--role", "Reader"));
    const row = () =>
      omnictl("user", "list").then((r) => r.stdout.split("\n").find((l) => l.includes(email)));
    expect(await row()).toMatch(new RegExp(`^\\S+\\s+${email}\\s+Reader\\s+`));

    await ok(omnictl("user", "set-role", email, "--role", "Operator"));
    expect(await row()).toMatch(new RegExp(`^\\S+\\s+${email}\\s+Operator\\s+`));

    expect(await ok(omnictl("user", "delete", email))).toContain(`destroyed user ${email}`);
    expect(await row()).toBeUndefined();
  });
});

describe("omnictl jointoken", () => {
  it("creates a token and lists it beside the initial, default one", async () => {
    const token = (await ok(omnictl("jointoken", "create", "interop", "--ttl", "1h"))).trim();
    expect(token).toMatch(/^[\w-]{20,}$/);
    const table = await ok(omnictl("jointoken", "list"));
    expect(table.split("\n")[0]).toMatch(/^ID\s+NAME\s+STATE\s+EXPIRATION\s+USE COUNT\s+DEFAULT/);
    const created = table.split("\n").find((line) => line.startsWith(token));
    expect(created).toMatch(/\s+interop\s+ACTIVE\s+\d{4}-\d\d-\d\d .* UTC\s+0\s*$/);
    const initial = table.split("\n").find((line) => line.includes("initial token"));
    expect(initial).toMatch(/\s+initial token\s+ACTIVE\s+never\s+0\s+\*$/);
  });
});

describe("omnictl configs, support bundle and audit log", () => {
  it("kubeconfig writes the cluster's OIDC kubeconfig", async () => {
    const cluster = storedIds(emulator.store, clusterType)[0] ?? "";
    const path = join(root, "kubeconfig");
    await ok(omnictl("kubeconfig", "-c", cluster, path));
    const config = parse(readFileSync(path, "utf8"));
    expect(config["current-context"]).toBe(`omni-emulator-${cluster}`);
    const user = config.users[0].user;
    expect(user.exec.apiVersion).toBe("client.authentication.k8s.io/v1");
    expect(user.exec.args).toContain(`--oidc-extra-scope=cluster:${cluster}`);
  });

  it("talosconfig writes the cluster's talosconfig", async () => {
    const cluster = storedIds(emulator.store, clusterType)[0] ?? "";
    const path = join(root, "talosconfig");
    await ok(omnictl("talosconfig", "-c", cluster, path));
    const config = parse(readFileSync(path, "utf8"));
    expect(config.context).toBe(`omni-emulator-${cluster}`);
    expect(config.contexts[config.context]).toMatchObject({
      endpoints: [emulator.url],
      cluster,
      auth: { siderov1: { identity: "admin@example.org" } },
    });
  });

  it("support writes the cluster's bundle as a zip", async () => {
    const cluster = storedIds(emulator.store, clusterType)[0] ?? "";
    const path = join(root, "support.zip");
    await ok(omnictl("support", "-c", cluster, "-O", path));
    const zip = readFileSync(path);
    expect(zip.subarray(0, 4)).toEqual(Buffer.from([0x50, 0x4b, 0x03, 0x04]));
    // The central directory names every file; the last record ends the archive.
    expect(zip.includes("omni/cluster.yaml")).toBe(true);
    expect(zip.subarray(-22, -18)).toEqual(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  });

  it("audit-log prints one JSON event per line", async () => {
    const lines = (await ok(omnictl("audit-log"))).trim().split("\n");
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(JSON.parse(line)).toMatchObject({ event_type: expect.any(String) });
    }
  });
});

describe("omnictl cluster", () => {
  it("cluster status reports a healthy cluster and exits 0", async () => {
    const healthy = emulator.store
      .list("default", "ClusterStatuses.omni.sidero.dev")
      .find((status) => {
        const spec = specOf(ClusterStatusSpecSchema, status);
        return spec.ready && spec.phase === ClusterStatusSpec_Phase.RUNNING;
      });
    const name = healthy?.metadata?.id ?? "";
    expect(name).not.toBe("");
    const text = await ok(omnictl("cluster", "status", name, "--wait", "0"));
    expect(text).toMatch(new RegExp(`^Cluster "${name}" RUNNING Ready`));
    expect(text).toContain("Control Plane");
  });

  it("cluster template validate and sync of a small template", async () => {
    // Two machines that no cluster uses yet.
    const free = emulator.store
      .list("default", "MachineStatuses.omni.sidero.dev")
      .filter((status) => status.metadata?.labels["omni.sidero.dev/cluster"] === undefined)
      .map((status) => status.metadata?.id ?? "");
    expect(free.length).toBeGreaterThanOrEqual(2);
    const file = join(root, "cluster.yaml");
    writeFileSync(
      file,
      [
        "kind: Cluster",
        "name: interop",
        "talos:",
        "  version: v1.10.5",
        "kubernetes:",
        "  version: v1.33.2",
        "patches:",
        "  - name: env",
        "    inline:",
        "      machine:",
        "        env:",
        "          FROM: template",
        "---",
        "kind: ControlPlane",
        "machines:",
        `  - ${free[0]}`,
        "---",
        "kind: Workers",
        "machines:",
        `  - ${free[1]}`,
        "",
      ].join("\n"),
    );
    await ok(omnictl("cluster", "template", "validate", "-f", file));

    const synced = await ok(omnictl("cluster", "template", "sync", "-f", file));
    expect(synced.trim().split("\n").sort()).toEqual(
      [
        `* creating ${clusterType}(interop)`,
        `* creating ${patchType}(200-cluster-interop-env)`,
        "* creating MachineSets.omni.sidero.dev(interop-control-planes)",
        "* creating MachineSets.omni.sidero.dev(interop-workers)",
        `* creating MachineSetNodes.omni.sidero.dev(${free[0]})`,
        `* creating MachineSetNodes.omni.sidero.dev(${free[1]})`,
      ].sort(),
    );
    expect(emulator.store.get("default", clusterType, "interop")).toBeDefined();
    expect(
      emulator.store.get("default", "MachineSetNodes.omni.sidero.dev", free[0] ?? "")?.metadata
        ?.labels,
    ).toMatchObject({
      "omni.sidero.dev/cluster": "interop",
      "omni.sidero.dev/machine-set": "interop-control-planes",
    });

    // What the emulator stored reads back as the template: nothing left to do.
    expect((await ok(omnictl("cluster", "template", "diff", "-f", file))).trim()).toBe("");
    expect((await ok(omnictl("cluster", "template", "sync", "-f", file))).trim()).toBe("");

    // Omni gives the new cluster a status at once; without Talos nodes it never becomes
    // healthy, which `cluster status` reports with exit code 1.
    const status = await omnictl("cluster", "status", "interop", "--wait", "0");
    expect(status.code).toBe(1);
    expect(status.stdout).toMatch(/^Cluster "interop" SCALING_UP Not Ready \(0\/2\)/);
    expect(status.stdout).toContain('Control Plane "interop-control-planes" ScalingUp');
    expect(status.stdout).toContain('Workers "interop-workers" ScalingUp');
    expect(status.stderr).toContain("cluster is not healthy");
    const templateStatus = await omnictl(
      "cluster",
      "template",
      "status",
      "-f",
      file,
      "--wait",
      "0",
    );
    expect(templateStatus.code).toBe(1);
    expect(templateStatus.stdout).toMatch(/^Cluster "interop" SCALING_UP/);
  });
});
