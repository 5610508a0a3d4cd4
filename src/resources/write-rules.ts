/**
 * Which verbs Omni lets users run on each type through `cosi.resource.State`
 * (`UserManagedResourceTypes` and `filterAccessByType`, WIRE-CONTRACT §6.2a). Roles still apply on
 * top; this table only says what no role can do. The client checks writes against it before any
 * I/O. The emulator does not read it: it keeps its own table of one release's rules
 * (src/emulator/cosi/access-rules.ts), so that it can catch a mistake here.
 *
 * One table serves every Omni release the SDK supports, so where releases differ it allows what
 * any of them allows and leaves the refusal to the server: the client never refuses a write some
 * Omni accepts. Checked against Omni v1.9.3 (test/real-omni/resources-write-rules.test.ts), which
 * refuses with PermissionDenied: updates of Links and PendingMachines (allowed up to v1.7),
 * everything on JWTPublicKeys and MachineInstallDiskConfigs (opened in later releases).
 */
export type ResourceVerb = "read" | "create" | "update" | "destroy";

const all: readonly ResourceVerb[] = ["read", "create", "update", "destroy"];

const userManaged = [
  "AccessPolicies",
  "SAMLLabelRules",
  "DefaultJoinTokens",
  "GRPCTunnelConfigs",
  "Clusters",
  "ConfigPatches",
  "EtcdManualBackups",
  "MachineClasses",
  "MachineLabels",
  "MachineSets",
  "MachineSetNodes",
  "EtcdBackupS3Configs",
  "ExtensionsConfigurations",
  "KernelArgs",
  "MachineRequestSets",
  "InfraMachineBMCConfigs",
  "InfraMachineConfigs",
  "InstallationMediaConfigs",
  "MachineInstallDiskConfigs",
  "NodeForceDestroyRequests",
  "KubernetesManifestGroups",
  "InfraProviders",
  "RotateTalosCAs",
  "RotateKubernetesCAs",
  "KubernetesHealthChecks",
];

const limited: Record<string, readonly ResourceVerb[]> = {
  ImportedClusterSecrets: ["create", "destroy"],
  EulaAcceptances: ["read", "create"],
  // "update" only up to Omni v1.7 (teardown by update); later releases allow read and destroy.
  PendingMachines: ["read", "update", "destroy"],
  Links: ["read", "update", "destroy"],
  JoinTokens: ["read", "update", "destroy"],
};

/** Types Omni does not expose through the State API at all ("no access is permitted"). */
const denied = [
  "ClusterSecrets.omni.sidero.dev",
  "ClusterMachineConfigs.omni.sidero.dev",
  "PublicKeys.omni.sidero.dev",
  "Kubeconfigs.omni.sidero.dev",
  "TalosConfigs.omni.sidero.dev",
];

const rules = new Map<string, readonly ResourceVerb[]>();
for (const name of userManaged) {
  rules.set(`${name}.omni.sidero.dev`, all);
}
for (const [name, verbs] of Object.entries(limited)) {
  rules.set(`${name}.omni.sidero.dev`, verbs);
}
rules.set("JWTPublicKeys.system.sidero.dev", ["read", "destroy"]);
for (const type of denied) {
  rules.set(type, []);
}

/**
 * Omni hands these namespaces to its infra-provider state, which decides per type and role (an
 * infra provider writes its machines' statuses there); this table has no say in them.
 */
function isInfraProviderNamespace(namespace: string | undefined): boolean {
  return (
    namespace === "infra-provider" ||
    namespace === "infra-provider-ephemeral" ||
    (namespace?.startsWith("infra-provider:") ?? false)
  );
}

/**
 * The verbs users may run on `type` (in `namespace`, when given). Types not listed are
 * controller-managed and read-only, which is what Omni's long explicit read-only list amounts to
 * for every type this SDK can name.
 */
export function allowedVerbs(type: string, namespace?: string): readonly ResourceVerb[] {
  if (isInfraProviderNamespace(namespace)) {
    return all;
  }
  return rules.get(type) ?? ["read"];
}

export function isVerbAllowed(type: string, verb: ResourceVerb, namespace?: string): boolean {
  return allowedVerbs(type, namespace).includes(verb);
}

/** A sentence saying what users may do with `type`, for error messages. */
export function describeAllowedVerbs(type: string): string {
  const verbs = allowedVerbs(type);
  if (verbs.length === 0) {
    return `Omni permits no access to ${type} through the resource API`;
  }
  if (verbs.length === 1 && verbs[0] === "read") {
    return `${type} is managed by Omni's controllers and is read-only for users`;
  }
  return `Omni allows only ${verbs.join(", ")} on ${type}`;
}
