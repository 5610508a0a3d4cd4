import { MachineStatusSpec_PowerState } from "../../gen/omni/specs/omni_pb.js";
import { MachineStatuses, Machines } from "./resource-types.js";
import { changeSpec } from "./spec-change.js";
import type { CosiStore } from "./store.js";

/**
 * What Omni's controllers show once a machine has shut down or come back: it leaves or rejoins
 * SideroLink, so both its Machine and its MachineStatus change.
 */
export function setMachinePower(store: CosiStore, id: string, on: boolean): void {
  changeSpec(store, Machines, id, (spec) => {
    spec.connected = on;
  });
  changeSpec(store, MachineStatuses, id, (spec) => {
    spec.connected = on;
    spec.powerState = on ? MachineStatusSpec_PowerState.ON : MachineStatusSpec_PowerState.OFF;
  });
}
