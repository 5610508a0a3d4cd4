import { create } from "@bufbuild/protobuf";
import { type Client, Code } from "@connectrpc/connect";
import { MetadataSchema, ResourceSchema, SpecSchema } from "../../src/gen/v1alpha1/resource_pb.js";
import type { State } from "../../src/gen/v1alpha1/state_pb.js";

/**
 * What an Admin may do with each resource type on Omni v1.9.3, as its state access check answers,
 * recorded by resources-write-rules.test.ts against a real Omni. The emulator's own access table is
 * checked against the same facts (test/emulator/access-rules.test.ts).
 */
export type Verb = "read" | "create" | "update" | "destroy";
export type Verbs = readonly Verb[];
export const all: Verbs = ["read", "create", "update", "destroy"];
export const readOnly: Verbs = ["read"];

/**
 * What an Admin may do with each type on Omni v1.9.3, as its state access check answers (every
 * type the SDK ships a descriptor for or names in its write rules). Namespaces are the types'
 * default ones as Omni's ResourceDefinitions give them.
 */
export const realOmniVerbs: ReadonlyArray<[type: string, namespace: string, verbs: Verbs]> = [
  ["AccessPolicies", "default", all],
  ["SAMLLabelRules", "default", all],
  ["DefaultJoinTokens", "default", all],
  ["GRPCTunnelConfigs", "default", all],
  ["Clusters", "default", all],
  ["ConfigPatches", "default", all],
  ["EtcdManualBackups", "ephemeral", all],
  ["MachineClasses", "default", all],
  ["MachineLabels", "default", all],
  ["MachineSets", "default", all],
  ["MachineSetNodes", "default", all],
  ["EtcdBackupS3Configs", "default", all],
  ["ExtensionsConfigurations", "default", all],
  ["KernelArgs", "default", all],
  ["MachineRequestSets", "default", all],
  ["InfraMachineBMCConfigs", "default", all],
  ["InfraMachineConfigs", "default", all],
  ["InstallationMediaConfigs", "default", all],
  ["NodeForceDestroyRequests", "default", all],
  ["KubernetesManifestGroups", "default", all],
  ["InfraProviders", "infra-provider", all],
  ["RotateTalosCAs", "default", all],
  ["RotateKubernetesCAs", "default", all],
  ["KubernetesHealthChecks", "default", all],
  // Newer than v1.9.3: no such type yet, so "no access is permitted".
  ["MachineInstallDiskConfigs", "default", []],
  ["ImportedClusterSecrets", "default", ["create", "destroy"]],
  ["EulaAcceptances", "default", ["read", "create"]],
  ["PendingMachines", "ephemeral", ["read", "destroy"]],
  ["Links", "default", ["read", "destroy"]],
  ["JoinTokens", "default", ["read", "update", "destroy"]],
  ["ClusterSecrets", "default", []],
  ["ClusterMachineConfigs", "default", []],
  ["PublicKeys", "default", []],
  ["Kubeconfigs", "default", []],
  ["TalosConfigs", "default", []],
  ["ClusterStatuses", "default", readOnly],
  ["Machines", "default", readOnly],
  ["MachineStatuses", "default", readOnly],
  ["MachineSetStatuses", "default", readOnly],
  ["ClusterMachines", "default", readOnly],
  ["ClusterMachineStatuses", "default", readOnly],
  ["TalosUpgradeStatuses", "default", readOnly],
  ["KubernetesUpgradeStatuses", "default", readOnly],
  ["TalosVersions", "default", readOnly],
  ["KubernetesVersions", "default", readOnly],
  ["EtcdBackups", "external", readOnly],
  ["Identities", "default", readOnly],
  ["Users", "default", readOnly],
];

export const fullType = (name: string) => `${name}.omni.sidero.dev`;

/** Whether the access check let the call through (it may still fail for another reason). */
async function permitted(call: () => Promise<unknown>): Promise<boolean> {
  try {
    await call();
    return true;
  } catch (error) {
    // A ConnectError, or the SDK's PermissionDeniedError: both carry the gRPC code.
    return (error as { code?: unknown }).code !== Code.PermissionDenied;
  }
}

/**
 * Asks a server (real Omni or the emulator), with the generated State client (no SDK write rules
 * in the way), which verbs the caller may run on a type. Nothing is written: the create has an
 * empty ID, which every type refuses, and the update and destroy name `missing`, an ID that does
 * not exist. Omni runs its access check next to (create) or before (update, destroy) those, and
 * answers PermissionDenied when it fails.
 */
export async function probeVerbs(
  state: Client<typeof State>,
  type: string,
  namespace: string,
  missing: string,
): Promise<Verb[]> {
  const resource = (id: string, version: string) =>
    create(ResourceSchema, {
      metadata: create(MetadataSchema, { namespace, type, id, version, phase: "running" }),
      spec: create(SpecSchema, { protoSpec: new Uint8Array() }),
    });
  const outcomes: Array<[Verb, boolean]> = [
    ["read", await permitted(() => state.get({ namespace, type, id: missing }))],
    ["create", await permitted(() => state.create({ resource: resource("", "undefined") }))],
    [
      "update",
      await permitted(() =>
        state.update({
          newResource: resource(missing, "1"),
          options: { expectedPhase: "running" },
        }),
      ),
    ],
    ["destroy", await permitted(() => state.destroy({ namespace, type, id: missing }))],
  ];
  return outcomes.filter(([, allowed]) => allowed).map(([verb]) => verb);
}
