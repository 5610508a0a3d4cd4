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

// Read once up here: a namespace read inside a descriptor's arguments would keep that descriptor
// in every bundle, as bundlers cannot prove a property read free of side effects.
const d = Namespaces.default;
const external = Namespaces.external;

export const Clusters = /*@__PURE__*/ typed("Clusters.omni.sidero.dev", d, ClusterSpecSchema);
export const ClusterStatuses = /*@__PURE__*/ typed(
  "ClusterStatuses.omni.sidero.dev",
  d,
  ClusterStatusSpecSchema,
);
export const Machines = /*@__PURE__*/ typed("Machines.omni.sidero.dev", d, MachineSpecSchema);
export const MachineStatuses = /*@__PURE__*/ typed(
  "MachineStatuses.omni.sidero.dev",
  d,
  MachineStatusSpecSchema,
);
export const MachineSets = /*@__PURE__*/ typed(
  "MachineSets.omni.sidero.dev",
  d,
  MachineSetSpecSchema,
);
export const MachineSetStatuses = /*@__PURE__*/ typed(
  "MachineSetStatuses.omni.sidero.dev",
  d,
  MachineSetStatusSpecSchema,
);
export const MachineSetNodes = /*@__PURE__*/ typed(
  "MachineSetNodes.omni.sidero.dev",
  d,
  MachineSetNodeSpecSchema,
);
export const ClusterMachines = /*@__PURE__*/ typed(
  "ClusterMachines.omni.sidero.dev",
  d,
  ClusterMachineSpecSchema,
);
export const ClusterMachineStatuses = /*@__PURE__*/ typed(
  "ClusterMachineStatuses.omni.sidero.dev",
  d,
  ClusterMachineStatusSpecSchema,
);
export const MachineLabels = /*@__PURE__*/ typed(
  "MachineLabels.omni.sidero.dev",
  d,
  MachineLabelsSpecSchema,
);
export const MachineClasses = /*@__PURE__*/ typed(
  "MachineClasses.omni.sidero.dev",
  d,
  MachineClassSpecSchema,
);
export const ConfigPatches = /*@__PURE__*/ typed(
  "ConfigPatches.omni.sidero.dev",
  d,
  ConfigPatchSpecSchema,
);
export const TalosUpgradeStatuses = /*@__PURE__*/ typed(
  "TalosUpgradeStatuses.omni.sidero.dev",
  d,
  TalosUpgradeStatusSpecSchema,
);
export const KubernetesUpgradeStatuses = /*@__PURE__*/ typed(
  "KubernetesUpgradeStatuses.omni.sidero.dev",
  d,
  KubernetesUpgradeStatusSpecSchema,
);
export const ExtensionsConfigurations = /*@__PURE__*/ typed(
  "ExtensionsConfigurations.omni.sidero.dev",
  d,
  ExtensionsConfigurationSpecSchema,
);
export const KernelArgs = /*@__PURE__*/ typed(
  "KernelArgs.omni.sidero.dev",
  d,
  KernelArgsSpecSchema,
);
export const TalosVersions = /*@__PURE__*/ typed(
  "TalosVersions.omni.sidero.dev",
  d,
  TalosVersionSpecSchema,
);
export const KubernetesVersions = /*@__PURE__*/ typed(
  "KubernetesVersions.omni.sidero.dev",
  d,
  KubernetesVersionSpecSchema,
);
export const EtcdBackups = /*@__PURE__*/ typed(
  "EtcdBackups.omni.sidero.dev",
  external,
  EtcdBackupSpecSchema,
);
export const Identities = /*@__PURE__*/ typed("Identities.omni.sidero.dev", d, IdentitySpecSchema);
export const Users = /*@__PURE__*/ typed("Users.omni.sidero.dev", d, UserSpecSchema);
export const AccessPolicies = /*@__PURE__*/ typed(
  "AccessPolicies.omni.sidero.dev",
  d,
  AccessPolicySpecSchema,
);

/**
 * Every descriptor the SDK ships, keyed by COSI type string. The table references them all, so it
 * is built in a pure call: a bundle that never reads it keeps only the descriptors (and spec
 * schemas) it imports by name.
 */
export const resourceTypes: ReadonlyMap<string, ResourceType<Message>> = /*@__PURE__*/ (() =>
  new Map(
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
  ))();

/** The shipped descriptor for a type string, or a raw one in `namespace` when there is none. */
export function resourceTypeFor(
  type: string,
  namespace?: string,
): ResourceType<Message> | ResourceType<RawSpec> {
  return resourceTypes.get(type) ?? rawResourceType(type, namespace);
}
