import { create, type Message, type MessageInitShape } from "@bufbuild/protobuf";
import type { GenMessage } from "@bufbuild/protobuf/codegenv2";
import { Code, createClient } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import type { OmniClient } from "../../src/client.js";
import {
  FailedPreconditionError,
  NotFoundError,
  OmniError,
  PermissionDeniedError,
  ValidationError,
} from "../../src/errors.js";
import { MachineSetSpec_UpdateStrategy } from "../../src/gen/omni/specs/omni_pb.js";
import { State } from "../../src/gen/v1alpha1/state_pb.js";
import type { LabelSelector } from "../../src/resources/labels.js";
import {
  AccessPolicies,
  ClusterMachineStatuses,
  ClusterMachines,
  ClusterStatuses,
  Clusters,
  ConfigPatches,
  ExtensionsConfigurations,
  KernelArgs,
  KubernetesUpgradeStatuses,
  MachineClasses,
  MachineLabels,
  MachineSetNodes,
  MachineSetStatuses,
  MachineSets,
  MachineStatuses,
  Machines,
  TalosUpgradeStatuses,
} from "../../src/resources/registry.js";
import type { ResourceType, TypedResourceType } from "../../src/resources/types.js";
import type { WatchEvent } from "../../src/resources/watch-event.js";
import { clientOver, failure, type TransportName, transportNames, useEmulator } from "./harness.js";

const emulator = useEmulator();

/** A user-managed type with a spec to create and a change to make. */
interface WritableCase<S extends Message> {
  type: TypedResourceType<S>;
  init: MessageInitShape<GenMessage<S>>;
  change(spec: S): void;
}

function writable<S extends Message>(value: WritableCase<S>): WritableCase<Message> {
  return value as unknown as WritableCase<Message>;
}

const writableCases = [
  writable({
    type: Clusters,
    init: { talosVersion: "v1.10.5", kubernetesVersion: "1.33.2" },
    change: (spec) => {
      spec.kubernetesVersion = "1.33.3";
    },
  }),
  writable({
    type: ConfigPatches,
    init: { data: "machine:\n  env:\n    A: b\n" },
    change: (spec) => {
      spec.data = "machine:\n  env:\n    A: c\n";
    },
  }),
  writable({
    type: MachineSets,
    init: { updateStrategy: MachineSetSpec_UpdateStrategy.Rolling },
    change: (spec) => {
      spec.updateStrategy = MachineSetSpec_UpdateStrategy.Unset;
    },
  }),
  writable({ type: MachineSetNodes, init: {}, change: () => {} }),
  writable({ type: MachineLabels, init: {}, change: () => {} }),
  writable({
    type: MachineClasses,
    init: { matchLabels: ["omni.sidero.dev/arch = amd64"] },
    change: (spec) => {
      spec.matchLabels.push("omni.sidero.dev/cores >= 8");
    },
  }),
  writable({
    type: ExtensionsConfigurations,
    init: { extensions: ["siderolabs/iscsi-tools"] },
    change: (spec) => {
      spec.extensions = ["siderolabs/util-linux-tools"];
    },
  }),
  writable({
    type: KernelArgs,
    init: { args: ["console=ttyS0"] },
    change: (spec) => {
      spec.args.push("net.ifnames=0");
    },
  }),
  writable({
    type: AccessPolicies,
    init: { rules: [{ users: ["a@example.org"], clusters: ["dev"], role: "Reader" }] },
    change: (spec) => {
      spec.rules = [];
    },
  }),
];

/** Types only Omni's controllers write: users get and list them. */
const readOnlyTypes: ResourceType<Message>[] = [
  Machines,
  MachineStatuses,
  ClusterStatuses,
  MachineSetStatuses,
  ClusterMachines,
  ClusterMachineStatuses,
  TalosUpgradeStatuses,
  KubernetesUpgradeStatuses,
];

const slug = (transport: TransportName) => transport.toLowerCase().replace(/[^a-z]+/g, "-");

/** Reads the next event of a watch, failing the test if the watch ends first. */
async function nextEvent<S>(events: AsyncIterator<WatchEvent<S>>): Promise<WatchEvent<S>> {
  const result = await events.next();
  if (result.done) {
    throw new Error("the watch ended early");
  }
  return result.value;
}

describe.each(transportNames)("resources over %s", (transport) => {
  const admin = (): OmniClient => clientOver(emulator(), transport);
  const run = slug(transport);

  it.each(writableCases.map((testCase) => [testCase.type.type, testCase] as const))(
    "%s: create, get, list, update, destroy",
    async (_name, { type, init, change }) => {
      const client = admin();
      const id = `it-${run}`;
      const labels = { "test-run": run };
      const created = await client.resources.create(type, {
        metadata: { id, labels },
        spec: create(type.schema, init),
      });
      expect(created.metadata).toMatchObject({ id, version: "1", phase: "running", labels });

      const read = await client.resources.get(type, id);
      expect(read.spec).toEqual(created.spec);
      const listed = await client.resources.listAll(type, { labels });
      expect(listed.map((resource) => resource.metadata.id)).toEqual([id]);

      const spec = create(type.schema, init);
      change(spec);
      const updated = await client.resources.update(type, {
        metadata: { id, version: read.metadata.version, labels: { ...labels, changed: "yes" } },
        spec,
      });
      expect(updated.metadata.version).toBe("2");
      const reread = await client.resources.get(type, id);
      expect(reread.spec).toEqual(spec);
      expect(reread.metadata.labels.changed).toBe("yes");

      await client.resources.destroy(type, id);
      expect(await failure(client.resources.get(type, id))).toBeInstanceOf(NotFoundError);
    },
  );

  it.each(readOnlyTypes.map((type) => [type.type, type] as const))(
    "%s: list and get; writes are refused before sending",
    async (_name, type) => {
      const client = clientOver(emulator(), transport, { key: "reader" });
      const items = await client.resources.listAll(type);
      expect(items.length).toBeGreaterThan(0);
      const first = items[0];
      if (!first) {
        throw new Error("unreachable: the list is not empty");
      }
      const read = await client.resources.get(type, first.metadata.id);
      expect(read.metadata).toEqual(first.metadata);
      expect(read.spec).toEqual(first.spec);
      const error = await failure(client.resources.destroy(type, first.metadata.id));
      expect(error).toBeInstanceOf(ValidationError);
    },
  );

  it("the server refuses a write to a controller-managed type from a raw client", async () => {
    const error = await failure(
      createClient(State, admin().transport).destroy({
        namespace: ClusterStatuses.namespace,
        type: ClusterStatuses.type,
        id: "production",
      }),
    );
    expect(error).toBeInstanceOf(PermissionDeniedError);
  });

  it("a watch sees create, update, teardown and destroy, in order", async () => {
    const client = admin();
    const id = `watched-${run}`;
    const controller = new AbortController();
    const events = client.resources
      .watch(ConfigPatches, { labels: { watched: run }, signal: controller.signal })
      [Symbol.asyncIterator]();
    try {
      expect((await nextEvent(events)).type).toBe("bootstrapped");
      const created = await client.resources.create(ConfigPatches, {
        metadata: { id, labels: { watched: run } },
        spec: { data: "machine: {}\n" },
      });
      await client.resources.update(ConfigPatches, {
        metadata: { id, version: created.metadata.version, labels: { watched: run } },
        spec: { data: "cluster: {}\n" },
      });
      expect(await client.resources.teardown(ConfigPatches, id)).toBe(true);
      await client.resources.destroy(ConfigPatches, id);

      const seen = [];
      for (let i = 0; i < 4; i++) {
        const event = await nextEvent(events);
        if (event.type === "bootstrapped") {
          throw new Error("a second bootstrapped event");
        }
        seen.push({
          type: event.type,
          version: event.resource.metadata.version,
          phase: event.resource.metadata.phase,
          data: event.resource.spec.data,
        });
      }
      expect(seen).toEqual([
        { type: "created", version: "1", phase: "running", data: "machine: {}\n" },
        { type: "updated", version: "2", phase: "running", data: "cluster: {}\n" },
        { type: "updated", version: "3", phase: "tearingDown", data: "cluster: {}\n" },
        { type: "destroyed", version: "3", phase: "tearingDown", data: "cluster: {}\n" },
      ]);
    } finally {
      controller.abort();
      await events.return?.();
    }
  });

  it("an update from a stale version is a typed conflict and changes nothing", async () => {
    const client = admin();
    const id = `conflict-${run}`;
    const created = await client.resources.create(ConfigPatches, {
      metadata: { id },
      spec: { data: "machine: {}\n" },
    });
    await client.resources.update(ConfigPatches, {
      metadata: { id, version: created.metadata.version },
      spec: { data: "first: writer\n" },
    });
    const error = await failure(
      client.resources.update(ConfigPatches, {
        metadata: { id, version: created.metadata.version },
        spec: { data: "second: writer\n" },
      }),
    );
    expect(error).toBeInstanceOf(FailedPreconditionError);
    expect(error.code).toBe(Code.FailedPrecondition);
    const stored = await client.resources.get(ConfigPatches, id);
    expect(stored.metadata.version).toBe("2");
    expect(stored.spec.data).toBe("first: writer\n");
    await client.resources.destroy(ConfigPatches, id);
  });

  describe("label queries", () => {
    const key = `labels-${run}`;
    const fixtures: Record<string, Record<string, string>> = {
      a: { tier: "gold", cores: "4", mem: "8Gi", zone: "a" },
      b: { tier: "silver", cores: "16", mem: "32Gi" },
      c: { tier: "bronze", cores: "2", mem: "512Mi", zone: "c" },
      d: {},
    };

    async function matching(selector: LabelSelector): Promise<string[]> {
      const terms = Array.isArray(selector)
        ? selector
        : Object.entries(selector).map(([label, value]) => ({
            key: label,
            op: "equal" as const,
            value,
          }));
      const found = await admin().resources.listAll(MachineLabels, {
        labels: [{ key: "query-run", op: "equal", value: key }, ...terms],
      });
      return found.map((resource) => resource.metadata.id.slice(key.length + 1)).sort();
    }

    it("every operator selects what COSI would", async () => {
      const client = admin();
      for (const [name, labels] of Object.entries(fixtures)) {
        await client.resources.create(MachineLabels, {
          metadata: { id: `${key}-${name}`, labels: { ...labels, "query-run": key } },
          spec: {},
        });
      }
      expect(await matching({ tier: "silver" })).toEqual(["b"]);
      expect(await matching([{ key: "zone", op: "exists" }])).toEqual(["a", "c"]);
      expect(await matching([{ key: "zone", op: "exists", not: true }])).toEqual(["b", "d"]);
      expect(await matching([{ key: "tier", op: "equal", value: "gold" }])).toEqual(["a"]);
      expect(await matching([{ key: "tier", op: "equal", value: "gold", not: true }])).toEqual([
        "b",
        "c",
        "d",
      ]);
      expect(await matching([{ key: "tier", op: "in", values: ["gold", "bronze"] }])).toEqual([
        "a",
        "c",
      ]);
      expect(
        await matching([{ key: "tier", op: "in", values: ["gold", "bronze"], not: true }]),
      ).toEqual(["b", "d"]);
      // Strings compare as strings: "16" < "3" but 16 > 3.
      expect(await matching([{ key: "cores", op: "lt", value: "3" }])).toEqual(["b", "c"]);
      expect(await matching([{ key: "cores", op: "lt", value: "3", numeric: true }])).toEqual([
        "c",
      ]);
      expect(await matching([{ key: "tier", op: "lte", value: "gold" }])).toEqual(["a", "c"]);
      expect(await matching([{ key: "cores", op: "lte", value: "4", numeric: true }])).toEqual([
        "a",
        "c",
      ]);
      expect(await matching([{ key: "tier", op: "gt", value: "gold" }])).toEqual(["b"]);
      expect(await matching([{ key: "cores", op: "gt", value: "4", numeric: true }])).toEqual([
        "b",
      ]);
      expect(await matching([{ key: "tier", op: "gte", value: "gold" }])).toEqual(["a", "b"]);
      expect(await matching([{ key: "mem", op: "gte", value: "8Gi", numeric: true }])).toEqual([
        "a",
        "b",
      ]);
      expect(await matching([{ key: "mem", op: "lt", value: "1Gi", numeric: true }])).toEqual([
        "c",
      ]);
      // An inverted "less than" also matches resources without the label.
      expect(
        await matching([{ key: "cores", op: "lt", value: "4", numeric: true, not: true }]),
      ).toEqual(["a", "b", "d"]);
      const byId = await client.resources.listAll(MachineLabels, {
        labels: { "query-run": key },
        idRegex: "-(a|d)$",
      });
      expect(byId.map((resource) => resource.metadata.id).sort()).toEqual([`${key}-a`, `${key}-d`]);
    });
  });

  it("a reader gets PermissionDenied for a write the SDK allows", async () => {
    const error = await failure(
      clientOver(emulator(), transport, { key: "reader" }).resources.create(ConfigPatches, {
        metadata: { id: `denied-${run}` },
        spec: { data: "machine: {}\n" },
      }),
    );
    expect(error).toBeInstanceOf(PermissionDeniedError);
    expect(error).toBeInstanceOf(OmniError);
  });
});
