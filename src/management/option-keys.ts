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

export const kubeconfigOptionKeys = /*@__PURE__*/ optionKeys<KubeconfigOptions>()({
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

export const talosconfigOptionKeys = /*@__PURE__*/ optionKeys<TalosconfigOptions>()({
  cluster: true,
  raw: true,
  breakGlass: true,
});

export const machineLogsOptionKeys = /*@__PURE__*/ optionKeys<MachineLogsOptions>()({
  machineId: true,
  follow: true,
  tailLines: true,
});

export const validateConfigOptionKeys = /*@__PURE__*/ optionKeys<ValidateConfigOptions>()({
  config: true,
});

export const validateJsonSchemaOptionKeys = /*@__PURE__*/ optionKeys<ValidateJsonSchemaOptions>()({
  data: true,
  schema: true,
});

export const createServiceAccountOptionKeys =
  /*@__PURE__*/ optionKeys<CreateServiceAccountOptions>()({
    name: true,
    armoredPgpPublicKey: true,
    role: true,
    useUserRole: true,
  });

export const renewServiceAccountOptionKeys = /*@__PURE__*/ optionKeys<RenewServiceAccountOptions>()(
  {
    name: true,
    armoredPgpPublicKey: true,
  },
);

export const destroyServiceAccountOptionKeys =
  /*@__PURE__*/ optionKeys<DestroyServiceAccountOptions>()({
    name: true,
  });

export const kubernetesUpgradePreChecksOptionKeys =
  /*@__PURE__*/ optionKeys<KubernetesUpgradePreChecksOptions>()({
    cluster: true,
    newVersion: true,
  });

export const kubernetesSyncManifestsOptionKeys =
  /*@__PURE__*/ optionKeys<KubernetesSyncManifestsOptions>()({
    cluster: true,
    dryRun: true,
    ssa: true,
  });

export const kubernetesSsaOptionKeys = /*@__PURE__*/ optionKeys<KubernetesSsaOptions>()({
  inventoryPolicy: true,
  reconcileTimeoutSeconds: true,
  forceConflicts: true,
  noPrune: true,
});

export const createSchematicOptionKeys = /*@__PURE__*/ optionKeys<CreateSchematicOptions>()({
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

export const schematicOverlayOptionKeys = /*@__PURE__*/ optionKeys<SchematicOverlay>()({
  image: true,
  name: true,
  options: true,
});

export const createSchematicFromRawOptionKeys =
  /*@__PURE__*/ optionKeys<CreateSchematicFromRawOptions>()({
    rawSchematic: true,
    talosVersion: true,
  });

export const getBootAssetUrlOptionKeys = /*@__PURE__*/ optionKeys<GetBootAssetUrlOptions>()({
  talosVersion: true,
  schematicId: true,
  standaloneUrl: true,
  bootAssetKind: true,
  platform: true,
  architecture: true,
  format: true,
  secureBoot: true,
});

export const getSupportBundleOptionKeys = /*@__PURE__*/ optionKeys<GetSupportBundleOptions>()({
  cluster: true,
  encrypt: true,
  encryptionRecipients: true,
  encryptionNoDefaultRecipients: true,
});

export const readAuditLogOptionKeys = /*@__PURE__*/ optionKeys<ReadAuditLogOptions>()({
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

export const maintenanceUpgradeOptionKeys = /*@__PURE__*/ optionKeys<MaintenanceUpgradeOptions>()({
  machineId: true,
  version: true,
});

export const maintenanceLifecycleOptionKeys =
  /*@__PURE__*/ optionKeys<MaintenanceLifecycleOptions>()({
    machineId: true,
    operation: true,
    version: true,
    disk: true,
  });

export const getMachineJoinConfigOptionKeys =
  /*@__PURE__*/ optionKeys<GetMachineJoinConfigOptions>()({
    useGrpcTunnel: true,
    joinToken: true,
  });

export const createJoinTokenOptionKeys = /*@__PURE__*/ optionKeys<CreateJoinTokenOptions>()({
  name: true,
  expirationTime: true,
});

export const resetNodeUniqueTokenOptionKeys =
  /*@__PURE__*/ optionKeys<ResetNodeUniqueTokenOptions>()({
    id: true,
  });

export const createUserOptionKeys = /*@__PURE__*/ optionKeys<CreateUserOptions>()({
  email: true,
  role: true,
});

export const updateUserOptionKeys = /*@__PURE__*/ optionKeys<UpdateUserOptions>()({
  email: true,
  role: true,
});

export const destroyUserOptionKeys = /*@__PURE__*/ optionKeys<DestroyUserOptions>()({
  email: true,
});

export const machinePowerOptionKeys = /*@__PURE__*/ optionKeys<MachinePowerOptions>()({
  machineId: true,
});

export const tearDownLockedClusterOptionKeys =
  /*@__PURE__*/ optionKeys<TearDownLockedClusterOptions>()({
    clusterId: true,
  });
