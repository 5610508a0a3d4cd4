// The entry `sidero-omni-client/management`: each ManagementService call as a function of its
// own, taking the transport of `createOmniTransport` first, so that an app's bundle holds only
// the calls it makes. `client.management` offers the same calls as methods.
import { create } from "@bufbuild/protobuf";
import { EmptySchema, timestampFromDate } from "@bufbuild/protobuf/wkt";
import { utf8Encoder } from "../auth/encoding.js";
import {
  checkServiceAccountPublicKey,
  infraProviderPrefix,
  serviceAccountIdentity,
} from "../auth/service-account-key.js";
import { UnimplementedError, ValidationError } from "../errors.js";
import {
  AuditLogEventType,
  AuditLogOrderByDir,
  AuditLogOrderByField,
  BootAssetURLRequest_BootAssetKind,
  BootAssetURLRequestSchema,
  CreateJoinTokenRequestSchema,
  CreateSchematicFromRawRequestSchema,
  CreateSchematicRequest_SiderolinkGRPCTunnelMode,
  CreateSchematicRequestSchema,
  CreateServiceAccountRequestSchema,
  CreateUserRequestSchema,
  DestroyServiceAccountRequestSchema,
  DestroyUserRequestSchema,
  GetMachineJoinConfigRequestSchema,
  GetSupportBundleRequestSchema,
  KubeconfigRequestSchema,
  KubernetesSSAOptions_InventoryPolicy,
  KubernetesSSAOptionsSchema,
  KubernetesSyncManifestRequestSchema,
  KubernetesUpgradePreChecksRequestSchema,
  MachineLogsRequestSchema,
  MachinePowerOffRequestSchema,
  MachinePowerOnRequestSchema,
  MaintenanceLifecycleRequest_Operation,
  MaintenanceLifecycleRequestSchema,
  MaintenanceUpgradeRequestSchema,
  ManagementService,
  ReadAuditLogRequestSchema,
  type ReadAuditLogResponse,
  RenewServiceAccountRequestSchema,
  ResetNodeUniqueTokenRequestSchema,
  SchematicBootloader,
  TalosconfigRequestSchema,
  TearDownLockedClusterRequestSchema,
  UpdateUserRequestSchema,
  ValidateConfigRequestSchema,
  ValidateJsonSchemaRequestSchema,
} from "../gen/omni/management/management_pb.js";
import { type OmniTransport, requireOmniTransport } from "../omni-transport.js";
import { checkOptionKeys } from "../option-keys.js";
import { callUnary, openServerStream } from "../transport/direct-calls.js";
import { isFieldObject, optionalDate, utf8Length } from "../validation.js";
import { type AuditLogEntry, AuditLogParser } from "./audit-log.js";
import { abortableWait, followAuditLog } from "./audit-log-follow.js";
import { BootAssetUrl } from "./boot-asset-url.js";
import { type OmniCallOptions, toCallOptions } from "./call-options.js";
import { CreatedJoinToken } from "./join-token.js";
import { JsonSchemaValidation } from "./json-schema-validation.js";
import { toLines } from "./log-lines.js";
import { MachineJoinConfig } from "./machine-join-config.js";
import type { OmniManagementApi, OnTransport } from "./management-api.js";
import { toManifestSyncResult } from "./manifest-sync.js";
import { isUnknownFieldError, startsLikeZip } from "./older-omni.js";
import {
  createJoinTokenOptionKeys,
  createSchematicFromRawOptionKeys,
  createSchematicOptionKeys,
  createServiceAccountOptionKeys,
  createUserOptionKeys,
  destroyServiceAccountOptionKeys,
  destroyUserOptionKeys,
  emptyOptionKeys,
  getBootAssetUrlOptionKeys,
  getMachineJoinConfigOptionKeys,
  getSupportBundleOptionKeys,
  kubeconfigOptionKeys,
  kubernetesSsaOptionKeys,
  kubernetesSyncManifestsOptionKeys,
  kubernetesUpgradePreChecksOptionKeys,
  machineLogsOptionKeys,
  machinePowerOptionKeys,
  maintenanceLifecycleOptionKeys,
  maintenanceUpgradeOptionKeys,
  readAuditLogOptionKeys,
  renewServiceAccountOptionKeys,
  resetNodeUniqueTokenOptionKeys,
  schematicOverlayOptionKeys,
  talosconfigOptionKeys,
  tearDownLockedClusterOptionKeys,
  updateUserOptionKeys,
  validateConfigOptionKeys,
  validateJsonSchemaOptionKeys,
} from "./option-keys.js";
import type {
  KubernetesSsaOptions,
  MachineLogsOptions,
  MaintenanceLifecycleOptions,
  SchematicOverlay,
} from "./requests.js";
import { requireRole } from "./role.js";
import { Schematic } from "./schematic.js";
import { toServiceAccount } from "./service-account.js";
import { cancelOnExit } from "./streams.js";
import { supportBundleEvents } from "./support-bundle.js";
import { toUser } from "./user.js";
import {
  optionalBoolean,
  optionalChoice,
  optionalDuration,
  optionalInteger,
  optionalStrings,
  optionalText,
  optionalVersion,
  requireChoice,
  requireEmail,
  requireId,
  requireOptions,
  requireText,
  requireTolerantVersion,
  requireVersion,
} from "./validation.js";

const utf8 = new TextDecoder();
const int32Max = 2_147_483_647;
const uint32Max = 4_294_967_295;
const int64Max = 0x7fff_ffff_ffff_ffffn;
// Omni's ServiceAccountTokenLifetime: ten years of 365 days.
const maxServiceAccountTtlSeconds = 10 * 365 * 24 * 3600;
// Omni's MaxJoinTokenNameLength, which it counts in bytes.
const maxJoinTokenNameBytes = 16;
// Omni refuses a JSON schema of more bytes than this, with an error of no particular code.
const maxJsonSchemaBytes = 1_000_000;

const grantTypes = {
  "": "",
  auto: "auto",
  authcode: "authcode",
  "authcode-keyboard": "authcode-keyboard",
};

// The enum tables are built on use: bundlers cannot tell that reading a generated enum has no side
// effects, so a module-level table would stay in every app's bundle, used or not.
const inventoryPolicies = () => ({
  "must-match": KubernetesSSAOptions_InventoryPolicy.MUST_MATCH,
  "adopt-if-no-inventory": KubernetesSSAOptions_InventoryPolicy.ADOPT_IF_NO_INVENTORY,
  "adopt-all": KubernetesSSAOptions_InventoryPolicy.ADOPT_ALL,
});

const tunnelModes = () => ({
  auto: CreateSchematicRequest_SiderolinkGRPCTunnelMode.AUTO,
  disabled: CreateSchematicRequest_SiderolinkGRPCTunnelMode.DISABLED,
  enabled: CreateSchematicRequest_SiderolinkGRPCTunnelMode.ENABLED,
});

const bootloaders = () => ({
  auto: SchematicBootloader.BOOT_AUTO,
  dual: SchematicBootloader.BOOT_DUAL,
  sd: SchematicBootloader.BOOT_SD,
  grub: SchematicBootloader.BOOT_GRUB,
});

const bootAssetKinds = () => ({
  pxe: BootAssetURLRequest_BootAssetKind.PXE,
  iso: BootAssetURLRequest_BootAssetKind.ISO,
  disk: BootAssetURLRequest_BootAssetKind.DISK,
});

const orderFields = () => ({
  date: AuditLogOrderByField.DATE,
  "event-type": AuditLogOrderByField.EVENT_TYPE,
  "resource-type": AuditLogOrderByField.RESOURCE_TYPE,
  "resource-id": AuditLogOrderByField.RESOURCE_ID,
  "cluster-id": AuditLogOrderByField.CLUSTER_ID,
  actor: AuditLogOrderByField.ACTOR,
});

const orderDirections = () => ({ asc: AuditLogOrderByDir.ASC, desc: AuditLogOrderByDir.DESC });

const auditEventTypes = () => ({
  create: AuditLogEventType.CREATE,
  update: AuditLogEventType.UPDATE,
  "update-with-conflicts": AuditLogEventType.UPDATE_WITH_CONFLICTS,
  destroy: AuditLogEventType.DESTROY,
  teardown: AuditLogEventType.TEARDOWN,
  "talos-access": AuditLogEventType.TALOS_ACCESS,
  "k8s-access": AuditLogEventType.K8S_ACCESS,
  "audit-log-access": AuditLogEventType.AUDIT_LOG_ACCESS,
});

const operations = () => ({
  install: MaintenanceLifecycleRequest_Operation.INSTALL,
  upgrade: MaintenanceLifecycleRequest_Operation.UPGRADE,
});

/**
 * Omni's rules for the rest of a lifecycle request: an install needs the disk to write to and
 * installs the version the machine runs in memory unless told otherwise; an upgrade rewrites the
 * disk already installed, so it needs the version and takes no disk.
 */
function lifecycleTarget(
  input: MaintenanceLifecycleOptions,
  operation: MaintenanceLifecycleRequest_Operation,
): { version: string; disk: string } {
  if (operation === MaintenanceLifecycleRequest_Operation.INSTALL) {
    return {
      version: optionalVersion("options.version", input.version),
      disk: requireText("options.disk", input.disk),
    };
  }
  if (input.disk !== undefined) {
    throw new ValidationError(
      "options.disk",
      "an upgrade keeps the disk Talos is installed on; leave disk out",
    );
  }
  return { version: requireVersion("options.version", input.version), disk: "" };
}

// The server rejects filters and ordering on a followed audit log.
const followConflicts = [
  "startTime",
  "endTime",
  "orderByField",
  "orderByDir",
  "search",
  "eventType",
  "resourceType",
  "resourceId",
  "clusterId",
  "actor",
] as const;

const dayPattern = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Whether `text` is YYYY-MM-DD of a day the Gregorian calendar has, as Go's `time.Parse` checks. */
function isCalendarDay(text: string): boolean {
  const parts = dayPattern.exec(text);
  if (parts === null) {
    return false;
  }
  const [year, month, day] = parts.slice(1).map(Number) as [number, number, number];
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  return days !== undefined && day >= 1 && day <= days;
}

/**
 * A day of the audit log as Omni reads it (YYYY-MM-DD); a Date gives its UTC day, and must be one
 * that four digits of year can write.
 */
function auditDay(argument: string, value: unknown): string {
  if (value === undefined) {
    return "";
  }
  if (value instanceof Date) {
    return optionalDate(argument, value)?.toISOString().slice(0, 10) ?? "";
  }
  if (typeof value !== "string" || !isCalendarDay(value)) {
    throw new ValidationError(argument, "must be a calendar day as YYYY-MM-DD, or a Date");
  }
  return value;
}

/** The days an audit-log read covers; one that ends before it starts could only come back empty. */
function auditDays(input: { startTime?: unknown; endTime?: unknown }) {
  const startTime = auditDay("options.startTime", input.startTime);
  const endTime = auditDay("options.endTime", input.endTime);
  // YYYY-MM-DD compares as text in the order of the days.
  if (startTime !== "" && endTime !== "" && endTime < startTime) {
    throw new ValidationError(
      "options.endTime",
      `must not be before options.startTime (${endTime} is before ${startTime})`,
    );
  }
  return { startTime, endTime };
}

function auditPosition(argument: string, value: unknown): bigint {
  if (value === undefined) {
    return 0n;
  }
  const position = typeof value === "number" && Number.isSafeInteger(value) ? BigInt(value) : value;
  if (typeof position !== "bigint" || position < 0n || position > int64Max) {
    throw new ValidationError(argument, "must be a non-negative whole number");
  }
  return position;
}

function clusterMetadata(cluster: string): Record<string, string> {
  return { cluster };
}

function requireServiceAccountName(value: unknown): string {
  const name = requireId("options.name", value);
  serviceAccountIdentity(name, "options.name");
  return name;
}

/** Omni's rule that the InfraProvider role and the `infra-provider:` name prefix go together. */
function checkInfraProviderRole(name: string, useUserRole: boolean, role: string): void {
  const infraProvider = name.startsWith(infraProviderPrefix);
  if (infraProvider && useUserRole) {
    throw new ValidationError(
      "options.useUserRole",
      `cannot be used for an "${infraProviderPrefix}" service account, which must have the role InfraProvider`,
    );
  }
  if (infraProvider && role !== "InfraProvider") {
    throw new ValidationError(
      "options.role",
      `must be InfraProvider for an "${infraProviderPrefix}" service account`,
    );
  }
  if (!infraProvider && role === "InfraProvider") {
    throw new ValidationError(
      "options.name",
      `must start with "${infraProviderPrefix}" for a service account with the role InfraProvider`,
    );
  }
}

/** Omni's rules for the key (public, lifetime at most 365 days), checked before sending. */
async function serviceAccountPublicKey(value: unknown): Promise<string> {
  const argument = "options.armoredPgpPublicKey";
  const key = armoredPublicKey(argument, value);
  await checkServiceAccountPublicKey(key, argument);
  return key;
}

function armoredPublicKey(argument: string, value: unknown): string {
  const key = requireText(argument, value);
  if (key.includes("PRIVATE KEY BLOCK")) {
    // Never echo the value: it is a private key the user meant to keep.
    throw new ValidationError(argument, "is a private key; pass the armored public key only");
  }
  if (!key.includes("-----BEGIN PGP PUBLIC KEY BLOCK-----")) {
    throw new ValidationError(argument, "must be an armored PGP public key");
  }
  return key;
}

function ssaOptions(ssa: KubernetesSsaOptions | undefined) {
  if (ssa === undefined) {
    return undefined;
  }
  checkOptionKeys("options.ssa", ssa, kubernetesSsaOptionKeys);
  return create(KubernetesSSAOptionsSchema, {
    // Omni's own defaults when no SSA options come at all: adopt if there is no inventory yet,
    // and never prune; giving one option must not switch the others to their riskier zeros.
    inventoryPolicy: optionalChoice(
      "options.ssa.inventoryPolicy",
      ssa.inventoryPolicy,
      inventoryPolicies(),
      KubernetesSSAOptions_InventoryPolicy.ADOPT_IF_NO_INVENTORY,
    ),
    reconcileTimeout: optionalDuration(
      "options.ssa.reconcileTimeoutSeconds",
      ssa.reconcileTimeoutSeconds,
    ),
    forceConflicts: optionalBoolean("options.ssa.forceConflicts", ssa.forceConflicts),
    noPrune: ssa.noPrune === undefined || optionalBoolean("options.ssa.noPrune", ssa.noPrune),
  });
}

function schematicOverlay(value: SchematicOverlay | undefined) {
  if (value === undefined) {
    return undefined;
  }
  checkOptionKeys("options.overlay", value, schematicOverlayOptionKeys);
  return {
    image: requireText("options.overlay.image", value.image),
    name: requireText("options.overlay.name", value.name),
    options: optionalText("options.overlay.options", value.options),
  };
}

// A META key as an object key: a uint32 in decimal, as JavaScript writes a number key.
const metaKeyPattern = /^(0|[1-9]\d{0,9})$/;

/**
 * META values by key. Keys are taken only as JavaScript writes number keys (`{ 12: "..." }` has
 * the key "12"): reading "0x10" as 16, "" as 0 or "01" as 1 would send a key the caller never
 * wrote, and "01" beside "1" would lose one of the two values.
 */
function metaValues(value: unknown): Record<number, string> {
  if (value === undefined) {
    return {};
  }
  if (!isFieldObject(value)) {
    throw new ValidationError(
      "options.metaValues",
      'must be an object of META values by key, such as { 12: "..." }',
    );
  }
  const result: Record<number, string> = {};
  for (const [key, text] of Object.entries(value)) {
    const argument = `options.metaValues[${JSON.stringify(key)}]`;
    if (!metaKeyPattern.test(key) || Number(key) > uint32Max) {
      throw new ValidationError(
        argument,
        "is not a META key: a whole number from 0 to 4294967295, in decimal without leading zeros",
      );
    }
    if (typeof text !== "string") {
      throw new ValidationError(argument, "must be a string");
    }
    result[Number(key)] = text;
  }
  return result;
}

function optionalUrl(argument: string, value: unknown): string {
  const text = optionalText(argument, value);
  if (text !== "" && !URL.canParse(text)) {
    throw new ValidationError(argument, "must be an absolute URL");
  }
  return text;
}

function logMessages(
  transport: OmniTransport,
  options: MachineLogsOptions,
  call?: OmniCallOptions,
): AsyncIterable<Uint8Array> {
  requireOmniTransport(transport);
  const input = requireOptions("options", options, machineLogsOptionKeys);
  const request = create(MachineLogsRequestSchema, {
    machineId: requireId("options.machineId", input.machineId),
    follow: optionalBoolean("options.follow", input.follow),
    // Omni reads 0 as "no history"; -1 (omnictl's default) starts from the beginning.
    tailLines: optionalInteger("options.tailLines", input.tailLines, -1, int32Max) ?? -1,
  });
  const callOptions = toCallOptions(call);
  return (async function* () {
    for await (const data of cancelOnExit(
      (o) => openServerStream(transport, ManagementService.method.machineLogs, request, o),
      callOptions,
    )) {
      yield data.bytes;
    }
  })();
}

export const kubeconfig: OnTransport<OmniManagementApi["kubeconfig"]> = async (
  transport,
  options,
  call,
) => {
  requireOmniTransport(transport);
  const input = requireOptions("options", options, kubeconfigOptionKeys);
  const cluster = requireId("options.cluster", input.cluster);
  const serviceAccount = optionalBoolean("options.serviceAccount", input.serviceAccount);
  const serviceAccountTtl = optionalDuration(
    "options.serviceAccountTtlSeconds",
    input.serviceAccountTtlSeconds,
    maxServiceAccountTtlSeconds,
  );
  const serviceAccountUser = optionalText("options.serviceAccountUser", input.serviceAccountUser);
  if (serviceAccount && serviceAccountUser === "") {
    throw new ValidationError(
      "options.serviceAccountUser",
      "is required when serviceAccount is true",
    );
  }
  if (serviceAccount && serviceAccountTtl === undefined) {
    throw new ValidationError(
      "options.serviceAccountTtlSeconds",
      "is required when serviceAccount is true",
    );
  }
  const request = create(KubeconfigRequestSchema, {
    serviceAccount,
    serviceAccountTtl,
    serviceAccountUser,
    serviceAccountGroups: optionalStrings(
      "options.serviceAccountGroups",
      input.serviceAccountGroups,
    ),
    grantType: optionalChoice("options.grantType", input.grantType, grantTypes, ""),
    breakGlass: optionalBoolean("options.breakGlass", input.breakGlass),
    oidcCacheBaseDir: optionalText("options.oidcCacheBaseDir", input.oidcCacheBaseDir),
    oidcCacheIsolation: optionalBoolean("options.oidcCacheIsolation", input.oidcCacheIsolation),
  });
  const response = await callUnary(
    transport,
    ManagementService.method.kubeconfig,
    request,
    toCallOptions(call, clusterMetadata(cluster)),
  );
  return utf8.decode(response.kubeconfig);
};

export const talosconfig: OnTransport<OmniManagementApi["talosconfig"]> = async (
  transport,
  options = {},
  call,
) => {
  requireOmniTransport(transport);
  const input = requireOptions("options", options, talosconfigOptionKeys);
  const request = create(TalosconfigRequestSchema, {
    raw: optionalBoolean("options.raw", input.raw),
    breakGlass: optionalBoolean("options.breakGlass", input.breakGlass),
  });
  if ((request.raw || request.breakGlass) && input.cluster === undefined) {
    throw new ValidationError("options.cluster", "is required with raw or breakGlass");
  }
  const metadata =
    input.cluster === undefined
      ? undefined
      : clusterMetadata(requireId("options.cluster", input.cluster));
  const response = await callUnary(
    transport,
    ManagementService.method.talosconfig,
    request,
    toCallOptions(call, metadata),
  );
  return utf8.decode(response.talosconfig);
};

export const omniconfig: OnTransport<OmniManagementApi["omniconfig"]> = async (
  transport,
  options = {},
  call,
) => {
  requireOmniTransport(transport);
  requireOptions("options", options, emptyOptionKeys);
  const response = await callUnary(
    transport,
    ManagementService.method.omniconfig,
    create(EmptySchema),
    toCallOptions(call),
  );
  return utf8.decode(response.omniconfig);
};

export const machineLogs: OnTransport<OmniManagementApi["machineLogs"]> = logMessages;

export const machineLogLines: OnTransport<OmniManagementApi["machineLogLines"]> = (
  transport,
  options,
  call,
) => {
  return toLines(logMessages(transport, options, call));
};

export const validateConfig: OnTransport<OmniManagementApi["validateConfig"]> = async (
  transport,
  options,
  call,
) => {
  requireOmniTransport(transport);
  const input = requireOptions("options", options, validateConfigOptionKeys);
  const request = create(ValidateConfigRequestSchema, {
    config: requireText("options.config", input.config),
  });
  await callUnary(transport, ManagementService.method.validateConfig, request, toCallOptions(call));
};

export const validateJSONSchema: OnTransport<OmniManagementApi["validateJSONSchema"]> = async (
  transport,
  options,
  call,
) => {
  requireOmniTransport(transport);
  const input = requireOptions("options", options, validateJsonSchemaOptionKeys);
  const schema = requireText("options.schema", input.schema);
  if (utf8Length(schema) > maxJsonSchemaBytes) {
    throw new ValidationError(
      "options.schema",
      `must be at most ${maxJsonSchemaBytes} bytes (1 MB), Omni's limit for a schema`,
    );
  }
  const request = create(ValidateJsonSchemaRequestSchema, {
    data: requireText("options.data", input.data),
    schema,
  });
  return JsonSchemaValidation.fromResponse(
    await callUnary(
      transport,
      ManagementService.method.validateJSONSchema,
      request,
      toCallOptions(call),
    ),
  );
};

export const createServiceAccount: OnTransport<OmniManagementApi["createServiceAccount"]> = async (
  transport,
  options,
  call,
) => {
  requireOmniTransport(transport);
  const input = requireOptions("options", options, createServiceAccountOptionKeys);
  const name = requireServiceAccountName(input.name);
  // Omni refuses to create an identity with capital letters.
  if (/\p{Lu}/u.test(name)) {
    throw new ValidationError("options.name", "must be lowercase, as Omni requires of identities");
  }
  const armoredPgpPublicKey = await serviceAccountPublicKey(input.armoredPgpPublicKey);
  const useUserRole = optionalBoolean("options.useUserRole", input.useUserRole);
  if (useUserRole && input.role !== undefined) {
    throw new ValidationError("options.role", "cannot be combined with useUserRole");
  }
  if (!useUserRole && input.role === undefined) {
    throw new ValidationError(
      "options.role",
      "is required unless useUserRole is true (Omni has no default role)",
    );
  }
  const role = useUserRole ? "" : requireRole("options.role", input.role);
  checkInfraProviderRole(name, useUserRole, role);
  const request = create(CreateServiceAccountRequestSchema, {
    name,
    armoredPgpPublicKey,
    useUserRole,
    role,
  });
  const response = await callUnary(
    transport,
    ManagementService.method.createServiceAccount,
    request,
    toCallOptions(call),
  );
  return { publicKeyId: response.publicKeyId };
};

export const renewServiceAccount: OnTransport<OmniManagementApi["renewServiceAccount"]> = async (
  transport,
  options,
  call,
) => {
  requireOmniTransport(transport);
  const input = requireOptions("options", options, renewServiceAccountOptionKeys);
  const request = create(RenewServiceAccountRequestSchema, {
    name: requireServiceAccountName(input.name),
    armoredPgpPublicKey: await serviceAccountPublicKey(input.armoredPgpPublicKey),
  });
  const response = await callUnary(
    transport,
    ManagementService.method.renewServiceAccount,
    request,
    toCallOptions(call),
  );
  return { publicKeyId: response.publicKeyId };
};

export const listServiceAccounts: OnTransport<OmniManagementApi["listServiceAccounts"]> = async (
  transport,
  options = {},
  call,
) => {
  requireOmniTransport(transport);
  requireOptions("options", options, emptyOptionKeys);
  const response = await callUnary(
    transport,
    ManagementService.method.listServiceAccounts,
    create(EmptySchema),
    toCallOptions(call),
  );
  return response.serviceAccounts.map(toServiceAccount);
};

export const destroyServiceAccount: OnTransport<
  OmniManagementApi["destroyServiceAccount"]
> = async (transport, options, call) => {
  requireOmniTransport(transport);
  const input = requireOptions("options", options, destroyServiceAccountOptionKeys);
  const request = create(DestroyServiceAccountRequestSchema, {
    name: requireId("options.name", input.name),
  });
  await callUnary(
    transport,
    ManagementService.method.destroyServiceAccount,
    request,
    toCallOptions(call),
  );
};

export const kubernetesUpgradePreChecks: OnTransport<
  OmniManagementApi["kubernetesUpgradePreChecks"]
> = async (transport, options, call) => {
  requireOmniTransport(transport);
  const input = requireOptions("options", options, kubernetesUpgradePreChecksOptionKeys);
  const cluster = requireId("options.cluster", input.cluster);
  const request = create(KubernetesUpgradePreChecksRequestSchema, {
    newVersion: requireTolerantVersion("options.newVersion", input.newVersion),
  });
  const response = await callUnary(
    transport,
    ManagementService.method.kubernetesUpgradePreChecks,
    request,
    toCallOptions(call, clusterMetadata(cluster)),
  );
  return { ok: response.ok, reason: response.reason };
};

export const kubernetesSyncManifests: OnTransport<OmniManagementApi["kubernetesSyncManifests"]> = (
  transport,
  options,
  call,
) => {
  requireOmniTransport(transport);
  const input = requireOptions("options", options, kubernetesSyncManifestsOptionKeys);
  const cluster = requireId("options.cluster", input.cluster);
  const request = create(KubernetesSyncManifestRequestSchema, {
    dryRun: optionalBoolean("options.dryRun", input.dryRun),
    ssa: ssaOptions(input.ssa),
  });
  const callOptions = toCallOptions(call, clusterMetadata(cluster));
  return (async function* () {
    for await (const response of cancelOnExit(
      (o) =>
        openServerStream(transport, ManagementService.method.kubernetesSyncManifests, request, o),
      callOptions,
    )) {
      yield toManifestSyncResult(response);
    }
  })();
};

export const createSchematic: OnTransport<OmniManagementApi["createSchematic"]> = async (
  transport,
  options = {},
  call,
) => {
  requireOmniTransport(transport);
  const input = requireOptions("options", options, createSchematicOptionKeys);
  const overlay = schematicOverlay(input.overlay);
  const request = create(CreateSchematicRequestSchema, {
    extensions: optionalStrings("options.extensions", input.extensions),
    extraKernelArgs: optionalStrings("options.extraKernelArgs", input.extraKernelArgs),
    metaValues: metaValues(input.metaValues),
    talosVersion:
      input.talosVersion === undefined
        ? ""
        : requireTolerantVersion("options.talosVersion", input.talosVersion),
    mediaId: optionalText("options.mediaId", input.mediaId),
    siderolinkGrpcTunnelMode: optionalChoice(
      "options.siderolinkGrpcTunnelMode",
      input.siderolinkGrpcTunnelMode,
      tunnelModes(),
      CreateSchematicRequest_SiderolinkGRPCTunnelMode.AUTO,
    ),
    joinToken: optionalText("options.joinToken", input.joinToken),
    overlay,
    bootloader: optionalChoice(
      "options.bootloader",
      input.bootloader,
      bootloaders(),
      SchematicBootloader.BOOT_AUTO,
    ),
    embeddedMachineConfig: optionalText(
      "options.embeddedMachineConfig",
      input.embeddedMachineConfig,
    ),
    imageFactoryUrl: optionalUrl("options.imageFactoryUrl", input.imageFactoryUrl),
  });
  return new Schematic(
    await callUnary(
      transport,
      ManagementService.method.createSchematic,
      request,
      toCallOptions(call),
    ),
  );
};

export const createSchematicFromRaw: OnTransport<
  OmniManagementApi["createSchematicFromRaw"]
> = async (transport, options, call) => {
  requireOmniTransport(transport);
  const input = requireOptions("options", options, createSchematicFromRawOptionKeys);
  const rawSchematic =
    typeof input.rawSchematic === "string"
      ? utf8Encoder.encode(input.rawSchematic)
      : input.rawSchematic;
  if (!(rawSchematic instanceof Uint8Array) || rawSchematic.length === 0) {
    throw new ValidationError(
      "options.rawSchematic",
      "must be non-empty schematic YAML, as a string or bytes",
    );
  }
  const request = create(CreateSchematicFromRawRequestSchema, {
    rawSchematic,
    talosVersion: optionalVersion("options.talosVersion", input.talosVersion),
  });
  return new Schematic(
    await callUnary(
      transport,
      ManagementService.method.createSchematicFromRaw,
      request,
      toCallOptions(call),
    ),
  );
};

export const getBootAssetURL: OnTransport<OmniManagementApi["getBootAssetURL"]> = async (
  transport,
  options,
  call,
) => {
  requireOmniTransport(transport);
  const input = requireOptions("options", options, getBootAssetUrlOptionKeys);
  const request = create(BootAssetURLRequestSchema, {
    talosVersion: requireVersion("options.talosVersion", input.talosVersion),
    schematicId: requireId("options.schematicId", input.schematicId),
    standaloneUrl: optionalBoolean("options.standaloneUrl", input.standaloneUrl),
    bootAssetKind: requireChoice("options.bootAssetKind", input.bootAssetKind, bootAssetKinds()),
    platform: optionalText("options.platform", input.platform),
    architecture: optionalText("options.architecture", input.architecture),
    format: optionalText("options.format", input.format),
    secureBoot: optionalBoolean("options.secureBoot", input.secureBoot),
  });
  return new BootAssetUrl(
    await callUnary(
      transport,
      ManagementService.method.getBootAssetURL,
      request,
      toCallOptions(call),
    ),
  );
};

export const getSupportBundle: OnTransport<OmniManagementApi["getSupportBundle"]> = (
  transport,
  options,
  call,
) => {
  requireOmniTransport(transport);
  const input = requireOptions("options", options, getSupportBundleOptionKeys);
  const request = create(GetSupportBundleRequestSchema, {
    cluster: requireId("options.cluster", input.cluster),
    encrypt: optionalBoolean("options.encrypt", input.encrypt),
    encryptionRecipients: optionalStrings(
      "options.encryptionRecipients",
      input.encryptionRecipients,
    ),
    encryptionNoDefaultRecipients: optionalBoolean(
      "options.encryptionNoDefaultRecipients",
      input.encryptionNoDefaultRecipients,
    ),
  });
  const callOptions = toCallOptions(call);
  const encrypted = request.encrypt;
  return (async function* () {
    const toEvents = supportBundleEvents();
    let firstData = true;
    try {
      for await (const response of cancelOnExit(
        (o) => openServerStream(transport, ManagementService.method.getSupportBundle, request, o),
        callOptions,
      )) {
        for (const event of toEvents(response)) {
          // An Omni without bundle encryption drops `encrypt` over gRPC and sends a plain zip;
          // the caller asked for none, so not a byte of it is handed on.
          if (encrypted && firstData && event.type === "data" && startsLikeZip(event.bytes)) {
            throw bundleEncryptionUnsupported("it sent the bundle unencrypted");
          }
          firstData &&= event.type !== "data";
          yield event;
        }
      }
    } catch (error) {
      throw isUnknownFieldError(error, bundleEncryptionFields)
        ? bundleEncryptionUnsupported("it refused the encryption options")
        : error;
    }
  })();
};

// The encryption fields of GetSupportBundleRequest, by their JSON names.
const bundleEncryptionFields = [
  "encrypt",
  "encryptionRecipients",
  "encryptionNoDefaultRecipients",
] as const;

function bundleEncryptionUnsupported(what: string): UnimplementedError {
  return new UnimplementedError(`this Omni cannot encrypt support bundles: ${what}`, {
    method: "/management.ManagementService/GetSupportBundle",
  });
}

export const readAuditLog: OnTransport<OmniManagementApi["readAuditLog"]> = (
  transport,
  options = {},
  call,
) => {
  requireOmniTransport(transport);
  const input = requireOptions("options", options, readAuditLogOptionKeys);
  const follow = optionalBoolean("options.follow", input.follow);
  if (follow) {
    const conflicting = followConflicts.find((key) => input[key] !== undefined);
    if (conflicting) {
      throw new ValidationError(
        `options.${conflicting}`,
        "cannot be combined with follow (only startTsMs and fromId can)",
      );
    }
  }
  const startTsMs = optionalInteger(
    "options.startTsMs",
    input.startTsMs,
    0,
    Number.MAX_SAFE_INTEGER,
  );
  const request = create(ReadAuditLogRequestSchema, {
    ...auditDays(input),
    orderByField: optionalChoice(
      "options.orderByField",
      input.orderByField,
      orderFields(),
      AuditLogOrderByField.UNSPECIFIED,
    ),
    orderByDir: optionalChoice(
      "options.orderByDir",
      input.orderByDir,
      orderDirections(),
      AuditLogOrderByDir.UNSPECIFIED,
    ),
    search: optionalText("options.search", input.search),
    eventType: optionalChoice(
      "options.eventType",
      input.eventType,
      auditEventTypes(),
      AuditLogEventType.UNSPECIFIED,
    ),
    resourceType: optionalText("options.resourceType", input.resourceType),
    resourceId: optionalText("options.resourceId", input.resourceId),
    clusterId: optionalText("options.clusterId", input.clusterId),
    actor: optionalText("options.actor", input.actor),
    follow,
    startTsMs: BigInt(startTsMs ?? 0),
    fromId: auditPosition("options.fromId", input.fromId),
  });
  const callOptions = toCallOptions(call);
  const open = (next: typeof request) =>
    cancelOnExit(
      (o) => openServerStream(transport, ManagementService.method.readAuditLog, next, o),
      callOptions,
    );
  let position: bigint | undefined;
  const entries = follow
    ? followAuditLog(
        open,
        request,
        (next) => {
          position = next;
        },
        { now: () => performance.now(), wait: abortableWait(callOptions?.signal) },
      )
    : boundedAuditLog(open(request));
  return {
    [Symbol.asyncIterator]: () => entries,
    get position() {
      return position;
    },
  };
};

async function* boundedAuditLog(
  responses: AsyncIterable<ReadAuditLogResponse>,
): AsyncGenerator<AuditLogEntry> {
  const parser = new AuditLogParser();
  let lastId = 0n;
  for await (const response of responses) {
    lastId = response.id;
    yield* parser.push(response.id, response.auditLog);
  }
  yield* parser.flush(lastId);
}

export const maintenanceUpgrade: OnTransport<OmniManagementApi["maintenanceUpgrade"]> = async (
  transport,
  options,
  call,
) => {
  requireOmniTransport(transport);
  const input = requireOptions("options", options, maintenanceUpgradeOptionKeys);
  const request = create(MaintenanceUpgradeRequestSchema, {
    machineId: requireId("options.machineId", input.machineId),
    version: requireVersion("options.version", input.version),
  });
  await callUnary(
    transport,
    ManagementService.method.maintenanceUpgrade,
    request,
    toCallOptions(call),
  );
};

export const maintenanceLifecycle: OnTransport<OmniManagementApi["maintenanceLifecycle"]> = (
  transport,
  options,
  call,
) => {
  requireOmniTransport(transport);
  const input = requireOptions("options", options, maintenanceLifecycleOptionKeys);
  const machineId = requireId("options.machineId", input.machineId);
  const operation = requireChoice("options.operation", input.operation, operations());
  const request = create(MaintenanceLifecycleRequestSchema, {
    machineId,
    operation,
    ...lifecycleTarget(input, operation),
  });
  const callOptions = toCallOptions(call);
  return (async function* () {
    for await (const response of cancelOnExit(
      (o) => openServerStream(transport, ManagementService.method.maintenanceLifecycle, request, o),
      callOptions,
    )) {
      yield { message: response.message };
    }
  })();
};

export const getMachineJoinConfig: OnTransport<OmniManagementApi["getMachineJoinConfig"]> = async (
  transport,
  options = {},
  call,
) => {
  requireOmniTransport(transport);
  const input = requireOptions("options", options, getMachineJoinConfigOptionKeys);
  const request = create(GetMachineJoinConfigRequestSchema, {
    useGrpcTunnel: optionalBoolean("options.useGrpcTunnel", input.useGrpcTunnel),
    joinToken: input.joinToken === undefined ? "" : requireId("options.joinToken", input.joinToken),
  });
  return MachineJoinConfig.fromResponse(
    await callUnary(
      transport,
      ManagementService.method.getMachineJoinConfig,
      request,
      toCallOptions(call),
    ),
  );
};

export const createJoinToken: OnTransport<OmniManagementApi["createJoinToken"]> = async (
  transport,
  options,
  call,
) => {
  requireOmniTransport(transport);
  const input = requireOptions("options", options, createJoinTokenOptionKeys);
  const name = requireText("options.name", input.name);
  if (utf8Encoder.encode(name).length > maxJoinTokenNameBytes) {
    throw new ValidationError(
      "options.name",
      `must be at most ${maxJoinTokenNameBytes} bytes of UTF-8 (${maxJoinTokenNameBytes} ASCII characters)`,
    );
  }
  const expiration = optionalDate("options.expirationTime", input.expirationTime);
  if (expiration && expiration.getTime() <= Date.now()) {
    throw new ValidationError("options.expirationTime", "must be in the future");
  }
  const request = create(CreateJoinTokenRequestSchema, {
    name,
    expirationTime: expiration ? timestampFromDate(expiration) : undefined,
  });
  const response = await callUnary(
    transport,
    ManagementService.method.createJoinToken,
    request,
    toCallOptions(call),
  );
  return new CreatedJoinToken(name, response.id);
};

export const resetNodeUniqueToken: OnTransport<OmniManagementApi["resetNodeUniqueToken"]> = async (
  transport,
  options,
  call,
) => {
  requireOmniTransport(transport);
  const input = requireOptions("options", options, resetNodeUniqueTokenOptionKeys);
  const request = create(ResetNodeUniqueTokenRequestSchema, {
    id: requireId("options.id", input.id),
  });
  await callUnary(
    transport,
    ManagementService.method.resetNodeUniqueToken,
    request,
    toCallOptions(call),
  );
};

export const createUser: OnTransport<OmniManagementApi["createUser"]> = async (
  transport,
  options,
  call,
) => {
  requireOmniTransport(transport);
  const input = requireOptions("options", options, createUserOptionKeys);
  const request = create(CreateUserRequestSchema, {
    email: requireEmail("options.email", input.email),
    role: requireRole("options.role", input.role),
  });
  return (
    await callUnary(transport, ManagementService.method.createUser, request, toCallOptions(call))
  ).userId;
};

export const listUsers: OnTransport<OmniManagementApi["listUsers"]> = async (
  transport,
  options = {},
  call,
) => {
  requireOmniTransport(transport);
  requireOptions("options", options, emptyOptionKeys);
  const response = await callUnary(
    transport,
    ManagementService.method.listUsers,
    create(EmptySchema),
    toCallOptions(call),
  );
  return response.users.map(toUser);
};

export const updateUser: OnTransport<OmniManagementApi["updateUser"]> = async (
  transport,
  options,
  call,
) => {
  requireOmniTransport(transport);
  const input = requireOptions("options", options, updateUserOptionKeys);
  const request = create(UpdateUserRequestSchema, {
    email: requireEmail("options.email", input.email),
    role: requireRole("options.role", input.role),
  });
  await callUnary(transport, ManagementService.method.updateUser, request, toCallOptions(call));
};

export const destroyUser: OnTransport<OmniManagementApi["destroyUser"]> = async (
  transport,
  options,
  call,
) => {
  requireOmniTransport(transport);
  const input = requireOptions("options", options, destroyUserOptionKeys);
  const request = create(DestroyUserRequestSchema, {
    email: requireEmail("options.email", input.email),
  });
  await callUnary(transport, ManagementService.method.destroyUser, request, toCallOptions(call));
};

export const machinePowerOff: OnTransport<OmniManagementApi["machinePowerOff"]> = async (
  transport,
  options,
  call,
) => {
  requireOmniTransport(transport);
  const input = requireOptions("options", options, machinePowerOptionKeys);
  const request = create(MachinePowerOffRequestSchema, {
    machineId: requireId("options.machineId", input.machineId),
  });
  await callUnary(
    transport,
    ManagementService.method.machinePowerOff,
    request,
    toCallOptions(call),
  );
};

export const machinePowerOn: OnTransport<OmniManagementApi["machinePowerOn"]> = async (
  transport,
  options,
  call,
) => {
  requireOmniTransport(transport);
  const input = requireOptions("options", options, machinePowerOptionKeys);
  const request = create(MachinePowerOnRequestSchema, {
    machineId: requireId("options.machineId", input.machineId),
  });
  await callUnary(transport, ManagementService.method.machinePowerOn, request, toCallOptions(call));
};

export const tearDownLockedCluster: OnTransport<
  OmniManagementApi["tearDownLockedCluster"]
> = async (transport, options, call) => {
  requireOmniTransport(transport);
  const input = requireOptions("options", options, tearDownLockedClusterOptionKeys);
  const request = create(TearDownLockedClusterRequestSchema, {
    clusterId: requireId("options.clusterId", input.clusterId),
  });
  await callUnary(
    transport,
    ManagementService.method.tearDownLockedCluster,
    request,
    toCallOptions(call),
  );
};
