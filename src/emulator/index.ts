export { defaultUser, OmniEmulator, type OmniEmulatorKeys, startOmniEmulator } from "./emulator.js";
export type { ErrorFault, FaultTarget, OmniEmulatorFaults, StreamCutFault } from "./faults.js";
export type { OmnictlHome, OmnictlHomeOptions } from "./omnictl-home.js";
export { EmulatorOptionError } from "./option-check.js";
export type { OmniEmulatorOptions, OmniEmulatorUser } from "./options.js";
export type { Role } from "./roles.js";
export type { EmulatorTimings } from "./state.js";
