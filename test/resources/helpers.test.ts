import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import {
  advanceUpgrade,
  CosiStore,
  putMachine,
  seedDemoData,
  seededRandom,
} from "../../src/emulator/cosi/index.js";
import {
  ConfigPatchSpecSchema,
  MachineStatusSpec_Role,
  TalosUpgradeStatusSpec_Phase,
} from "../../src/gen/omni/specs/omni_pb.js";
import {
  CompressedConfigPatchError,
  ConfigPatches,
  configPatchYaml,
  listClusterOverviews,
  listMachineOverviews,
  lockedAnnotation,
  lockMachine,
  MachineSetNodes,
  MachineStatuses,
  TalosUpgradeStatuses,
  unlockMachine,
} from "../../src/resources/index.js";
import type { Resource } from "../../src/resources/types.js";
import { inMemoryResources } from "./harness.js";

const seeded = () => {
  const harness = inMemoryResources();
  seedDemoData(harness.store, { seed: 1 });
  return harness;
};

describe("resource helpers", () => {
  it("joins clusters with their status and machines", async () => {
    const { api } = seeded();
    const overviews = await listClusterOverviews(api);
    const byName = new Map(overviews.map((o) => [o.cluster.metadata.id, o]));
    expect(byName.get("production")?.machines).toHaveLength(5);
    expect(byName.get("staging")?.machines).toHaveLength(3);
    expect(byName.get("dev")?.status?.spec.ready).toBe(false);
    expect(byName.get("dev")?.status?.spec.machines?.requested).toBe(3);
  });

  it("joins machines with status and user labels, optionally filtered", async () => {
    const { api } = seeded();
    const all = await listMachineOverviews(api);
    expect(all).toHaveLength(12);
    expect(all.every((m) => m.status !== undefined && m.labels.rack?.startsWith("rack-"))).toBe(
      true,
    );
    const spare = await listMachineOverviews(api, {
      labels: [{ key: "omni.sidero.dev/cluster", op: "exists", not: true }],
    });
    expect(spare.map((m) => m.status?.spec.network?.hostname).sort()).toEqual([
      "spare-1",
      "spare-2",
    ]);
  });

  it("locks and unlocks a machine through its MachineSetNode annotation", async () => {
    const { api } = seeded();
    const [node] = await api.listAll(MachineSetNodes);
    const id = node?.metadata.id ?? "";
    await lockMachine(api, id);
    expect((await api.get(MachineSetNodes, id)).metadata.annotations).toHaveProperty(
      lockedAnnotation,
      "",
    );
    await lockMachine(api, id);
    expect((await api.get(MachineSetNodes, id)).metadata.version).toBe("2");
    await unlockMachine(api, id);
    expect((await api.get(MachineSetNodes, id)).metadata.annotations).not.toHaveProperty(
      lockedAnnotation,
    );
  });

  it("returns a config patch's YAML, or says why a compressed one cannot be read", async () => {
    const { api } = seeded();
    const [patch] = await api.listAll(ConfigPatches, { idRegex: "^400-production-time$" });
    expect(await configPatchYaml(patch as Resource<never>)).toContain("time.cloudflare.com");

    const base = patch as NonNullable<typeof patch>;
    const compressed = {
      ...base,
      spec: create(ConfigPatchSpecSchema, {
        compressedData: new Uint8Array([0x28, 0xb5, 0x2f, 0xfd]),
      }),
    };
    await expect(configPatchYaml({ ...compressed, yamlSpec: "" })).rejects.toBeInstanceOf(
      CompressedConfigPatchError,
    );
    await expect(
      configPatchYaml({ ...compressed, yamlSpec: "data: |\n  machine: {}\n" }),
    ).resolves.toBe("machine: {}\n");
  });

  it("advances the seeded upgrade until it is done", async () => {
    const { api, store } = seeded();
    let steps = 0;
    while (advanceUpgrade(store)) {
      steps++;
    }
    expect(steps).toBeGreaterThan(2);
    const status = await api.get(TalosUpgradeStatuses, "staging");
    expect(status.spec.phase).toBe(TalosUpgradeStatusSpec_Phase.Done);
    const staging = await api.listAll(MachineStatuses, {
      labels: { "omni.sidero.dev/cluster": "staging" },
    });
    expect(staging.every((m) => m.spec.talosVersion === "v1.10.5")).toBe(true);
  });

  it("streams and decodes a 10,000-machine list", async () => {
    const store = new CosiStore();
    const random = seededRandom(3);
    for (let i = 0; i < 10_000; i++) {
      putMachine(
        store,
        random,
        {
          id: `m-${i}`,
          hostname: `node-${i}`,
          cluster: "big",
          role: MachineStatusSpec_Role.WORKER,
          talosVersion: "v1.10.5",
          connected: true,
        },
        i,
        { withoutYaml: true },
      );
    }
    const { api } = inMemoryResources(store);
    let count = 0;
    let cores = 0;
    for await (const machine of api.list(MachineStatuses)) {
      count++;
      cores += machine.spec.hardware?.processors[0]?.coreCount ?? 0;
    }
    expect(count).toBe(10_000);
    expect(cores).toBeGreaterThan(10_000);
  });
});
