import type {
  ClusterStatuses,
  Clusters,
  MachineLabels,
  MachineStatuses,
  Resource,
  ResourceType,
} from "./sdk.js";

/** The spec message a resource descriptor decodes to. */
export type SpecOf<T> = T extends ResourceType<infer S> ? S : never;

export type Cluster = Resource<SpecOf<typeof Clusters>>;
export type ClusterStatus = Resource<SpecOf<typeof ClusterStatuses>>;
export type MachineStatus = Resource<SpecOf<typeof MachineStatuses>>;
export type MachineLabel = Resource<SpecOf<typeof MachineLabels>>;

/** `specs.ClusterStatusSpec.Phase`, by number (the enum values are part of Omni's wire contract). */
export const clusterPhases: Readonly<Record<number, string>> = {
  0: "unknown",
  1: "scaling up",
  2: "scaling down",
  3: "running",
  4: "destroying",
};

/** `specs.MachineStatusSpec.Role`. */
export const machineRoles: Readonly<Record<number, string>> = {
  0: "",
  1: "control plane",
  2: "worker",
};
