import type { OmniTransport } from "../omni-transport.js";
import type { AuditLogStream } from "./audit-log.js";
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
  /**
   * The cluster's kubeconfig as YAML text. With `serviceAccount`, Omni signs a token for that
   * Kubernetes user, valid for the TTL, and the kubeconfig carries it; minting a credential counts
   * as a write and is refused in read-only mode.
   */
  kubeconfig(options: KubeconfigOptions, call?: OmniCallOptions): Promise<string>;
  /**
   * A talosconfig as YAML text: for one cluster, or for the whole instance without `cluster`.
   * `breakGlass` needs the Admin role and marks the cluster as tainted (a write).
   */
  talosconfig(options?: TalosconfigOptions, call?: OmniCallOptions): Promise<string>;
  /** The omniconfig for this instance, as YAML text; any valid signature may read it. */
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
  /** Checks `data` against a JSON schema; the result lists every violation Omni found. */
  validateJSONSchema(
    options: ValidateJsonSchemaOptions,
    call?: OmniCallOptions,
  ): Promise<JsonSchemaValidation>;
  /**
   * Creates a service account with the public half of a key (`generateServiceAccountKey` makes
   * one). Resolves to the ID of the registered key.
   */
  createServiceAccount(
    options: CreateServiceAccountOptions,
    call?: OmniCallOptions,
  ): Promise<ServiceAccountKeyRegistration>;
  /**
   * Registers another public key for an existing service account, which is how an account
   * outlives its first key. Resolves to the new key's ID.
   */
  renewServiceAccount(
    options: RenewServiceAccountOptions,
    call?: OmniCallOptions,
  ): Promise<ServiceAccountKeyRegistration>;
  /** Every service account with its role and public keys; never any private key material. */
  listServiceAccounts(options?: EmptyOptions, call?: OmniCallOptions): Promise<ServiceAccount[]>;
  /** Deletes the service account and its keys; calls signed with them fail from then on. */
  destroyServiceAccount(
    options: DestroyServiceAccountOptions,
    call?: OmniCallOptions,
  ): Promise<void>;
  /** Whether the cluster can move to `newVersion`; `reason` says why not when `ok` is false. */
  kubernetesUpgradePreChecks(
    options: KubernetesUpgradePreChecksOptions,
    call?: OmniCallOptions,
  ): Promise<KubernetesUpgradePreChecks>;
  /**
   * Syncs the cluster's bootstrap manifests, yielding a result for each object and then for the
   * rollout. With `dryRun` nothing changes, and the call counts as a read.
   */
  kubernetesSyncManifests(
    options: KubernetesSyncManifestsOptions,
    call?: OmniCallOptions,
  ): AsyncIterable<ManifestSyncResult>;
  /**
   * Registers a schematic with the Image Factory and resolves to it: its ID and its YAML, and a
   * `pxeUrl` only from Omni versions that still send one (current Omni leaves it empty).
   */
  createSchematic(options?: CreateSchematicOptions, call?: OmniCallOptions): Promise<Schematic>;
  /** The same from schematic YAML written by hand. */
  createSchematicFromRaw(
    options: CreateSchematicFromRawOptions,
    call?: OmniCallOptions,
  ): Promise<Schematic>;
  /** The Image Factory URL of a boot asset (ISO, disk image, kernel, ...) for a schematic. */
  getBootAssetURL(options: GetBootAssetUrlOptions, call?: OmniCallOptions): Promise<BootAssetUrl>;
  /**
   * Progress events as Omni collects each source, then the bundle's bytes as Omni sends them
   * (today in one message at the end), each handed on as it arrives, never gathered by the SDK.
   */
  getSupportBundle(
    options: GetSupportBundleOptions,
    call?: OmniCallOptions,
  ): AsyncIterable<SupportBundleEvent>;
  /**
   * Audit-log entries, oldest first unless ordered otherwise. With `follow` it goes on until the
   * caller stops or an error ends it: when Omni closes a stream after its lease, the SDK resumes
   * on a new one exactly where it left off. `position` tells where to resume after an error.
   */
  readAuditLog(options?: ReadAuditLogOptions, call?: OmniCallOptions): AuditLogStream;
  /** Upgrades Talos on a machine in maintenance mode (not yet part of a cluster). */
  maintenanceUpgrade(options: MaintenanceUpgradeOptions, call?: OmniCallOptions): Promise<void>;
  /**
   * Runs a lifecycle operation on a machine in maintenance mode, yielding Omni's progress
   * messages. Omni carries the operation through even if the caller stops reading or aborts;
   * only the messages stop.
   */
  maintenanceLifecycle(
    options: MaintenanceLifecycleOptions,
    call?: OmniCallOptions,
  ): AsyncIterable<MaintenanceLifecycleEvent>;
  /**
   * What a machine needs to join this Omni: kernel arguments and a machine config. The model
   * keeps the join token out of `JSON.stringify`.
   */
  getMachineJoinConfig(
    options?: GetMachineJoinConfigOptions,
    call?: OmniCallOptions,
  ): Promise<MachineJoinConfig>;
  /** Creates a named join token; its secret value stays out of logs and `JSON.stringify`. */
  createJoinToken(
    options: CreateJoinTokenOptions,
    call?: OmniCallOptions,
  ): Promise<CreatedJoinToken>;
  /**
   * Deletes the node unique token Omni recorded for a machine, so that the machine, wiped and
   * holding a new token, can join again.
   */
  resetNodeUniqueToken(options: ResetNodeUniqueTokenOptions, call?: OmniCallOptions): Promise<void>;
  /** Resolves to the new user's ID. */
  createUser(options: CreateUserOptions, call?: OmniCallOptions): Promise<string>;
  /** Every user with their role. */
  listUsers(options?: EmptyOptions, call?: OmniCallOptions): Promise<OmniUser[]>;
  /** Changes a user's role. */
  updateUser(options: UpdateUserOptions, call?: OmniCallOptions): Promise<void>;
  /** Deletes a user. */
  destroyUser(options: DestroyUserOptions, call?: OmniCallOptions): Promise<void>;
  /**
   * Shuts the machine's Talos down. For a machine of a static (bare-metal) infrastructure
   * provider, Omni also records the request, so the provider keeps it off.
   */
  machinePowerOff(options: MachinePowerOptions, call?: OmniCallOptions): Promise<void>;
  /**
   * Withdraws that request so the provider powers the machine on. Only machines of a static
   * infrastructure provider can; others fail with `FailedPreconditionError`.
   */
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
