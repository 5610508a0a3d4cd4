import type { Message } from "@bufbuild/protobuf";
import type { GenMessage } from "@bufbuild/protobuf/codegenv2";
import { ValidationError } from "../errors.js";
import {
  AccessPolicySpecSchema,
  IdentitySpecSchema,
  UserSpecSchema,
} from "../gen/omni/specs/auth_pb.js";
import {
  ClusterMachineSpecSchema,
  ClusterMachineStatusSpecSchema,
  ClusterSpecSchema,
  ClusterStatusSpecSchema,
  ConfigPatchSpecSchema,
  EtcdBackupSpecSchema,
  ExtensionsConfigurationSpecSchema,
  KernelArgsSpecSchema,
  KubernetesUpgradeStatusSpecSchema,
  KubernetesVersionSpecSchema,
  MachineClassSpecSchema,
  MachineLabelsSpecSchema,
  MachineSetNodeSpecSchema,
  MachineSetSpecSchema,
  MachineSetStatusSpecSchema,
  MachineSpecSchema,
  MachineStatusSpecSchema,
  TalosUpgradeStatusSpecSchema,
  TalosVersionSpecSchema,
} from "../gen/omni/specs/omni_pb.js";
import type { RawSpec, ResourceType, TypedResourceType } from "./types.js";

/** Namespaces of Omni's resource types (WIRE-CONTRACT §6.1). */
export const Namespaces = {
  default: "default",
  ephemeral: "ephemeral",
  metrics: "metrics",
  virtual: "virtual",
  external: "external",
  infraProvider: "infra-provider",
} as const;

function typed<S extends Message>(
  type: string,
  namespace: string,
  schema: GenMessage<S>,
): TypedResourceType<S> {
  return Object.freeze({ type, namespace, schema });
}

/**
 * Describes a type the SDK ships no descriptor for. Its spec is returned raw (`protoSpec` bytes
 * and Omni's `yamlSpec`), and writes send the bytes given.
 */
export function rawResourceType(
  type: string,
  namespace: string = Namespaces.default,
): ResourceType<RawSpec> {
  if (typeof type !== "string" || type.trim() === "" || type !== type.trim()) {
    throw new ValidationError(
      "type",
      "must be a non-empty COSI type such as Clusters.omni.sidero.dev",
    );
  }
  if (typeof namespace !== "string" || namespace.trim() === "") {
    throw new ValidationError("namespace", "must be a non-empty namespace such as default");
  }
  return Object.freeze({ type, namespace, schema: undefined });
}

const d = Namespaces.default;

export const Clusters = typed("Clusters.omni.sidero.dev", d, ClusterSpecSchema);
export const ClusterStatuses = typed("ClusterStatuses.omni.sidero.dev", d, ClusterStatusSpecSchema);
export const Machines = typed("Machines.omni.sidero.dev", d, MachineSpecSchema);
export const MachineStatuses = typed("MachineStatuses.omni.sidero.dev", d, MachineStatusSpecSchema);
export const MachineSets = typed("MachineSets.omni.sidero.dev", d, MachineSetSpecSchema);
export const MachineSetStatuses = typed(
  "MachineSetStatuses.omni.sidero.dev",
  d,
  MachineSetStatusSpecSchema,
);
export const MachineSetNodes = typed(
  "MachineSetNodes.omni.sidero.dev",
  d,
  MachineSetNodeSpecSchema,
);
export const ClusterMachines = typed(
  "ClusterMachines.omni.sidero.dev",
  d,
  ClusterMachineSpecSchema,
);
export const ClusterMachineStatuses = typed(
  "ClusterMachineStatuses.omni.sidero.dev",
  d,
  ClusterMachineStatusSpecSchema,
);
export const MachineLabels = typed("MachineLabels.omni.sidero.dev", d, MachineLabelsSpecSchema);
export const MachineClasses = typed("MachineClasses.omni.sidero.dev", d, MachineClassSpecSchema);
export const ConfigPatches = typed("ConfigPatches.omni.sidero.dev", d, ConfigPatchSpecSchema);
export const TalosUpgradeStatuses = typed(
  "TalosUpgradeStatuses.omni.sidero.dev",
  d,
  TalosUpgradeStatusSpecSchema,
);
export const KubernetesUpgradeStatuses = typed(
  "KubernetesUpgradeStatuses.omni.sidero.dev",
  d,
  KubernetesUpgradeStatusSpecSchema,
);
export const ExtensionsConfigurations = typed(
  "ExtensionsConfigurations.omni.sidero.dev",
  d,
  ExtensionsConfigurationSpecSchema,
);
export const KernelArgs = typed("KernelArgs.omni.sidero.dev", d, KernelArgsSpecSchema);
export const TalosVersions = typed("TalosVersions.omni.sidero.dev", d, TalosVersionSpecSchema);
export const KubernetesVersions = typed(
  "KubernetesVersions.omni.sidero.dev",
  d,
  KubernetesVersionSpecSchema,
);
export const EtcdBackups = typed(
  "EtcdBackups.omni.sidero.dev",
  Namespaces.external,
  EtcdBackupSpecSchema,
);
export const Identities = typed("Identities.omni.sidero.dev", d, IdentitySpecSchema);
export const Users = typed("Users.omni.sidero.dev", d, UserSpecSchema);
export const AccessPolicies = typed("AccessPolicies.omni.sidero.dev", d, AccessPolicySpecSchema);

/** Every descriptor the SDK ships, keyed by COSI type string. */
export const resourceTypes: ReadonlyMap<string, ResourceType<Message>> = new Map(
  [
    Clusters,
    ClusterStatuses,
    Machines,
    MachineStatuses,
    MachineSets,
    MachineSetStatuses,
    MachineSetNodes,
    ClusterMachines,
    ClusterMachineStatuses,
    MachineLabels,
    MachineClasses,
    ConfigPatches,
    TalosUpgradeStatuses,
    KubernetesUpgradeStatuses,
    ExtensionsConfigurations,
    KernelArgs,
    TalosVersions,
    KubernetesVersions,
    EtcdBackups,
    Identities,
    Users,
    AccessPolicies,
  ].map((descriptor): [string, ResourceType<Message>] => [descriptor.type, descriptor]),
);

/** The shipped descriptor for a type string, or a raw one in `namespace` when there is none. */
export function resourceTypeFor(
  type: string,
  namespace?: string,
): ResourceType<Message> | ResourceType<RawSpec> {
  return resourceTypes.get(type) ?? rawResourceType(type, namespace);
}
