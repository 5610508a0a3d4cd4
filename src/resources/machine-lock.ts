import { FailedPreconditionError } from "../errors.js";
import type { ResourcesApi } from "./api.js";
import { checkResourceOptions, resourceCallOptionKeys } from "./option-keys.js";
import { MachineSetNodes } from "./registry.js";
import type { ResourceCallOptions } from "./types.js";
import { validateId, validateResourcesApi } from "./validate.js";

/** The annotation on a MachineSetNode that makes Omni hold configuration changes for it. */
export const lockedAnnotation = "omni.sidero.dev/locked";

/** Concurrent writers are rare; a few rereads settle them as `omnictl` does. */
const conflictRetries = 3;

async function setLocked(
  resources: ResourcesApi,
  machineId: string,
  locked: boolean,
  options: ResourceCallOptions,
): Promise<void> {
  validateResourcesApi(resources);
  validateId(machineId, "machineId");
  checkResourceOptions(options, resourceCallOptionKeys);
  for (let attempt = 0; ; attempt++) {
    const node = await resources.get(MachineSetNodes, machineId, options);
    if (lockedAnnotation in node.metadata.annotations === locked) {
      return;
    }
    const annotations = { ...node.metadata.annotations };
    if (locked) {
      annotations[lockedAnnotation] = "";
    } else {
      delete annotations[lockedAnnotation];
    }
    try {
      await resources.update(
        MachineSetNodes,
        { metadata: { ...node.metadata, annotations }, spec: node.spec },
        options,
      );
      return;
    } catch (error) {
      if (!(error instanceof FailedPreconditionError) || attempt >= conflictRetries) {
        throw error;
      }
    }
  }
}

/**
 * Locks a machine the way Omni's UI and `omnictl cluster machine lock` do: the `locked`
 * annotation on its MachineSetNode, so Omni holds config changes and upgrades for it.
 */
export function lockMachine(
  resources: ResourcesApi,
  machineId: string,
  options: ResourceCallOptions = {},
) {
  return setLocked(resources, machineId, true, options);
}

/** Removes the lock set by `lockMachine`. */
export function unlockMachine(
  resources: ResourcesApi,
  machineId: string,
  options: ResourceCallOptions = {},
) {
  return setLocked(resources, machineId, false, options);
}
