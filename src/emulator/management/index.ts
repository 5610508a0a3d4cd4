import type { ServiceImpl } from "@connectrpc/connect";
import type { ManagementService } from "../../gen/omni/management/management_pb.js";
import type { EmulatorState } from "../state.js";
import { readAuditLog } from "./audit.js";
import { kubeconfig, omniconfig, talosconfig } from "./cluster-configs.js";
import { createJoinToken, getMachineJoinConfig } from "./join.js";
import { validateJsonSchema } from "./json-schema.js";
import { kubernetesSyncManifests, kubernetesUpgradePreChecks } from "./kubernetes.js";
import {
  machineLogs,
  machinePowerOff,
  machinePowerOn,
  maintenanceLifecycle,
  maintenanceUpgrade,
  resetNodeUniqueToken,
  tearDownLockedCluster,
} from "./machines.js";
import { createSchematic, createSchematicFromRaw, getBootAssetURL } from "./schematics.js";
import {
  createServiceAccount,
  destroyServiceAccount,
  listServiceAccounts,
  renewServiceAccount,
} from "./service-accounts.js";
import { getSupportBundle } from "./support-bundle.js";
import { createUser, destroyUser, listUsers, updateUser } from "./users.js";
import { validateConfig } from "./validate-config.js";

/**
 * Every ManagementService method the generated descriptor knows, v1.2's `TearDownLockedCluster`
 * included; which ones a given Omni version serves is decided by the version gate interceptor.
 */
export function createManagementService(
  state: EmulatorState,
): ServiceImpl<typeof ManagementService> {
  return {
    kubeconfig: (request, context) => kubeconfig(state, request, context),
    talosconfig: (request, context) => talosconfig(state, request, context),
    omniconfig: (_request, context) => omniconfig(state, context),
    machineLogs: (request, context) => machineLogs(state, request, context),
    validateConfig: async (request, context) => {
      await validateConfig(request, context);
      return {};
    },
    validateJSONSchema: (request, context) => validateJsonSchema(request, context),
    createServiceAccount: (request, context) => createServiceAccount(state, request, context),
    renewServiceAccount: (request, context) => renewServiceAccount(state, request, context),
    listServiceAccounts: (_request, context) => listServiceAccounts(state, context),
    destroyServiceAccount: async (request, context) => {
      await destroyServiceAccount(state, request, context);
      return {};
    },
    kubernetesUpgradePreChecks: (request, context) =>
      kubernetesUpgradePreChecks(state, request, context),
    kubernetesSyncManifests: (request, context) => kubernetesSyncManifests(state, request, context),
    createSchematic: (request, context) => createSchematic(state, request, context),
    createSchematicFromRaw: (request, context) => createSchematicFromRaw(state, request, context),
    getBootAssetURL: (request, context) => getBootAssetURL(state, request, context),
    getSupportBundle: (request, context) => getSupportBundle(state, request, context),
    readAuditLog: (request, context) => readAuditLog(state, request, context),
    maintenanceUpgrade: (request, context) => maintenanceUpgrade(state, request, context),
    maintenanceLifecycle: (request, context) => maintenanceLifecycle(state, request, context),
    getMachineJoinConfig: (request, context) => getMachineJoinConfig(state, request, context),
    createJoinToken: (request, context) => createJoinToken(state, request, context),
    resetNodeUniqueToken: (request, context) => resetNodeUniqueToken(state, request, context),
    createUser: (request, context) => createUser(state, request, context),
    listUsers: (_request, context) => listUsers(state, context),
    updateUser: async (request, context) => {
      await updateUser(state, request, context);
      return {};
    },
    destroyUser: async (request, context) => {
      await destroyUser(state, request, context);
      return {};
    },
    machinePowerOff: (request, context) => machinePowerOff(state, request, context),
    machinePowerOn: (request, context) => machinePowerOn(state, request, context),
    tearDownLockedCluster: (request, context) => tearDownLockedCluster(state, request, context),
  };
}
