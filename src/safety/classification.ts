import type { DescMethod } from "@bufbuild/protobuf";
import type { WriteKind } from "../errors.js";

/** What a call does to the state it reaches: reads it, or creates, updates or deletes something. */
export type CallKind = "read" | WriteKind;

/**
 * A fixed kind, or one that depends on the request. A conditional rule sees the request message
 * (a protobuf message, or the plain init object a raw client was given) and must treat anything
 * it does not recognise as the write it could be.
 */
export type CallKindRule = CallKind | ((request: unknown) => CallKind);

function flag(request: unknown, field: string): boolean {
  if (typeof request !== "object" || request === null) {
    return false;
  }
  return (request as Record<string, unknown>)[field] === true;
}

// A kubeconfig for a service account mints that account; break-glass taints the cluster.
const kubeconfigKind = (request: unknown): CallKind => {
  if (flag(request, "serviceAccount")) {
    return "create";
  }
  return flag(request, "breakGlass") ? "update" : "read";
};

const talosconfigKind = (request: unknown): CallKind =>
  flag(request, "breakGlass") ? "update" : "read";

// Only a dry run leaves the cluster untouched; anything else applies manifests.
const syncManifestsKind = (request: unknown): CallKind =>
  flag(request, "dryRun") ? "read" : "update";

/**
 * Every RPC of every service the SDK ships descriptors for, by service type name and proto method
 * name. `test/facade/classification.test.ts` fails when a generated method is missing here.
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

/**
 * The kind of one call. A method the table does not know counts as an update, so a service or
 * RPC added later is blocked in read-only mode until someone classifies it.
 */
export function classifyCall(method: DescMethod, request: unknown): CallKind {
  const rule = callKindRule(method);
  if (rule === undefined) {
    return "update";
  }
  return typeof rule === "function" ? rule(request) : rule;
}
