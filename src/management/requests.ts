import type { OmniRole } from "./role.js";

/** Options of each management method: the request's fields in camelCase, plus `cluster` where Omni scopes the call. */

export type KubeconfigGrantType = "" | "auto" | "authcode" | "authcode-keyboard";

export interface KubeconfigOptions {
  /** The cluster, sent as `cluster` metadata. */
  cluster: string;
  /** Mint a service account and return a kubeconfig for it (a write). */
  serviceAccount?: boolean;
  /**
   * Lifetime of the service account's token, in seconds; required with `serviceAccount`, at most
   * ten years (315360000), Omni's limit.
   */
  serviceAccountTtlSeconds?: number;
  /** Required with `serviceAccount`. */
  serviceAccountUser?: string;
  /**
   * The Kubernetes groups of that user. None by default, so the cluster's RBAC decides what the
   * user may do; omnictl defaults to `system:masters` (cluster admin), which must be asked for.
   */
  serviceAccountGroups?: string[];
  grantType?: KubeconfigGrantType;
  /** Admin only; marks the cluster as tainted. */
  breakGlass?: boolean;
  oidcCacheBaseDir?: string;
  oidcCacheIsolation?: boolean;
}

export interface TalosconfigOptions {
  /** Without a cluster, the talosconfig covers the whole Omni instance. */
  cluster?: string;
  /** Needs `cluster`. */
  raw?: boolean;
  /** Admin only; needs `cluster`, which it marks as tainted. */
  breakGlass?: boolean;
}

/**
 * The options of a method whose request has no fields (`omniconfig`, `listServiceAccounts`,
 * `listUsers`). It exists so that every method takes call options as its second argument.
 */
export type EmptyOptions = Record<string, never>;

export interface MachineLogsOptions {
  machineId: string;
  /** Keep the stream open for new lines; it then has no deadline unless the call sets one. */
  follow?: boolean;
  /**
   * How many past lines to start with. The default, -1, starts from the beginning (as omnictl
   * does); 0 starts with no history, which only makes sense with `follow`.
   */
  tailLines?: number;
}

export interface ValidateConfigOptions {
  config: string;
}

export interface ValidateJsonSchemaOptions {
  data: string;
  schema: string;
}

export interface CreateServiceAccountOptions {
  name: string;
  /** The armored public half of the account's PGP key; never the private key. */
  armoredPgpPublicKey: string;
  /** Required unless `useUserRole` is set. */
  role?: OmniRole;
  /** Give the account the creating user's role instead of `role`. */
  useUserRole?: boolean;
}

export interface RenewServiceAccountOptions {
  name: string;
  armoredPgpPublicKey: string;
}

export interface DestroyServiceAccountOptions {
  name: string;
}

export interface KubernetesUpgradePreChecksOptions {
  cluster: string;
  newVersion: string;
}

export type InventoryPolicy = "must-match" | "adopt-if-no-inventory" | "adopt-all";

/** Server-side apply options; what is left out takes Omni's defaults for a sync without them. */
export interface KubernetesSsaOptions {
  /** Default `adopt-if-no-inventory`. */
  inventoryPolicy?: InventoryPolicy;
  /** Default 30 seconds (Omni's). */
  reconcileTimeoutSeconds?: number;
  forceConflicts?: boolean;
  /** Default `true`: objects no longer in the manifests are kept unless this is `false`. */
  noPrune?: boolean;
}

export interface KubernetesSyncManifestsOptions {
  cluster: string;
  /** Compare only (a read); without it the manifests are applied (a write). */
  dryRun?: boolean;
  ssa?: KubernetesSsaOptions;
}

export type SiderolinkGrpcTunnelMode = "auto" | "disabled" | "enabled";
export type SchematicBootloaderName = "auto" | "dual" | "sd" | "grub";

export interface SchematicOverlay {
  image: string;
  name: string;
  options?: string;
}

export interface CreateSchematicOptions {
  extensions?: string[];
  extraKernelArgs?: string[];
  /**
   * META partition values by key: a uint32 as JavaScript writes number keys (`{ 12: "..." }`).
   * Keys such as "0x10", "01" or "" are refused, not converted.
   */
  metaValues?: Record<number, string>;
  talosVersion?: string;
  mediaId?: string;
  siderolinkGrpcTunnelMode?: SiderolinkGrpcTunnelMode;
  joinToken?: string;
  overlay?: SchematicOverlay;
  bootloader?: SchematicBootloaderName;
  embeddedMachineConfig?: string;
  imageFactoryUrl?: string;
}

export interface CreateSchematicFromRawOptions {
  /** The schematic YAML, as text or bytes. */
  rawSchematic: string | Uint8Array;
  talosVersion?: string;
}

export type BootAssetKind = "pxe" | "iso" | "disk";

export interface GetBootAssetUrlOptions {
  talosVersion: string;
  schematicId: string;
  standaloneUrl?: boolean;
  bootAssetKind: BootAssetKind;
  platform?: string;
  architecture?: string;
  format?: string;
  secureBoot?: boolean;
}

export interface GetSupportBundleOptions {
  cluster: string;
  encrypt?: boolean;
  encryptionRecipients?: string[];
  encryptionNoDefaultRecipients?: boolean;
}

export type AuditLogOrderField =
  | "date"
  | "event-type"
  | "resource-type"
  | "resource-id"
  | "cluster-id"
  | "actor";
export type AuditLogOrderDirection = "asc" | "desc";
export type AuditLogEventTypeName =
  | "create"
  | "update"
  | "update-with-conflicts"
  | "destroy"
  | "teardown"
  | "talos-access"
  | "k8s-access"
  | "audit-log-access";

export interface ReadAuditLogOptions {
  /** A calendar day, as `YYYY-MM-DD` or a `Date` (its UTC day). */
  startTime?: string | Date;
  /** As `startTime`; not before it. */
  endTime?: string | Date;
  orderByField?: AuditLogOrderField;
  orderByDir?: AuditLogOrderDirection;
  search?: string;
  eventType?: AuditLogEventTypeName;
  resourceType?: string;
  resourceId?: string;
  clusterId?: string;
  actor?: string;
  /** Keep reading new records; combines only with `startTsMs` and `fromId`. */
  follow?: boolean;
  /** Start from this time, in Unix milliseconds. */
  startTsMs?: number;
  /** Resume after a reconnect from this position. */
  fromId?: bigint | number;
}

export interface MaintenanceUpgradeOptions {
  machineId: string;
  version: string;
}

export type MaintenanceOperation = "install" | "upgrade";

export interface MaintenanceLifecycleOptions {
  machineId: string;
  operation: MaintenanceOperation;
  version?: string;
  disk?: string;
}

export interface GetMachineJoinConfigOptions {
  useGrpcTunnel?: boolean;
  /** A join token ID; the default token when left out. */
  joinToken?: string;
}

export interface CreateJoinTokenOptions {
  /** At most 16 bytes of UTF-8 (16 ASCII characters), Omni's limit. */
  name: string;
  /**
   * When the token stops working; it never expires when left out. In the future, and at most
   * 9999-12-31T23:59:59.999Z, the last instant a protobuf Timestamp holds.
   */
  expirationTime?: Date;
}

export interface ResetNodeUniqueTokenOptions {
  /** The machine ID. */
  id: string;
}

export interface CreateUserOptions {
  email: string;
  role: OmniRole;
}

export interface UpdateUserOptions {
  email: string;
  role: OmniRole;
}

export interface DestroyUserOptions {
  email: string;
}

export interface MachinePowerOptions {
  machineId: string;
}

export interface TearDownLockedClusterOptions {
  clusterId: string;
}
