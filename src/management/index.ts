export type { AuditLogEntry, AuditLogStream } from "./audit-log.js";
export { BootAssetUrl } from "./boot-asset-url.js";
export type { OmniCallOptions } from "./call-options.js";
export { CreatedJoinToken } from "./join-token.js";
export { type JsonSchemaError, JsonSchemaValidation } from "./json-schema-validation.js";
export type { KubernetesUpgradePreChecks } from "./kubernetes-upgrade-pre-checks.js";
export { MachineJoinConfig } from "./machine-join-config.js";
export type { MaintenanceLifecycleEvent } from "./maintenance-lifecycle.js";
export type { OmniManagementApi } from "./management-api.js";
export type { ManifestSyncResult } from "./manifest-sync.js";
export type * from "./requests.js";
export { type OmniRole, omniRoles } from "./role.js";
export { Schematic } from "./schematic.js";
export type {
  ServiceAccount,
  ServiceAccountKeyRegistration,
  ServiceAccountPublicKey,
} from "./service-account.js";
export type {
  SupportBundleChunk,
  SupportBundleEvent,
  SupportBundleProgress,
  SupportBundleRecipients,
} from "./support-bundle.js";
export type { OmniUser } from "./user.js";
