import { optionKeys } from "../option-keys.js";
import type {
  CreateJoinTokenOptions,
  CreateSchematicFromRawOptions,
  CreateSchematicOptions,
  CreateServiceAccountOptions,
  CreateUserOptions,
  DestroyServiceAccountOptions,
  DestroyUserOptions,
  GetBootAssetUrlOptions,
  GetMachineJoinConfigOptions,
  GetSupportBundleOptions,
  KubeconfigOptions,
  KubernetesSsaOptions,
  KubernetesSyncManifestsOptions,
  KubernetesUpgradePreChecksOptions,
  MachineLogsOptions,
  MachinePowerOptions,
  MaintenanceLifecycleOptions,
  MaintenanceUpgradeOptions,
  ReadAuditLogOptions,
  RenewServiceAccountOptions,
  ResetNodeUniqueTokenOptions,
  SchematicOverlay,
  TalosconfigOptions,
  TearDownLockedClusterOptions,
  UpdateUserOptions,
  ValidateConfigOptions,
  ValidateJsonSchemaOptions,
} from "./requests.js";

// The keys each management options type allows; the compiler holds every list to its type.

/** For the methods whose request has no fields (`EmptyOptions`). */
export const emptyOptionKeys: ReadonlySet<string> = new Set();

export const kubeconfigOptionKeys = optionKeys<KubeconfigOptions>()({
  cluster: true,
  serviceAccount: true,
  serviceAccountTtlSeconds: true,
  serviceAccountUser: true,
  serviceAccountGroups: true,
  grantType: true,
  breakGlass: true,
  oidcCacheBaseDir: true,
  oidcCacheIsolation: true,
});

export const talosconfigOptionKeys = optionKeys<TalosconfigOptions>()({
  cluster: true,
  raw: true,
  breakGlass: true,
});

export const machineLogsOptionKeys = optionKeys<MachineLogsOptions>()({
  machineId: true,
  follow: true,
  tailLines: true,
});

export const validateConfigOptionKeys = optionKeys<ValidateConfigOptions>()({ config: true });

export const validateJsonSchemaOptionKeys = optionKeys<ValidateJsonSchemaOptions>()({
  data: true,
  schema: true,
});

export const createServiceAccountOptionKeys = optionKeys<CreateServiceAccountOptions>()({
  name: true,
  armoredPgpPublicKey: true,
  role: true,
  useUserRole: true,
});

export const renewServiceAccountOptionKeys = optionKeys<RenewServiceAccountOptions>()({
  name: true,
  armoredPgpPublicKey: true,
});

export const destroyServiceAccountOptionKeys = optionKeys<DestroyServiceAccountOptions>()({
  name: true,
});

export const kubernetesUpgradePreChecksOptionKeys = optionKeys<KubernetesUpgradePreChecksOptions>()(
  { cluster: true, newVersion: true },
);

export const kubernetesSyncManifestsOptionKeys = optionKeys<KubernetesSyncManifestsOptions>()({
  cluster: true,
  dryRun: true,
  ssa: true,
});

export const kubernetesSsaOptionKeys = optionKeys<KubernetesSsaOptions>()({
  inventoryPolicy: true,
  reconcileTimeoutSeconds: true,
  forceConflicts: true,
  noPrune: true,
});

export const createSchematicOptionKeys = optionKeys<CreateSchematicOptions>()({
  extensions: true,
  extraKernelArgs: true,
  metaValues: true,
  talosVersion: true,
  mediaId: true,
  siderolinkGrpcTunnelMode: true,
  joinToken: true,
  overlay: true,
  bootloader: true,
  embeddedMachineConfig: true,
  imageFactoryUrl: true,
});

export const schematicOverlayOptionKeys = optionKeys<SchematicOverlay>()({
  image: true,
  name: true,
  options: true,
});

export const createSchematicFromRawOptionKeys = optionKeys<CreateSchematicFromRawOptions>()({
  rawSchematic: true,
  talosVersion: true,
});

export const getBootAssetUrlOptionKeys = optionKeys<GetBootAssetUrlOptions>()({
  talosVersion: true,
  schematicId: true,
  standaloneUrl: true,
  bootAssetKind: true,
  platform: true,
  architecture: true,
  format: true,
  secureBoot: true,
});

export const getSupportBundleOptionKeys = optionKeys<GetSupportBundleOptions>()({
  cluster: true,
  encrypt: true,
  encryptionRecipients: true,
  encryptionNoDefaultRecipients: true,
});

export const readAuditLogOptionKeys = optionKeys<ReadAuditLogOptions>()({
  startTime: true,
  endTime: true,
  orderByField: true,
  orderByDir: true,
  search: true,
  eventType: true,
  resourceType: true,
  resourceId: true,
  clusterId: true,
  actor: true,
  follow: true,
  startTsMs: true,
  fromId: true,
});

export const maintenanceUpgradeOptionKeys = optionKeys<MaintenanceUpgradeOptions>()({
  machineId: true,
  version: true,
});

export const maintenanceLifecycleOptionKeys = optionKeys<MaintenanceLifecycleOptions>()({
  machineId: true,
  operation: true,
  version: true,
  disk: true,
});

export const getMachineJoinConfigOptionKeys = optionKeys<GetMachineJoinConfigOptions>()({
  useGrpcTunnel: true,
  joinToken: true,
});

export const createJoinTokenOptionKeys = optionKeys<CreateJoinTokenOptions>()({
  name: true,
  expirationTime: true,
});

export const resetNodeUniqueTokenOptionKeys = optionKeys<ResetNodeUniqueTokenOptions>()({
  id: true,
});

export const createUserOptionKeys = optionKeys<CreateUserOptions>()({ email: true, role: true });

export const updateUserOptionKeys = optionKeys<UpdateUserOptions>()({ email: true, role: true });

export const destroyUserOptionKeys = optionKeys<DestroyUserOptions>()({ email: true });

export const machinePowerOptionKeys = optionKeys<MachinePowerOptions>()({ machineId: true });

export const tearDownLockedClusterOptionKeys = optionKeys<TearDownLockedClusterOptions>()({
  clusterId: true,
});
