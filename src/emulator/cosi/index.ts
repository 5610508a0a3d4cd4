export { checkLabelQueries, matchesLabelQueries } from "./label-match.js";
export { setMachinePower } from "./machine-power.js";
export {
  type MachineFacts,
  machineUuid,
  type PutOptions,
  putMachine,
  putResource,
  type SeedOptions,
  SystemLabels,
  seedDemoData,
  seededRandom,
  upgradeInProgress,
} from "./seed.js";
export { advanceUpgrade, startSimulation } from "./simulation.js";
export {
  allowAllCosiAccess,
  type CosiAccess,
  type CosiVerb,
  createCosiStateImpl,
} from "./state-impl.js";
export { CosiStore, type CosiStoreOptions, type ListFilter, type StoreEvent } from "./store.js";
export { specYaml } from "./yaml-spec.js";
