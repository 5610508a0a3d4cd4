import { defaultNamespaceOf, isDefinedType } from "./resource-types.js";

/**
 * What Omni's state access filter lets any caller do with each resource type through
 * `cosi.resource.State`, apart from roles (which `CosiAccess` checks): `filterAccess` and
 * `filterAccessByType` in Omni v1.9.3's `internal/backend/runtime/omni/state_access.go`, with
 * `UserManagedResourceTypes` from its client module. test/real-omni/resources-write-rules.test.ts
 * records what v1.9.3 answers an Admin for each type.
 *
 * This is the emulator's own table of one Omni release, not the SDK's write rules, which span
 * several releases and leave refusals that differ between them to the server.
 */
export type TypeVerb = "read" | "create" | "update" | "destroy";

interface TypeRule {
  readonly verbs: readonly TypeVerb[];
  /** Omni's reason when a verb is refused. */
  readonly refusal: string;
}

const readOnly: TypeRule = { verbs: ["read"], refusal: "only read access is permitted" };
const noAccess: TypeRule = { verbs: [], refusal: "no access is permitted" };

/** `UserManagedResourceTypes`: every verb, "managed on the client side". */
const userManaged = [
  "AccessPolicies",
  "Clusters",
  "ConfigPatches",
  "DefaultJoinTokens",
  "EtcdBackupS3Configs",
  "EtcdManualBackups",
  "ExtensionsConfigurations",
  "GRPCTunnelConfigs",
  "InfraMachineBMCConfigs",
  "InfraMachineConfigs",
  "InfraProviders",
  "InstallationMediaConfigs",
  "KernelArgs",
  "KubernetesHealthChecks",
  "KubernetesManifestGroups",
  "MachineClasses",
  "MachineLabels",
  "MachineRequestSets",
  "MachineSetNodes",
  "MachineSets",
  "NodeForceDestroyRequests",
  "RotateKubernetesCAs",
  "RotateTalosCAs",
  "SAMLLabelRules",
];

/** The types `filterAccessByType` gives some verbs but not all, with its reasons. */
const limited: Record<string, TypeRule> = {
  ImportedClusterSecrets: {
    verbs: ["create", "destroy"],
    refusal: "only create and destroy access is permitted for imported cluster secrets",
  },
  EulaAcceptances: {
    verbs: ["read", "create"],
    refusal: "only read and create access is permitted for EULA acceptance",
  },
  // Up to v1.7 users could also update these (teardown by update); since then Teardown is a destroy.
  Links: { verbs: ["read", "destroy"], refusal: "only read and delete access is permitted" },
  PendingMachines: {
    verbs: ["read", "destroy"],
    refusal: "only read and delete access is permitted",
  },
  JoinTokens: {
    verbs: ["read", "update", "destroy"],
    refusal:
      "only read, update and destroy access is permitted, create should be done via the management.CreateJoinToken API call",
  },
};

/**
 * Types Omni defines but whose access `filterAccess` refuses outright: secrets, generated
 * configs and internal bookkeeping. Types Omni does not define at all are refused the same way.
 */
const closed = [
  "BackupDatas.omni.sidero.dev",
  "CertRefreshTicks.system.sidero.dev",
  "ClusterMachineConfigs.omni.sidero.dev",
  "ClusterMachineEncryptionKeys.omni.sidero.dev",
  "ClusterMachineSecrets.omni.sidero.dev",
  "ClusterSecrets.omni.sidero.dev",
  "Configs.omni.sidero.dev",
  "DBVersions.system.sidero.dev",
  "EtcdAuditResults.omni.sidero.dev",
  "EtcdBackupEncryptions.omni.sidero.dev",
  "JWTPublicKeys.system.sidero.dev",
  "JoinTokenUsages.omni.sidero.dev",
  "Kubeconfigs.omni.sidero.dev",
  "KubernetesResources.omni.sidero.dev",
  "MachineJoinConfigs.omni.sidero.dev",
  "MachineSetConfigStatuses.omni.sidero.dev",
  "NodeUniqueTokens.omni.sidero.dev",
  "PendingMachineStatuses.omni.sidero.dev",
  "PublicKeys.omni.sidero.dev",
  "SAMLAssertions.omni.sidero.dev",
  "SecretRotations.omni.sidero.dev",
  "TalosConfigs.omni.sidero.dev",
];

const rules = new Map<string, TypeRule>();
const everything: TypeRule = { verbs: ["read", "create", "update", "destroy"], refusal: "" };
for (const name of userManaged) {
  rules.set(`${name}.omni.sidero.dev`, everything);
}
for (const [name, rule] of Object.entries(limited)) {
  rules.set(`${name}.omni.sidero.dev`, rule);
}
for (const type of closed) {
  rules.set(type, noAccess);
}
// Role-checked by `filterAccess` but missing from `filterAccessByType`, whose default refuses it.
rules.set("MachineRequestSetStatuses.omni.sidero.dev", {
  verbs: [],
  refusal: "access is not permitted",
});

/**
 * Omni hands these to its infra-provider state, which decides per type and role: every type it
 * keeps in the `infra-provider` namespaces (its ResourceDefinitions say which; in v1.9.3 exactly
 * the types of `infraprovider.getResourceConfig`), and anything in a provider's own
 * `infra-provider:<id>` namespace.
 */
function isInfraProviderResource(type: string, namespace: string): boolean {
  if (namespace.startsWith("infra-provider:")) {
    return true;
  }
  const home = defaultNamespaceOf(type);
  return home === "infra-provider" || home === "infra-provider-ephemeral";
}

/**
 * The rule for `type` in `namespace`. Any other type Omni defines is managed by its controllers
 * and read-only (`filterAccessByType`'s long read-only list names every one of them in v1.9.3).
 */
export function typeRule(type: string, namespace: string): TypeRule {
  if (isInfraProviderResource(type, namespace)) {
    return everything;
  }
  return rules.get(type) ?? (isDefinedType(type) ? readOnly : noAccess);
}
