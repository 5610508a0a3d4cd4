import type { OmniTransport } from "../omni-transport.js";
import type { AuditLogEntry } from "./audit-log.js";
import type { BootAssetUrl } from "./boot-asset-url.js";
import type { OmniCallOptions } from "./call-options.js";
import * as calls from "./calls.js";
import type { CreatedJoinToken } from "./join-token.js";
import type { JsonSchemaValidation } from "./json-schema-validation.js";
import type { KubernetesUpgradePreChecks } from "./kubernetes-upgrade-pre-checks.js";
import type { MachineJoinConfig } from "./machine-join-config.js";
import type { MaintenanceLifecycleEvent } from "./maintenance-lifecycle.js";
import type { ManifestSyncResult } from "./manifest-sync.js";
import type {
  CreateJoinTokenOptions,
  CreateSchematicFromRawOptions,
  CreateSchematicOptions,
  CreateServiceAccountOptions,
  CreateUserOptions,
  DestroyServiceAccountOptions,
  DestroyUserOptions,
  EmptyOptions,
  GetBootAssetUrlOptions,
  GetMachineJoinConfigOptions,
  GetSupportBundleOptions,
  KubeconfigOptions,
  KubernetesSyncManifestsOptions,
  KubernetesUpgradePreChecksOptions,
  MachineLogsOptions,
  MachinePowerOptions,
  MaintenanceLifecycleOptions,
  MaintenanceUpgradeOptions,
  ReadAuditLogOptions,
  RenewServiceAccountOptions,
  ResetNodeUniqueTokenOptions,
  TalosconfigOptions,
  TearDownLockedClusterOptions,
  UpdateUserOptions,
  ValidateConfigOptions,
  ValidateJsonSchemaOptions,
} from "./requests.js";
import type { Schematic } from "./schematic.js";
import type { ServiceAccount, ServiceAccountKeyRegistration } from "./service-account.js";
import type { SupportBundleEvent } from "./support-bundle.js";
import type { OmniUser } from "./user.js";
/** Every RPC of Omni's ManagementService, with typed options and models. */
export interface OmniManagementApi {
  kubeconfig(options: KubeconfigOptions, call?: OmniCallOptions): Promise<string>;
  talosconfig(options?: TalosconfigOptions, call?: OmniCallOptions): Promise<string>;
  omniconfig(options?: EmptyOptions, call?: OmniCallOptions): Promise<string>;
  /**
   * The log's messages as Omni sends them: Omni sends one log line per message, without a line
   * break (`machineLogLines` gives them as text).
   */
  machineLogs(options: MachineLogsOptions, call?: OmniCallOptions): AsyncIterable<Uint8Array>;
  /** The same stream as lines of text, without line breaks. */
  machineLogLines(options: MachineLogsOptions, call?: OmniCallOptions): AsyncIterable<string>;
  /** Resolves when the config is valid; rejects with `InvalidArgumentError` when it is not. */
  validateConfig(options: ValidateConfigOptions, call?: OmniCallOptions): Promise<void>;
  validateJSONSchema(
    options: ValidateJsonSchemaOptions,
    call?: OmniCallOptions,
  ): Promise<JsonSchemaValidation>;
  createServiceAccount(
    options: CreateServiceAccountOptions,
    call?: OmniCallOptions,
  ): Promise<ServiceAccountKeyRegistration>;
  renewServiceAccount(
    options: RenewServiceAccountOptions,
    call?: OmniCallOptions,
  ): Promise<ServiceAccountKeyRegistration>;
  listServiceAccounts(options?: EmptyOptions, call?: OmniCallOptions): Promise<ServiceAccount[]>;
  destroyServiceAccount(
    options: DestroyServiceAccountOptions,
    call?: OmniCallOptions,
  ): Promise<void>;
  kubernetesUpgradePreChecks(
    options: KubernetesUpgradePreChecksOptions,
    call?: OmniCallOptions,
  ): Promise<KubernetesUpgradePreChecks>;
  kubernetesSyncManifests(
    options: KubernetesSyncManifestsOptions,
    call?: OmniCallOptions,
  ): AsyncIterable<ManifestSyncResult>;
  createSchematic(options?: CreateSchematicOptions, call?: OmniCallOptions): Promise<Schematic>;
  createSchematicFromRaw(
    options: CreateSchematicFromRawOptions,
    call?: OmniCallOptions,
  ): Promise<Schematic>;
  getBootAssetURL(options: GetBootAssetUrlOptions, call?: OmniCallOptions): Promise<BootAssetUrl>;
  /** Progress events and the bundle's bytes, chunk by chunk; never buffered whole. */
  getSupportBundle(
    options: GetSupportBundleOptions,
    call?: OmniCallOptions,
  ): AsyncIterable<SupportBundleEvent>;
  readAuditLog(options?: ReadAuditLogOptions, call?: OmniCallOptions): AsyncIterable<AuditLogEntry>;
  maintenanceUpgrade(options: MaintenanceUpgradeOptions, call?: OmniCallOptions): Promise<void>;
  maintenanceLifecycle(
    options: MaintenanceLifecycleOptions,
    call?: OmniCallOptions,
  ): AsyncIterable<MaintenanceLifecycleEvent>;
  getMachineJoinConfig(
    options?: GetMachineJoinConfigOptions,
    call?: OmniCallOptions,
  ): Promise<MachineJoinConfig>;
  createJoinToken(
    options: CreateJoinTokenOptions,
    call?: OmniCallOptions,
  ): Promise<CreatedJoinToken>;
  resetNodeUniqueToken(options: ResetNodeUniqueTokenOptions, call?: OmniCallOptions): Promise<void>;
  /** Resolves to the new user's ID. */
  createUser(options: CreateUserOptions, call?: OmniCallOptions): Promise<string>;
  listUsers(options?: EmptyOptions, call?: OmniCallOptions): Promise<OmniUser[]>;
  updateUser(options: UpdateUserOptions, call?: OmniCallOptions): Promise<void>;
  destroyUser(options: DestroyUserOptions, call?: OmniCallOptions): Promise<void>;
  machinePowerOff(options: MachinePowerOptions, call?: OmniCallOptions): Promise<void>;
  machinePowerOn(options: MachinePowerOptions, call?: OmniCallOptions): Promise<void>;
  /** Only Omni v1.2.0 and v1.2.1 have it; newer servers answer with `UnimplementedError`. */
  tearDownLockedCluster(
    options: TearDownLockedClusterOptions,
    call?: OmniCallOptions,
  ): Promise<void>;
}

/** A management method as a function that takes the transport first. */
export type OnTransport<M> = M extends (...args: infer A) => infer R
  ? (transport: OmniTransport, ...args: A) => R
  : never;

type ManagementCalls = {
  readonly [K in keyof OmniManagementApi]: OnTransport<OmniManagementApi[K]>;
};

// In the interface's order. A missing method, an extra one or a call of another shape fails to
// compile. Naming each call, rather than using the module namespace as a value, spares bundlers
// a namespace object and the helper chunk it needs.
const managementCalls: ManagementCalls = {
  kubeconfig: calls.kubeconfig,
  talosconfig: calls.talosconfig,
  omniconfig: calls.omniconfig,
  machineLogs: calls.machineLogs,
  machineLogLines: calls.machineLogLines,
  validateConfig: calls.validateConfig,
  validateJSONSchema: calls.validateJSONSchema,
  createServiceAccount: calls.createServiceAccount,
  renewServiceAccount: calls.renewServiceAccount,
  listServiceAccounts: calls.listServiceAccounts,
  destroyServiceAccount: calls.destroyServiceAccount,
  kubernetesUpgradePreChecks: calls.kubernetesUpgradePreChecks,
  kubernetesSyncManifests: calls.kubernetesSyncManifests,
  createSchematic: calls.createSchematic,
  createSchematicFromRaw: calls.createSchematicFromRaw,
  getBootAssetURL: calls.getBootAssetURL,
  getSupportBundle: calls.getSupportBundle,
  readAuditLog: calls.readAuditLog,
  maintenanceUpgrade: calls.maintenanceUpgrade,
  maintenanceLifecycle: calls.maintenanceLifecycle,
  getMachineJoinConfig: calls.getMachineJoinConfig,
  createJoinToken: calls.createJoinToken,
  resetNodeUniqueToken: calls.resetNodeUniqueToken,
  createUser: calls.createUser,
  listUsers: calls.listUsers,
  updateUser: calls.updateUser,
  destroyUser: calls.destroyUser,
  machinePowerOff: calls.machinePowerOff,
  machinePowerOn: calls.machinePowerOn,
  tearDownLockedCluster: calls.tearDownLockedCluster,
};
const methodNames = Object.keys(managementCalls) as (keyof OmniManagementApi)[];

/** Builds the ManagementService facade on a transport (normally the client's intercepted one). */
export function createManagementApi(transport: OmniTransport): OmniManagementApi {
  const api: Record<string, unknown> = {};
  for (const name of methodNames) {
    const call = managementCalls[name] as (transport: OmniTransport, ...args: unknown[]) => unknown;
    const method = (...args: unknown[]) => call(transport, ...args);
    api[name] = Object.defineProperty(method, "name", { value: name });
  }
  return api as unknown as OmniManagementApi;
}
