import type { Message } from "@bufbuild/protobuf";
import type { GenMessage } from "@bufbuild/protobuf/codegenv2";
import * as authSpecs from "../../gen/omni/specs/auth_pb.js";
import * as omniSpecs from "../../gen/omni/specs/omni_pb.js";
import { resourceDefinitionFacts } from "../resource-definitions.js";

/**
 * A resource type the emulator knows the spec message of: its COSI type, the namespace Omni keeps
 * it in and the generated schema its `proto_spec` decodes with. The emulator's own table, apart
 * from the SDK's descriptors: the type and namespace come from Omni's ResourceDefinitions
 * (generated from Omni's client module into `resource-definitions.ts`), the schema from `src/gen`.
 */
export interface SpecType<S extends Message = Message> {
  readonly type: string;
  readonly namespace: string;
  readonly schema: GenMessage<S>;
}

const defaultNamespaces = new Map(
  resourceDefinitionFacts.map((definition) => [definition.type, definition.defaultNamespace]),
);

/** Whether Omni defines the resource type `type` (its ResourceDefinition exists). */
export function isDefinedType(type: string): boolean {
  return defaultNamespaces.has(type);
}

/** The namespace Omni's ResourceDefinition gives `type`, or undefined for a type Omni lacks. */
export function defaultNamespaceOf(type: string): string | undefined {
  return defaultNamespaces.get(type);
}

/**
 * The spec schema of every type whose spec the emulator decodes on a write, as Omni's registry
 * decodes every spec it is sent (a spec that does not decode is refused). Other types keep the
 * bytes they are sent. Keyed by the type's name without `.omni.sidero.dev`.
 */
const specSchemas = {
  AccessPolicies: authSpecs.AccessPolicySpecSchema,
  ClusterMachineStatuses: omniSpecs.ClusterMachineStatusSpecSchema,
  ClusterMachines: omniSpecs.ClusterMachineSpecSchema,
  ClusterStatuses: omniSpecs.ClusterStatusSpecSchema,
  Clusters: omniSpecs.ClusterSpecSchema,
  ConfigPatches: omniSpecs.ConfigPatchSpecSchema,
  EtcdBackups: omniSpecs.EtcdBackupSpecSchema,
  ExtensionsConfigurations: omniSpecs.ExtensionsConfigurationSpecSchema,
  Identities: authSpecs.IdentitySpecSchema,
  KernelArgs: omniSpecs.KernelArgsSpecSchema,
  KubernetesUpgradeStatuses: omniSpecs.KubernetesUpgradeStatusSpecSchema,
  KubernetesVersions: omniSpecs.KubernetesVersionSpecSchema,
  MachineClasses: omniSpecs.MachineClassSpecSchema,
  MachineLabels: omniSpecs.MachineLabelsSpecSchema,
  MachineSetNodes: omniSpecs.MachineSetNodeSpecSchema,
  MachineSetStatuses: omniSpecs.MachineSetStatusSpecSchema,
  MachineSets: omniSpecs.MachineSetSpecSchema,
  MachineStatuses: omniSpecs.MachineStatusSpecSchema,
  Machines: omniSpecs.MachineSpecSchema,
  TalosUpgradeStatuses: omniSpecs.TalosUpgradeStatusSpecSchema,
  TalosVersions: omniSpecs.TalosVersionSpecSchema,
  Users: authSpecs.UserSpecSchema,
};

type SpecSchemas = typeof specSchemas;
type SpecOf<Name extends keyof SpecSchemas> =
  SpecSchemas[Name] extends GenMessage<infer S> ? S : never;

/** The type `<name>.omni.sidero.dev`, in the namespace Omni's ResourceDefinition gives it. */
function specType<Name extends keyof SpecSchemas>(name: Name): SpecType<SpecOf<Name>> {
  const type = `${name}.omni.sidero.dev`;
  const namespace = defaultNamespaces.get(type);
  if (namespace === undefined) {
    throw new Error(`Omni defines no resource type ${type}`);
  }
  return Object.freeze({ type, namespace, schema: specSchemas[name] as GenMessage<SpecOf<Name>> });
}

/** Every type in `specSchemas`, keyed by its full COSI type. */
export const specTypes: ReadonlyMap<string, SpecType> = new Map(
  (Object.keys(specSchemas) as (keyof SpecSchemas)[]).map((name): [string, SpecType] => {
    const known = specType(name) as SpecType;
    return [known.type, known];
  }),
);

// The types the emulator's seed and controllers write.
export const Clusters = specType("Clusters");
export const ClusterStatuses = specType("ClusterStatuses");
export const Machines = specType("Machines");
export const MachineStatuses = specType("MachineStatuses");
export const MachineSets = specType("MachineSets");
export const MachineSetStatuses = specType("MachineSetStatuses");
export const MachineSetNodes = specType("MachineSetNodes");
export const ClusterMachines = specType("ClusterMachines");
export const ClusterMachineStatuses = specType("ClusterMachineStatuses");
export const MachineLabels = specType("MachineLabels");
export const MachineClasses = specType("MachineClasses");
export const ConfigPatches = specType("ConfigPatches");
export const TalosUpgradeStatuses = specType("TalosUpgradeStatuses");
export const KubernetesUpgradeStatuses = specType("KubernetesUpgradeStatuses");
