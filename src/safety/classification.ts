import {
  create,
  type DescMethod,
  fromBinary,
  isMessage,
  type Message,
  type MessageInitShape,
  toBinary,
} from "@bufbuild/protobuf";
import type { WriteKind } from "../errors.js";

/** What a call does to the state it reaches: reads it, or creates, updates or deletes something. */
export type CallKind = "read" | WriteKind;

/**
 * A kind that depends on boolean fields of the request, as the server will read them: the first
 * flag that is set decides; with none set, `otherwise` does.
 */
export interface FlagRule {
  /** `[field, kind]`: the request field (its JS name) and the kind of a request that sets it. */
  readonly flags: readonly (readonly [field: string, kind: CallKind])[];
  readonly otherwise: CallKind;
}

/** A fixed kind, or one that depends on flags of the request. */
export type CallKindRule = CallKind | FlagRule;

/** What a call is, and, for a kind decided by flags, the request exactly as it was judged. */
export interface InspectedCall {
  readonly kind: CallKind;
  /**
   * For a `FlagRule`, the request decoded from its binary encoding: what the server will read.
   * Sending this copy, rather than the caller's object, means that what was judged is what goes
   * out, whatever the caller's object does later (a getter, a change made while the call waits
   * for its signature). `undefined` for a fixed kind.
   */
  readonly message?: Message;
}

// A kubeconfig for a service account mints that account; break-glass taints the cluster.
const kubeconfigKind: FlagRule = {
  flags: [
    ["serviceAccount", "create"],
    ["breakGlass", "update"],
  ],
  otherwise: "read",
};

const talosconfigKind: FlagRule = { flags: [["breakGlass", "update"]], otherwise: "read" };

// Only a dry run leaves the cluster untouched; anything else applies manifests.
const syncManifestsKind: FlagRule = { flags: [["dryRun", "read"]], otherwise: "update" };

/**
 * Every RPC of every service the SDK ships descriptors for, by service type name and proto method
 * name. `test/facade/safety.test.ts` and `test/safety/read-only-airtight.test.ts` fail when a
 * generated method is missing here.
 */
export const callKinds: Readonly<Record<string, Readonly<Record<string, CallKindRule>>>> = {
  "management.ManagementService": {
    Kubeconfig: kubeconfigKind,
    Talosconfig: talosconfigKind,
    Omniconfig: "read",
    MachineLogs: "read",
    ValidateConfig: "read",
    ValidateJSONSchema: "read",
    CreateServiceAccount: "create",
    RenewServiceAccount: "update",
    ListServiceAccounts: "read",
    DestroyServiceAccount: "delete",
    KubernetesUpgradePreChecks: "read",
    KubernetesSyncManifests: syncManifestsKind,
    CreateSchematic: "create",
    CreateSchematicFromRaw: "create",
    GetBootAssetURL: "read",
    GetSupportBundle: "read",
    ReadAuditLog: "read",
    MaintenanceUpgrade: "update",
    MaintenanceLifecycle: "update",
    GetMachineJoinConfig: "read",
    CreateJoinToken: "create",
    ResetNodeUniqueToken: "update",
    CreateUser: "create",
    ListUsers: "read",
    UpdateUser: "update",
    DestroyUser: "delete",
    MachinePowerOff: "update",
    MachinePowerOn: "update",
    TearDownLockedCluster: "delete",
  },
  "auth.AuthService": {
    RegisterPublicKey: "create",
    AwaitPublicKeyConfirmation: "read",
    ConfirmPublicKey: "update",
    RevokePublicKey: "delete",
  },
  // Approving an OIDC authorization request hands out an authorization code, which mints a token.
  "oidc.OIDCService": {
    Authenticate: "create",
  },
  "cosi.resource.State": {
    Get: "read",
    List: "read",
    Watch: "read",
    Create: "create",
    Update: "update",
    Destroy: "delete",
    Teardown: "delete",
    TeardownAndDestroy: "delete",
  },
  "omni.resources.ResourceService": {
    Get: "read",
    List: "read",
    Watch: "read",
    Controllers: "read",
    DependencyGraph: "read",
    Create: "create",
    Update: "update",
    Delete: "delete",
    Teardown: "delete",
  },
  "machine.MachineService": {
    ApplyConfiguration: "update",
    Bootstrap: "create",
    Containers: "read",
    Copy: "read",
    CPUFreqStats: "read",
    CPUInfo: "read",
    DiskStats: "read",
    Dmesg: "read",
    Events: "read",
    EtcdMemberList: "read",
    EtcdRemoveMemberByID: "delete",
    EtcdLeaveCluster: "delete",
    EtcdForfeitLeadership: "update",
    EtcdRecover: "update",
    EtcdSnapshot: "read",
    EtcdAlarmList: "read",
    EtcdAlarmDisarm: "update",
    EtcdDefragment: "update",
    EtcdStatus: "read",
    EtcdDowngradeValidate: "read",
    EtcdDowngradeEnable: "update",
    EtcdDowngradeCancel: "update",
    Hostname: "read",
    Kubeconfig: "read",
    List: "read",
    DiskUsage: "read",
    LoadAvg: "read",
    Logs: "read",
    LogsContainers: "read",
    Memory: "read",
    Mounts: "read",
    NetworkDeviceStats: "read",
    Processes: "read",
    Read: "read",
    Reboot: "update",
    Restart: "update",
    Rollback: "update",
    Reset: "delete",
    ServiceList: "read",
    ServiceRestart: "update",
    ServiceStart: "update",
    ServiceStop: "update",
    Shutdown: "update",
    Stats: "read",
    SystemStat: "read",
    Upgrade: "update",
    Version: "read",
    GenerateClientConfiguration: "create",
    PacketCapture: "read",
    Netstat: "read",
    MetaWrite: "update",
    MetaDelete: "delete",
    ImageList: "read",
    ImagePull: "create",
  },
};

/** The rule for a method, or `undefined` when the table does not know it. */
export function callKindRule(method: DescMethod): CallKindRule | undefined {
  return callKinds[method.parent.typeName]?.[method.name];
}

/** The write a request could be when it cannot be read as the server will read it. */
function worstKind(rule: FlagRule): WriteKind {
  const kinds = [...rule.flags.map(([, kind]) => kind), rule.otherwise];
  return kinds.find((kind): kind is WriteKind => kind !== "read") ?? "update";
}

/**
 * Judges a request by what the server will decode, not by the JS values it was given: the binary
 * encoder sends any truthy value of a bool field as true (`1`, `"yes"`, `{}`), and sends the
 * message's unknown fields, which may carry a flag by its field number. So the request is encoded
 * and decoded, and the decoded copy is judged. A request that cannot be encoded, or that still has
 * fields the schema does not know (a flag of a newer Omni, say), is the write it could be.
 */
function inspectFlags(method: DescMethod, rule: FlagRule, request: unknown): InspectedCall {
  const schema = method.input;
  let decoded: Message & Record<string, unknown>;
  try {
    const message = isMessage(request, schema)
      ? request
      : create(schema, (request ?? undefined) as MessageInitShape<typeof schema> | undefined);
    decoded = fromBinary(schema, toBinary(schema, message)) as Message & Record<string, unknown>;
  } catch {
    return { kind: worstKind(rule) };
  }
  if (decoded.$unknown !== undefined && decoded.$unknown.length > 0) {
    return { kind: worstKind(rule) };
  }
  return { kind: flagKind(rule, decoded), message: decoded };
}

function flagKind(rule: FlagRule, fields: Record<string, unknown>): CallKind {
  const set = rule.flags.find(([field]) => fields[field] === true);
  return set ? set[1] : rule.otherwise;
}

/**
 * Whether a message goes out exactly as its flags say, so that its kind can be read off them
 * without encoding it: every flag is a boolean and it carries no unknown fields. The messages the
 * SDK builds itself all are.
 */
function sentAsItIs(rule: FlagRule, message: Message & Record<string, unknown>): boolean {
  return (
    (message.$unknown === undefined || message.$unknown.length === 0) &&
    rule.flags.every(([field]) => typeof message[field] === "boolean")
  );
}

/**
 * The kind of one call, and for a kind decided by flags the request as judged. A method the table
 * does not know counts as an update, so a service or RPC added later is blocked in read-only mode
 * until someone classifies it. The read-only guard asks this, and sends the judged copy.
 */
export function inspectCall(method: DescMethod, request: unknown): InspectedCall {
  const rule = callKindRule(method);
  if (rule === undefined) {
    return { kind: "update" };
  }
  return typeof rule === "string" ? { kind: rule } : inspectFlags(method, rule, request);
}

/**
 * The kind of one call: a request (a protobuf message, or the plain init object a raw client was
 * given) is judged by what its encoding says, so a flag given as `1` or `"yes"` counts as set.
 * A method the table does not know counts as an update.
 */
export function classifyCall(method: DescMethod, request: unknown): CallKind {
  const rule = callKindRule(method);
  if (typeof rule === "object" && isMessage(request, method.input)) {
    const message = request as Message & Record<string, unknown>;
    // Spares the SDK's own requests (a retry asks of every unary call) the encoding.
    if (sentAsItIs(rule, message)) {
      return flagKind(rule, message);
    }
  }
  return inspectCall(method, request).kind;
}
