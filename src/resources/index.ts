export {
  createResourcesApi,
  type ListOptions,
  type NamespaceOption,
  type ResourcesApi,
  type UpdateOptions,
  type WatchOptions,
} from "./api.js";
export { CompressedConfigPatchError, configPatchYaml } from "./config-patch.js";
export type { LabelSelector, LabelTermInput } from "./labels.js";
export { lockedAnnotation, lockMachine, unlockMachine } from "./machine-lock.js";
export {
  type ClusterOverview,
  clusterLabel,
  listClusterOverviews,
  listMachineOverviews,
  type MachineOverview,
} from "./overviews.js";
export * from "./registry.js";
export type {
  RawSpec,
  Resource,
  ResourceCallOptions,
  ResourceInput,
  ResourceMetadata,
  ResourcePhase,
  ResourceType,
  SpecInput,
  TypedResourceType,
} from "./types.js";
export type { WatchEvent } from "./watch-event.js";
export { allowedVerbs, type ResourceVerb } from "./write-rules.js";
