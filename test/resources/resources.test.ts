import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { seedDemoData } from "../../src/emulator/cosi/index.js";
import {
  AlreadyExistsError,
  FailedPreconditionError,
  InvalidArgumentError,
  NotFoundError,
  ValidationError,
} from "../../src/errors.js";
import {
  ClusterSpecSchema,
  ConfigPatchSpecSchema,
  MachineSetSpec_UpdateStrategy,
} from "../../src/gen/omni/specs/omni_pb.js";
import {
  ClusterMachineStatuses,
  ClusterStatuses,
  Clusters,
  ConfigPatches,
  KubernetesUpgradeStatuses,
  MachineClasses,
  MachineLabels,
  MachineSetNodes,
  MachineSets,
  MachineStatuses,
  Machines,
  rawResourceType,
  TalosUpgradeStatuses,
} from "../../src/resources/registry.js";
import type { WatchEvent } from "../../src/resources/watch-event.js";
import { allowedVerbs } from "../../src/resources/write-rules.js";
import { inMemoryResources } from "./harness.js";

const seeded = () => {
  const harness = inMemoryResources();
  seedDemoData(harness.store, { seed: 7, now: new Date("2026-01-02T03:04:05Z") });
  return harness;
};

describe("resources: reads", () => {
  it("lists every core type of the seeded fleet with decoded specs and metadata", async () => {
    const { api } = seeded();
    const clusters = await api.listAll(Clusters);
    expect(clusters.map((c) => c.metadata.id).sort()).toEqual(["dev", "production", "staging"]);
    const production = clusters.find((c) => c.metadata.id === "production");
    expect(production?.spec.$typeName).toBe("specs.ClusterSpec");
    expect(production?.spec.kubernetesVersion).toBe("1.33.2");
    expect(production?.spec.backupConfiguration?.interval?.seconds).toBe(3600n);
    expect(production?.metadata).toMatchObject({
      namespace: "default",
      type: "Clusters.omni.sidero.dev",
      version: "1",
      owner: "",
      phase: "running",
      finalizers: ["ClusterStatusController"],
    });
    expect(production?.metadata.created?.toISOString()).toBe("2026-01-02T03:04:05.000Z");
    expect(production?.yamlSpec).toContain("kubernetesversion:");

    const statuses = await api.listAll(MachineStatuses);
    expect(statuses).toHaveLength(12);
    expect(statuses.every((s) => (s.spec.hardware?.processors[0]?.coreCount ?? 0) > 0)).toBe(true);
    expect(await api.listAll(Machines)).toHaveLength(12);
    expect(await api.listAll(MachineLabels)).toHaveLength(12);
    expect(await api.listAll(MachineSets)).toHaveLength(6);
    expect(await api.listAll(MachineSetNodes)).toHaveLength(10);
    expect(await api.listAll(ClusterMachineStatuses)).toHaveLength(10);
    expect(await api.listAll(ClusterStatuses)).toHaveLength(3);
    expect(await api.listAll(ConfigPatches)).toHaveLength(6);
    expect(await api.listAll(MachineClasses)).toHaveLength(1);
    expect((await api.get(TalosUpgradeStatuses, "staging")).spec.currentUpgradeVersion).toBe(
      "v1.10.5",
    );
    expect((await api.get(KubernetesUpgradeStatuses, "dev")).metadata.owner).toBe(
      "KubernetesUpgradeStatusController",
    );
  });

  it("returns raw bytes and YAML for a type without a shipped schema", async () => {
    const { api } = seeded();
    const raw = rawResourceType("Clusters.omni.sidero.dev");
    const cluster = await api.get(raw, "dev");
    expect(cluster.spec.protoSpec).toBeInstanceOf(Uint8Array);
    expect(cluster.spec.protoSpec.length).toBeGreaterThan(0);
    expect(cluster.spec.yamlSpec).toContain("talosversion");
  });

  it("serialises to JSON with the spec as protobuf JSON, 64-bit integers included", async () => {
    const { api } = seeded();
    const production = await api.get(Clusters, "production");
    const json = JSON.parse(JSON.stringify(production));
    expect(json.metadata.id).toBe("production");
    expect(json.spec.kubernetesVersion).toBe("1.33.2");
    expect(json.spec.backupConfiguration.interval).toBe("3600s");
    expect(json.yamlSpec).toBe(production.yamlSpec);
    expect({ ...production }.spec).toBe(production.spec);

    const raw = await api.get(rawResourceType("Clusters.omni.sidero.dev"), "dev");
    const rawJson = JSON.parse(JSON.stringify(raw));
    expect(rawJson.spec.protoSpec).toBe(Buffer.from(raw.spec.protoSpec).toString("base64"));
  });

  it("maps a missing resource to NotFoundError", async () => {
    const { api } = seeded();
    await expect(api.get(Clusters, "nope")).rejects.toBeInstanceOf(NotFoundError);
  });

  it("filters by ID regex on the server", async () => {
    const { api } = seeded();
    const sets = await api.listAll(MachineSets, { idRegex: "-workers$" });
    expect(sets.map((s) => s.metadata.id).sort()).toEqual([
      "dev-workers",
      "production-workers",
      "staging-workers",
    ]);
  });
});

describe("resources: label queries", () => {
  const ids = async (labels: Parameters<ReturnType<typeof seeded>["api"]["listAll"]>[1]) => {
    const { api } = seeded();
    return (await api.listAll(MachineStatuses, labels))
      .map((m) => m.metadata.labels["omni.sidero.dev/hostname"])
      .sort();
  };

  it("equal (record form)", async () => {
    expect(await ids({ labels: { "omni.sidero.dev/cluster": "staging" } })).toEqual([
      "staging-cp-1",
      "staging-worker-2",
      "staging-worker-3",
    ]);
  });

  it("exists and not exists", async () => {
    expect(
      await ids({ labels: [{ key: "omni.sidero.dev/role-controlplane", op: "exists" }] }),
    ).toEqual([
      "dev-cp-1",
      "production-cp-1",
      "production-cp-2",
      "production-cp-3",
      "staging-cp-1",
    ]);
    expect(
      await ids({ labels: [{ key: "omni.sidero.dev/cluster", op: "exists", not: true }] }),
    ).toEqual(["spare-1", "spare-2"]);
  });

  it("in and not in", async () => {
    const inDevOrStaging = await ids({
      labels: [{ key: "omni.sidero.dev/cluster", op: "in", values: ["dev", "staging"] }],
    });
    expect(inDevOrStaging).toHaveLength(5);
    const notIn = await ids({
      labels: [
        {
          key: "omni.sidero.dev/cluster",
          op: "in",
          values: ["dev", "staging", "production"],
          not: true,
        },
      ],
    });
    expect(notIn).toEqual(["spare-1", "spare-2"]);
  });

  it("lt / lte / gt / gte, numeric and as strings", async () => {
    const { api } = seeded();
    const all = await api.listAll(MachineStatuses);
    const cores = (m: (typeof all)[number]) => Number(m.metadata.labels["omni.sidero.dev/cores"]);
    const count = (predicate: (n: number) => boolean) =>
      all.filter((m) => predicate(cores(m))).length;
    const key = "omni.sidero.dev/cores";
    const n = async (labels: Parameters<typeof api.listAll>[1]) =>
      (await api.listAll(MachineStatuses, labels)).length;
    expect(await n({ labels: [{ key, op: "lt", value: "8", numeric: true }] })).toBe(
      count((c) => c < 8),
    );
    expect(await n({ labels: [{ key, op: "lte", value: "8", numeric: true }] })).toBe(
      count((c) => c <= 8),
    );
    expect(await n({ labels: [{ key, op: "gt", value: "4", numeric: true }] })).toBe(
      count((c) => c > 4),
    );
    expect(await n({ labels: [{ key, op: "gte", value: "4", numeric: true }] })).toBe(
      count((c) => c >= 4),
    );
    // As strings "16" < "8", so a string comparison differs from the numeric one.
    expect(await n({ labels: [{ key, op: "lt", value: "8" }] })).toBe(
      count((c) => String(c) < "8"),
    );
    // Units: 32GiB <= 32Gi, compared as numbers of bytes.
    expect(
      await n({
        labels: [{ key: "omni.sidero.dev/mem", op: "lte", value: "32Gi", numeric: true }],
      }),
    ).toBe(count((c) => c * 4 <= 32));
    expect(count((c) => c > 4)).toBeGreaterThan(0);
    expect(count((c) => c < 8)).toBeGreaterThan(0);
  });

  it("rejects bad selectors before any call", async () => {
    const { api, calls } = seeded();
    const bad = [
      { labels: [{ key: "", op: "exists" }] },
      { labels: [{ key: "a", op: "like", value: "x" }] },
      { labels: [{ key: "a", op: "in", values: [] }] },
      { labels: [{ key: "a", op: "lt", value: "lots", numeric: true }] },
      { labels: [{ key: "a", op: "gt", value: "1", not: true }] },
    ];
    for (const options of bad) {
      await expect(api.listAll(MachineStatuses, options as never)).rejects.toBeInstanceOf(
        ValidationError,
      );
    }
    expect(calls()).toBe(0);
  });

  it.each([
    [{ key: "cores", op: "lt", value: "8", numric: true }, "numric", "did you mean numeric?"],
    [{ key: "zone", op: "in", value: "a" }, "value", "did you mean values?"],
    [{ key: "zone", op: "exists", invert: true }, "invert", "the options are key, op, not"],
    [{ key: "zone", op: "equal", value: "a", nto: undefined }, "nto", "did you mean not?"],
    [{ key: "cores", op: "gte", value: "4", numerc: true }, "numerc", "did you mean numeric?"],
  ])("names a misspelt key of the label term %j before any call", async (term, key, hint) => {
    const { api, calls } = seeded();
    const refusal = api.listAll(MachineStatuses, {
      labels: [{ key: "omni.sidero.dev/cluster", op: "exists" }, term as never],
    });
    await expect(refusal).rejects.toBeInstanceOf(ValidationError);
    await expect(refusal).rejects.toMatchObject({ argument: `options.labels[1].${key}` });
    await expect(refusal).rejects.toThrow(hint);
    expect(calls()).toBe(0);
  });

  it("still explains an inverted greater-than term, even with not: undefined", async () => {
    const { api } = seeded();
    await expect(
      api.listAll(MachineStatuses, {
        labels: [{ key: "cores", op: "gt", value: "4", not: undefined } as never],
      }),
    ).rejects.toThrow('cannot invert "gt"; use "lte" instead');
  });
});

describe("resources: writes", () => {
  it("creates, updates with the version read, and reports a conflicting update", async () => {
    const { api } = seeded();
    const created = await api.create(Clusters, {
      metadata: { id: "qa", labels: { team: "qa" } },
      spec: { talosVersion: "v1.10.5", kubernetesVersion: "1.33.2" },
    });
    expect(created.metadata.version).toBe("1");
    expect(created.yamlSpec).toContain("talosversion");

    const read = await api.get(Clusters, "qa");
    read.spec.kubernetesVersion = "1.34.0";
    const updated = await api.update(Clusters, read);
    expect(updated.metadata.version).toBe("2");
    expect((await api.get(Clusters, "qa")).spec.kubernetesVersion).toBe("1.34.0");

    // A second writer still holding version 1 loses.
    await expect(api.update(Clusters, read)).rejects.toBeInstanceOf(FailedPreconditionError);
    await expect(
      api.create(Clusters, { metadata: { id: "qa" }, spec: create(ClusterSpecSchema) }),
    ).rejects.toBeInstanceOf(AlreadyExistsError);
  });

  it("refuses read-only types and wrong specs before any call", async () => {
    const { api, calls } = seeded();
    await expect(api.create(Machines, { metadata: { id: "m" }, spec: {} })).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(api.destroy(ClusterStatuses, "dev")).rejects.toThrow(/read-only/);
    await expect(
      api.create(Clusters, { metadata: { id: "x" }, spec: create(ConfigPatchSpecSchema) as never }),
    ).rejects.toThrow(
      /specs.ConfigPatchSpec, but Clusters.omni.sidero.dev takes specs.ClusterSpec/,
    );
    await expect(api.create(Clusters, { metadata: { id: " x" }, spec: {} })).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(api.get(Clusters, "")).rejects.toBeInstanceOf(ValidationError);
    await expect(api.update(Clusters, { metadata: { id: "dev" }, spec: {} })).rejects.toThrow(
      /resource.metadata.version/,
    );
    expect(calls()).toBe(0);
  });

  it("leaves writes in infra-provider namespaces to Omni, which decides them per role", async () => {
    const { api, calls } = seeded();
    const statuses = rawResourceType("InfraMachineStatuses.omni.sidero.dev", "infra-provider");
    const created = await api.create(statuses, {
      metadata: { id: "machine-1" },
      spec: { protoSpec: new Uint8Array(), yamlSpec: "" },
    });
    expect(created.metadata.namespace).toBe("infra-provider");
    expect(calls()).toBe(1);
    // The same type elsewhere is still controller-managed.
    await expect(
      api.destroy(rawResourceType("InfraMachineStatuses.omni.sidero.dev"), "machine-1"),
    ).rejects.toThrow(/read-only/);
    expect(
      allowedVerbs("InfraMachineStatuses.omni.sidero.dev", "infra-provider:bare-metal"),
    ).toEqual(["read", "create", "update", "destroy"]);
    // Omni up to v1.7 lets users update SideroLink links and pending machines (v1.9 refuses it on
    // the server); no release lets them create one.
    expect(allowedVerbs("Links.omni.sidero.dev")).toEqual(["read", "update", "destroy"]);
    expect(allowedVerbs("PendingMachines.omni.sidero.dev")).toEqual(["read", "update", "destroy"]);
  });

  it("keeps a resource with finalizers until they are gone, and tears down", async () => {
    const { api } = seeded();
    await expect(api.destroy(Clusters, "dev")).rejects.toBeInstanceOf(FailedPreconditionError);
    expect(await api.teardown(Clusters, "dev")).toBe(false);
    const tearing = await api.get(Clusters, "dev");
    expect(tearing.metadata.phase).toBe("tearingDown");
    await expect(
      api.update(Clusters, tearing, { expectedPhase: "running" }),
    ).rejects.toBeInstanceOf(InvalidArgumentError);
    await api.update(Clusters, {
      metadata: { ...tearing.metadata, finalizers: [] },
      spec: tearing.spec,
    });
    await api.destroy(Clusters, "dev");
    await expect(api.get(Clusters, "dev")).rejects.toBeInstanceOf(NotFoundError);
  });

  it("teardownAndDestroy removes a resource without finalizers", async () => {
    const { api } = seeded();
    await api.teardownAndDestroy(MachineSets, "dev-workers");
    await expect(api.get(MachineSets, "dev-workers")).rejects.toBeInstanceOf(NotFoundError);
  });

  it("answers with Omni's codes for non-writable types and owner conflicts on the server side", async () => {
    const { store } = seeded();
    const { createRouterTransport } = await import("@connectrpc/connect");
    const { createClient } = await import("@connectrpc/connect");
    const { State } = await import("../../src/gen/v1alpha1/state_pb.js");
    const { createCosiStateImpl, allowAllCosiAccess } = await import(
      "../../src/emulator/cosi/index.js"
    );
    const client = createClient(
      State,
      createRouterTransport(({ service }) =>
        service(State, createCosiStateImpl(store, allowAllCosiAccess)),
      ),
    );
    await expect(
      client.destroy({ namespace: "default", type: MachineStatuses.type, id: "x" }),
    ).rejects.toThrow(/only read access is permitted/);
    await expect(
      client.update({
        newResource: store.get("default", MachineSets.type, "dev-workers"),
        options: { owner: "SomeController" },
      }),
    ).rejects.toMatchObject({ code: 7 });
  });
});

describe("resources: watch", () => {
  it("sees bootstrap, create, update, teardown and destroy in order, and resumes from a bookmark", async () => {
    const { api } = seeded();
    const controller = new AbortController();
    const events: WatchEvent<unknown>[] = [];
    const seen = (async () => {
      for await (const event of api.watch(MachineSets, {
        signal: controller.signal,
        labels: { "omni.sidero.dev/cluster": "qa" },
      })) {
        events.push(event);
        if (event.type === "destroyed") {
          return;
        }
      }
    })().catch((error: unknown) => error);

    const waitFor = async (count: number) => {
      while (events.length < count) {
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    };
    await waitFor(1);
    expect(events[0]?.type).toBe("bootstrapped");
    const labels = { "omni.sidero.dev/cluster": "qa" };
    const created = await api.create(MachineSets, {
      metadata: { id: "qa-workers", labels },
      spec: {},
    });
    await api.update(MachineSets, {
      metadata: created.metadata,
      spec: { updateStrategy: MachineSetSpec_UpdateStrategy.Rolling },
    });
    await api.teardown(MachineSets, "qa-workers");
    await api.destroy(MachineSets, "qa-workers");
    await seen;
    controller.abort();
    expect(events.map((e) => e.type)).toEqual([
      "bootstrapped",
      "created",
      "updated",
      "updated",
      "destroyed",
    ]);
    const update = events[2];
    expect(update?.type === "updated" && update.old?.metadata.version).toBe("1");
    expect(events[3]?.type === "updated" && events[3].resource.metadata.phase).toBe("tearingDown");

    // Resume after the first update: only the later events come back.
    const resumeFrom = events[2]?.bookmark;
    expect(resumeFrom).toBeInstanceOf(Uint8Array);
    const resumed: string[] = [];
    const again = new AbortController();
    for await (const event of api.watch(MachineSets, {
      signal: again.signal,
      startFromBookmark: resumeFrom,
    })) {
      resumed.push(event.type);
      if (event.type === "destroyed") {
        again.abort();
        break;
      }
    }
    expect(resumed).toEqual(["updated", "destroyed"]);
  });

  it("watches one resource, starting with its current state", async () => {
    const { api } = seeded();
    const controller = new AbortController();
    const iterator = api
      .watch(Clusters, { id: "production", signal: controller.signal })
      [Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.value).toMatchObject({
      type: "created",
      resource: { metadata: { id: "production" } },
    });
    await iterator.return?.();
    controller.abort();
    await expect(
      api
        .watch(Clusters, { id: "production", labels: { a: "b" } })
        [Symbol.asyncIterator]()
        .next(),
    ).rejects.toBeInstanceOf(ValidationError);
  });
});
