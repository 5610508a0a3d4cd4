import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { MetadataSchema, ResourceSchema, SpecSchema } from "../../src/gen/v1alpha1/resource_pb.js";
import {
  allowedVerbs,
  Machines,
  OmniError,
  PermissionDeniedError,
  rawResourceType,
  resourceTypes,
  ValidationError,
} from "../../src/index.js";
import { failure, realClient, uniqueName } from "./harness.js";
import { accessDenied, rawState } from "./resources-fixtures.js";
import {
  all,
  fullType,
  probeVerbs,
  realOmniVerbs,
  type Verb,
  type Verbs,
} from "./write-rules-v1.9.3.js";

/**
 * Where the SDK's write rules (one table for every Omni release it supports) allow more than
 * v1.9.3 does. None is a write the SDK refuses that v1.9.3 accepts.
 */
const knownDifferences = [
  // Omni up to v1.7 let users update these (for teardown by update); v1.9.3 allows read and destroy.
  "Links.omni.sidero.dev update",
  "PendingMachines.omni.sidero.dev update",
  // A type of Omni releases after v1.9.3.
  "MachineInstallDiskConfigs.omni.sidero.dev read",
  "MachineInstallDiskConfigs.omni.sidero.dev create",
  "MachineInstallDiskConfigs.omni.sidero.dev update",
  "MachineInstallDiskConfigs.omni.sidero.dev destroy",
  // Readable and destroyable after v1.9.3; v1.9.3 gives no access at all.
  "JWTPublicKeys.system.sidero.dev read",
  "JWTPublicKeys.system.sidero.dev destroy",
];

/** Which verbs real Omni lets an Admin run on a type (see `probeVerbs`). */
function probeRealOmni(type: string, namespace: string): Promise<Verb[]> {
  // EtcdBackups parse a Unix time off the end of their IDs before anything else.
  const missing = `${uniqueName("sdk-absent")}-1700000000`;
  return probeVerbs(rawState(realClient("native gRPC")), type, namespace, missing);
}

describe("write rules on real Omni v1.9.3 (Admin, native gRPC)", () => {
  it.each(realOmniVerbs)("%s (%s) allows exactly %j", async (name, namespace, verbs) => {
    expect(await probeRealOmni(fullType(name), namespace)).toEqual(verbs);
  });

  it("JWTPublicKeys are closed to every caller on v1.9.3", async () => {
    expect(await probeRealOmni("JWTPublicKeys.system.sidero.dev", "oidc")).toEqual([]);
  });

  it("differ from the SDK's write rules only where newer or older Omni releases differ", () => {
    const differences: string[] = [];
    const compare = (type: string, namespace: string, real: Verbs) => {
      const sdk = allowedVerbs(type, namespace);
      for (const verb of all) {
        if (sdk.includes(verb) !== real.includes(verb)) {
          differences.push(`${type} ${verb}`);
          // The SDK must never refuse what Omni accepts: only the reverse is a known difference.
          expect(sdk.includes(verb), `${type} ${verb}`).toBe(true);
        }
      }
    };
    for (const [name, namespace, verbs] of realOmniVerbs) {
      compare(fullType(name), namespace, verbs);
    }
    compare("JWTPublicKeys.system.sidero.dev", "oidc", []);
    expect(differences.sort()).toEqual([...knownDifferences].sort());
  });

  it("covers every type the SDK ships a descriptor for", () => {
    const probed = new Set(realOmniVerbs.map(([name]) => fullType(name)));
    expect([...resourceTypes.keys()].filter((type) => !probed.has(type))).toEqual([]);
  });

  it("refuses a write to a read-only type before sending it, as Omni would refuse it", async () => {
    const omni = realClient("native gRPC");
    const id = uniqueName("sdk-machine");
    const local = await failure(omni.resources.create(Machines, { metadata: { id }, spec: {} }));
    expect(local).toBeInstanceOf(ValidationError);
    expect(local.rawMessage).toBe(
      "type: cannot create Machines.omni.sidero.dev: Machines.omni.sidero.dev is managed by Omni's controllers and is read-only for users",
    );
    const remote = await failure(() =>
      rawState(omni).create({
        resource: create(ResourceSchema, {
          metadata: create(MetadataSchema, {
            namespace: "default",
            type: Machines.type,
            id,
            version: "undefined",
            phase: "running",
          }),
          spec: create(SpecSchema, {}),
        }),
      }),
    );
    expect(remote).toBeInstanceOf(PermissionDeniedError);
    expect(remote.rawMessage).toBe(accessDenied("only read access is permitted"));
  });

  it("relays the refusals only Omni makes with their reasons", async () => {
    const omni = realClient("native gRPC");
    const refusals: Array<[string, string, () => Promise<unknown>]> = [
      [
        "Links update",
        "only read and delete access is permitted",
        () =>
          omni.resources.update(rawResourceType("Links.omni.sidero.dev"), {
            metadata: { id: uniqueName("sdk-link"), version: "1" },
            spec: { protoSpec: new Uint8Array(), yamlSpec: "" },
          }),
      ],
      [
        "ImportedClusterSecrets read",
        "only create and destroy access is permitted for imported cluster secrets",
        () => omni.resources.listAll(rawResourceType("ImportedClusterSecrets.omni.sidero.dev")),
      ],
      [
        "EulaAcceptances destroy",
        "only read and create access is permitted for EULA acceptance",
        () => omni.resources.destroy(rawResourceType("EulaAcceptances.omni.sidero.dev"), "x"),
      ],
    ];
    for (const [what, reason, call] of refusals) {
      const error = await failure(call);
      if (error instanceof ValidationError) {
        // The SDK's own table refused it first (EulaAcceptances destroy): same verdict.
        expect(what).toBe("EulaAcceptances destroy");
        continue;
      }
      expect(error, what).toBeInstanceOf(PermissionDeniedError);
      expect(error.rawMessage, what).toBe(accessDenied(reason));
      expect(error).toBeInstanceOf(OmniError);
    }
  });
});
