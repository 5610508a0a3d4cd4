import type { Message, MessageInitShape } from "@bufbuild/protobuf";
import type { GenMessage } from "@bufbuild/protobuf/codegenv2";
import { afterAll, describe, expect, it } from "vitest";
import {
  AlreadyExistsError,
  Clusters,
  ConfigPatches,
  FailedPreconditionError,
  InvalidArgumentError,
  KernelArgs,
  MachineClasses,
  MachineLabels,
  MachineSets,
  NotFoundError,
  type OmniClient,
  TalosVersions,
  type TypedResourceType,
} from "../../src/index.js";
import { failure, realClient, transportNames, uniqueName } from "./harness.js";
import {
  EtcdBackupS3Configs,
  GRPCTunnelConfigs,
  InfraMachineConfigs,
  missingMessage,
  RotateKubernetesCAs,
  RotateTalosCAs,
  removeCreated,
  validationMessage,
} from "./resources-fixtures.js";

/** A type an Admin may write on real Omni, whose controllers add no finalizers to it. */
interface LifecycleCase<S extends Message> {
  type: TypedResourceType<S>;
  init: MessageInitShape<GenMessage<S>>;
  /** Changes the spec read back, for the update. */
  change(spec: S): void;
  /** What the spec holds after `init`, then after `change`. */
  created(spec: S): unknown;
  updated(spec: S): unknown;
}

function lifecycle<S extends Message>(value: LifecycleCase<S>): LifecycleCase<Message> {
  return value as unknown as LifecycleCase<Message>;
}

const lifecycleCases = [
  lifecycle({
    // Not bound to a cluster: Omni v1.9.3 accepts a patch with no cluster label at all.
    type: ConfigPatches,
    init: { data: "machine:\n  env:\n    A: b\n" },
    change: (spec) => {
      spec.data = "machine:\n  env:\n    A: c\n";
    },
    created: (spec) => [spec.data, spec.compressedData.length],
    updated: (spec) => [spec.data, spec.compressedData.length],
  }),
  lifecycle({
    type: MachineClasses,
    init: { matchLabels: ["omni.sidero.dev/arch = amd64"] },
    change: (spec) => {
      spec.matchLabels.push("omni.sidero.dev/cores > 4");
    },
    created: (spec) => spec.matchLabels,
    updated: (spec) => spec.matchLabels,
  }),
  lifecycle({
    type: MachineLabels,
    init: {},
    change: () => {},
    created: (spec) => spec.$typeName,
    updated: (spec) => spec.$typeName,
  }),
  lifecycle({
    type: KernelArgs,
    init: { args: ["console=ttyS0"] },
    change: (spec) => {
      spec.args.push("nomodeset");
    },
    created: (spec) => spec.args,
    updated: (spec) => spec.args,
  }),
  lifecycle({
    type: GRPCTunnelConfigs,
    init: { enabled: true },
    change: (spec) => {
      spec.enabled = false;
    },
    created: (spec) => spec.enabled,
    updated: (spec) => spec.enabled,
  }),
  lifecycle({
    type: EtcdBackupS3Configs,
    // An empty configuration is the only one whose validation is not environment-dependent:
    // Omni builds an S3 client from any other, and that fails or not depending on its AWS_* env.
    init: {},
    change: () => {},
    created: (spec) => [spec.bucket, spec.region, spec.endpoint],
    updated: (spec) => [spec.bucket, spec.region, spec.endpoint],
  }),
  lifecycle({
    type: RotateTalosCAs,
    init: {},
    change: () => {},
    created: (spec) => spec.$typeName,
    updated: (spec) => spec.$typeName,
  }),
  lifecycle({
    type: RotateKubernetesCAs,
    init: {},
    change: () => {},
    created: (spec) => spec.$typeName,
    updated: (spec) => spec.$typeName,
  }),
  lifecycle({
    type: InfraMachineConfigs,
    init: { extraKernelArgs: "console=ttyS1" },
    change: (spec) => {
      spec.extraKernelArgs = "console=ttyS2";
    },
    created: (spec) => spec.extraKernelArgs,
    updated: (spec) => spec.extraKernelArgs,
  }),
];

/**
 * Types whose NotFound Omni words as "failed to get: ..." (a validation of theirs reads the
 * stored resource first); the others say only "resource ... doesn't exist".
 */
const notFoundFromValidation = new Set([
  "GRPCTunnelConfigs.omni.sidero.dev",
  "InfraMachineConfigs.omni.sidero.dev",
  "EtcdBackupS3Configs.omni.sidero.dev",
]);

const expectedSpecs: Record<string, [unknown, unknown]> = {
  "ConfigPatches.omni.sidero.dev": [
    ["machine:\n  env:\n    A: b\n", 0],
    ["machine:\n  env:\n    A: c\n", 0],
  ],
  "MachineClasses.omni.sidero.dev": [
    ["omni.sidero.dev/arch = amd64"],
    ["omni.sidero.dev/arch = amd64", "omni.sidero.dev/cores > 4"],
  ],
  "MachineLabels.omni.sidero.dev": ["specs.MachineLabelsSpec", "specs.MachineLabelsSpec"],
  "KernelArgs.omni.sidero.dev": [["console=ttyS0"], ["console=ttyS0", "nomodeset"]],
  "GRPCTunnelConfigs.omni.sidero.dev": [true, false],
  "EtcdBackupS3Configs.omni.sidero.dev": [
    ["", "", ""],
    ["", "", ""],
  ],
  "RotateTalosCAs.omni.sidero.dev": ["specs.RotateTalosCASpec", "specs.RotateTalosCASpec"],
  "RotateKubernetesCAs.omni.sidero.dev": [
    "specs.RotateKubernetesCASpec",
    "specs.RotateKubernetesCASpec",
  ],
  "InfraMachineConfigs.omni.sidero.dev": ["console=ttyS1", "console=ttyS2"],
};

const created: Array<[OmniClient, TypedResourceType<Message>, string]> = [];

afterAll(async () => {
  for (const [omni, type, id] of created) {
    await removeCreated(omni, type, id);
  }
});

describe.each(transportNames)("resources on real Omni over %s", (transport) => {
  const omni = realClient(transport);

  describe.each(lifecycleCases.map((c) => [c.type.type, c] as const))("%s", (_, testCase) => {
    it("is created, read, listed, updated with its version and destroyed by an Admin", async () => {
      const { type } = testCase;
      const id = uniqueName("sdk-crud");
      const [specAfterCreate, specAfterUpdate] = expectedSpecs[type.type] ?? [];

      const made = await omni.resources.create(type, {
        metadata: { id, labels: { "sdk-test/run": id }, annotations: { "sdk-test/note": "a" } },
        spec: testCase.init,
      });
      created.push([omni, type, id]);
      expect(made.metadata).toMatchObject({
        namespace: type.namespace,
        type: type.type,
        id,
        version: "1",
        owner: "",
        phase: "running",
        labels: { "sdk-test/run": id },
        annotations: { "sdk-test/note": "a" },
        finalizers: [],
      });
      expect(made.metadata.created).toBeInstanceOf(Date);
      expect(testCase.created(made.spec)).toEqual(specAfterCreate);

      const read = await omni.resources.get(type, id);
      expect(read.metadata).toEqual(made.metadata);
      expect(testCase.created(read.spec)).toEqual(specAfterCreate);

      const listed = await omni.resources.listAll(type, { idRegex: `^${id}$` });
      expect(listed.map((r) => r.metadata.id)).toEqual([id]);
      const streamed: string[] = [];
      for await (const resource of omni.resources.list(type, {
        labels: { "sdk-test/run": id },
      })) {
        streamed.push(resource.metadata.id);
      }
      expect(streamed).toEqual([id]);

      testCase.change(read.spec);
      const updated = await omni.resources.update(type, {
        ...read,
        metadata: { ...read.metadata, labels: { "sdk-test/run": id, extra: "yes" } },
      });
      expect(updated.metadata).toMatchObject({
        version: "2",
        phase: "running",
        labels: { "sdk-test/run": id, extra: "yes" },
        annotations: { "sdk-test/note": "a" },
      });
      expect(testCase.updated(updated.spec)).toEqual(specAfterUpdate);
      expect(testCase.updated((await omni.resources.get(type, id)).spec)).toEqual(specAfterUpdate);

      // The version read first is stale now: COSI's conflict, and nothing changes.
      const stale = await failure(omni.resources.update(type, read));
      expect(stale).toBeInstanceOf(FailedPreconditionError);
      expect(stale.rawMessage).toBe(
        `failed to update: resource ${type.type}(${type.namespace}/${id}@2) update conflict: expected version '\\x01', actual version '\\x02'`,
      );
      expect((await omni.resources.get(type, id)).metadata.version).toBe("2");

      await omni.resources.destroy(type, id);
      const gone = await failure(omni.resources.get(type, id));
      expect(gone).toBeInstanceOf(NotFoundError);
      const prefix = notFoundFromValidation.has(type.type) ? "failed to get: " : "";
      expect(gone.rawMessage).toBe(missingMessage(type, id, prefix));
    });
  });

  it("answers NotFoundError for every call on an ID that does not exist", async () => {
    const id = uniqueName("sdk-missing");
    const message = missingMessage(ConfigPatches, id);
    for (const call of [
      () => omni.resources.get(ConfigPatches, id),
      () => omni.resources.destroy(ConfigPatches, id),
      () => omni.resources.teardown(ConfigPatches, id),
      () =>
        omni.resources.update(ConfigPatches, {
          metadata: { id, version: "1" },
          spec: { data: "machine: {}\n" },
        }),
    ]) {
      const error = await failure(call);
      expect(error).toBeInstanceOf(NotFoundError);
      expect(error.rawMessage).toBe(message);
    }
  });

  it("refuses a second create of an ID with AlreadyExistsError", async () => {
    const id = uniqueName("sdk-twice");
    await omni.resources.create(MachineLabels, { metadata: { id }, spec: {} });
    created.push([omni, MachineLabels, id]);
    const error = await failure(
      omni.resources.create(MachineLabels, { metadata: { id }, spec: {} }),
    );
    expect(error).toBeInstanceOf(AlreadyExistsError);
    expect(error.rawMessage).toBe(
      `failed to create: resource MachineLabels.omni.sidero.dev(default/${id}@undefined) already exists`,
    );
  });

  it("relays Omni's validation of specs as InvalidArgumentError", async () => {
    const refusals: Array<[() => Promise<unknown>, string]> = [
      [
        () =>
          omni.resources.create(ConfigPatches, {
            metadata: { id: uniqueName("sdk-bad-yaml") },
            spec: { data: "not: [valid" },
          }),
        validationMessage(
          "decode error: yaml: while parsing a flow sequence at <unknown position>: line 1: did not find expected ',' or ']'",
        ),
      ],
      [
        () =>
          omni.resources.create(ConfigPatches, {
            metadata: { id: uniqueName("sdk-no-kind") },
            spec: { data: "foo: bar\n" },
          }),
        validationMessage("error decoding document /v1alpha1/ (line 1): missing kind"),
      ],
      [
        () =>
          omni.resources.create(MachineClasses, {
            metadata: { id: uniqueName("sdk-bad-selector") },
            spec: { matchLabels: ["=== bad"] },
          }),
        validationMessage(
          "failed to parse matchLabels: rpc error: code = InvalidArgument desc = found '==', expected: !, identifier, or 'end of string'",
        ),
      ],
      [
        () =>
          omni.resources.create(MachineClasses, {
            metadata: { id: uniqueName("sdk-empty-class") },
            spec: {},
          }),
        validationMessage("machine class should either have auto provision or match labels set"),
      ],
    ];
    for (const [call, message] of refusals) {
      const error = await failure(call);
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect(error.rawMessage).toBe(message);
    }
  });

  it("refuses a Cluster (and so MachineSets) for a Talos version Omni has no TalosVersion of", async () => {
    // Offline, a fresh Omni has no TalosVersions at all, so no Cluster can be created there.
    const id = uniqueName("sdk-cluster");
    const cluster = await failure(
      omni.resources.create(Clusters, {
        metadata: { id },
        spec: { talosVersion: "v1.99.0", kubernetesVersion: "1.33.2" },
      }),
    );
    expect(cluster).toBeInstanceOf(InvalidArgumentError);
    expect(cluster.rawMessage).toBe(
      validationMessage(
        `invalid talos version "v1.99.0": failed to get: ${missingMessage(TalosVersions, "v1.99.0")}`,
      ),
    );
    const machineSet = await failure(
      omni.resources.create(MachineSets, {
        metadata: { id: `${id}-workers`, labels: { "omni.sidero.dev/cluster": id } },
        spec: {},
      }),
    );
    expect(machineSet).toBeInstanceOf(InvalidArgumentError);
    expect(machineSet.rawMessage).toBe(validationMessage(`the cluster "${id}" does not exist`));
  });

  it("keeps a large config patch in `data` as written (v1.9.3 does not compress on write)", async () => {
    const id = uniqueName("sdk-big-patch");
    const data = `machine:\n  env:\n${Array.from({ length: 200 }, (_, i) => `    K${i}: ${"v".repeat(20)}\n`).join("")}`;
    await omni.resources.create(ConfigPatches, { metadata: { id }, spec: { data } });
    created.push([omni, ConfigPatches, id]);
    const read = await omni.resources.get(ConfigPatches, id);
    expect(read.spec.data).toBe(data);
    expect(read.spec.compressedData).toHaveLength(0);
    await omni.resources.destroy(ConfigPatches, id);
  });
});
