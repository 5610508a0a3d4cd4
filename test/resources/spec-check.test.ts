import { create } from "@bufbuild/protobuf";
import { DurationSchema, ValueSchema } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../src/errors.js";
import { ClusterSpecSchema, EtcdBackupConfSchema } from "../../src/gen/omni/specs/omni_pb.js";
import {
  AccessPolicies,
  Clusters,
  ConfigPatches,
  MachineClasses,
  MachineSets,
} from "../../src/resources/registry.js";
import { checkSpecFields } from "../../src/resources/spec-check.js";
import { inMemoryResources } from "./harness.js";

/** The ValidationError `create` throws for `spec`; fails the test if it does not throw one. */
async function refusal(
  type: Parameters<ReturnType<typeof inMemoryResources>["api"]["create"]>[0],
  spec: unknown,
) {
  const { api, calls } = inMemoryResources();
  const error = await api
    .create(type, { metadata: { id: "x" }, spec: spec as never })
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ValidationError);
  expect(calls()).toBe(0);
  return error as ValidationError;
}

describe("plain-object specs", () => {
  it("names a mistyped field and the field it probably meant", async () => {
    const error = await refusal(Clusters, { kubernetesVerison: "1.30.0" });
    expect(error.argument).toBe("resource.spec.kubernetesVerison");
    expect(error.message).toContain("is not a field of specs.ClusterSpec");
    expect(error.message).toContain("did you mean kubernetesVersion?");
    const snake = await refusal(Clusters, { talos_version: "v1.10.5" });
    expect(snake.message).toContain("did you mean talosVersion?");
    const nested = await refusal(Clusters, { backupConfiguration: { enable: true } });
    expect(nested.argument).toBe("resource.spec.backupConfiguration.enable");
    expect(nested.message).toContain("did you mean enabled?");
    const far = await refusal(Clusters, { colour: "blue" });
    expect(far.message).not.toContain("did you mean");
  });

  it("names the path of a value of the wrong type", async () => {
    const cases: [Parameters<typeof refusal>[0], unknown, string, string][] = [
      [Clusters, { kubernetesVersion: 130 }, "resource.spec.kubernetesVersion", "must be a string"],
      [
        Clusters,
        { backupConfiguration: "daily" },
        "resource.spec.backupConfiguration",
        "specs.EtcdBackupConf",
      ],
      [
        Clusters,
        { backupConfiguration: { interval: { seconds: 3600 } } },
        "resource.spec.backupConfiguration.interval.seconds",
        "must be a bigint",
      ],
      [
        Clusters,
        { backupConfiguration: { enabled: "yes" } },
        "resource.spec.backupConfiguration.enabled",
        "must be a boolean",
      ],
      [
        MachineClasses,
        { matchLabels: "arch=amd64" },
        "resource.spec.matchLabels",
        "must be an array",
      ],
      [
        MachineClasses,
        { matchLabels: ["a", 1] },
        "resource.spec.matchLabels[1]",
        "must be a string",
      ],
      [
        MachineSets,
        { updateStrategy: "Rolling" },
        "resource.spec.updateStrategy",
        "(Rolling is 1)",
      ],
      [
        ConfigPatches,
        { compressedData: "eJw=" },
        "resource.spec.compressedData",
        "must be a Uint8Array",
      ],
      [AccessPolicies, { userGroups: [] }, "resource.spec.userGroups", "must be an object"],
      [
        AccessPolicies,
        { userGroups: { ops: { user: [] } } },
        'resource.spec.userGroups["ops"].user',
        "did you mean users?",
      ],
      [
        AccessPolicies,
        { rules: [{ role: "Reader", cluster: ["dev"] }] },
        "resource.spec.rules[0].cluster",
        "did you mean clusters?",
      ],
    ];
    for (const [type, spec, argument, message] of cases) {
      const error = await refusal(type, spec);
      expect([spec, error.argument]).toEqual([spec, argument]);
      expect(error.message).toContain(message);
    }
  });

  it("never repeats the value it refuses", async () => {
    const error = await refusal(ConfigPatches, { data: ["machine: {token: s3cr3t}"] });
    expect(error.message).not.toContain("s3cr3t");
    expect(error.message).toContain("not an array");
  });

  it("takes messages made with create() as they are, at any depth", async () => {
    const { api } = inMemoryResources();
    const backupConfiguration = create(EtcdBackupConfSchema, {
      interval: create(DurationSchema, { seconds: 60n }),
      enabled: true,
    });
    const created = await api.create(Clusters, {
      metadata: { id: "a" },
      spec: { talosVersion: "v1.10.5", backupConfiguration, features: undefined },
    });
    expect(created.spec.backupConfiguration?.interval?.seconds).toBe(60n);
    await api.create(Clusters, {
      metadata: { id: "b" },
      spec: create(ClusterSpecSchema, { talosVersion: "v1.10.5" }),
    });
  });

  it("checks oneofs by case", () => {
    expect(() =>
      checkSpecFields(ValueSchema, { kind: { case: "numberValue", value: 1 } }, "spec"),
    ).not.toThrow();
    expect(() =>
      checkSpecFields(ValueSchema, { kind: { case: "numberValue", value: "1" } }, "spec"),
    ).toThrow(/spec\.kind\.value: must be a number/);
    expect(() =>
      checkSpecFields(ValueSchema, { kind: { case: "decimalValue", value: 1 } }, "spec"),
    ).toThrow(/spec\.kind\.case: must be one of nullValue, numberValue/);
    expect(() => checkSpecFields(ValueSchema, { kind: { numberValue: 1 } }, "spec")).toThrow(
      /spec\.kind\.numberValue: is not part of a oneof/,
    );
  });
});
