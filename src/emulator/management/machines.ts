import { setTimeout as sleep } from "node:timers/promises";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, type HandlerContext } from "@connectrpc/connect";
import { type Data, DataSchema } from "../../gen/common/common_pb.js";
import {
  type MachineLogsRequest,
  type MachinePowerOffRequest,
  type MachinePowerOffResponse,
  MachinePowerOffResponseSchema,
  type MachinePowerOnRequest,
  type MachinePowerOnResponse,
  MachinePowerOnResponseSchema,
  type MaintenanceLifecycleRequest,
  MaintenanceLifecycleRequest_Operation,
  type MaintenanceLifecycleResponse,
  MaintenanceLifecycleResponseSchema,
  type MaintenanceUpgradeRequest,
  type MaintenanceUpgradeResponse,
  MaintenanceUpgradeResponseSchema,
  type ResetNodeUniqueTokenRequest,
  type ResetNodeUniqueTokenResponse,
  ResetNodeUniqueTokenResponseSchema,
  type TearDownLockedClusterRequest,
  type TearDownLockedClusterResponse,
  TearDownLockedClusterResponseSchema,
} from "../../gen/omni/management/management_pb.js";
import { callerWithRole } from "../caller.js";
import type { CatalogMachine } from "../catalog.js";
import { setMachinePower } from "../cosi/index.js";
import { callSignal, type EmulatorState, invalidArgument, requireCluster } from "../state.js";

/** How many lines of history each machine has before follow mode adds new ones. */
const historyLines = 120;
const services = ["machined", "apid", "trustd", "kubelet", "etcd", "containerd"];
const encoder = new TextEncoder();

function logLine(machine: CatalogMachine, index: number, time: Date): Data {
  const service = services[index % services.length] ?? "machined";
  const line = JSON.stringify({
    msg: `${service}: event ${index} on ${machine.hostname}`,
    "talos-level": index % 17 === 0 ? "warn" : "info",
    "talos-service": service,
    "talos-time": time.toISOString(),
  });
  // Like Omni, one message per line and no line break: readers add their own.
  return create(DataSchema, { bytes: encoder.encode(line) });
}

/**
 * Streams a machine's log: the last `tail_lines` lines of its history (all of it when negative),
 * then, with `follow`, a new line at a steady pace until the caller cancels.
 */
export async function* machineLogs(
  state: EmulatorState,
  request: MachineLogsRequest,
  context: HandlerContext,
): AsyncGenerator<Data> {
  callerWithRole(context, "Reader");
  const machine = requireLogStore(state, request.machineId);
  const start = request.tailLines < 0 ? 0 : Math.max(0, historyLines - request.tailLines);
  const now = state.now().getTime();
  for (let index = start; index < historyLines; index++) {
    yield logLine(machine, index, new Date(now - (historyLines - index) * 1000));
  }
  if (!request.follow) {
    return;
  }
  const signal = callSignal(state, context);
  for (let index = historyLines; !signal.aborted; index++) {
    try {
      await sleep(state.timings.followLogIntervalMs, undefined, { signal });
    } catch {
      return;
    }
    yield logLine(machine, index, state.now());
  }
}

/** Omni's answer for a machine it has no status of, in every call but the log stream's. */
function requireMachine(state: EmulatorState, id: string): CatalogMachine {
  if (id === "") {
    throw invalidArgument("machine id is required");
  }
  const machine = state.catalog.machines.get(id);
  if (!machine) {
    throw new ConnectError("machine not found", Code.NotFound);
  }
  return machine;
}

/** Logs come from a machine's log store, which Omni looks up by the ID alone. */
function requireLogStore(state: EmulatorState, id: string): CatalogMachine {
  if (id === "") {
    throw invalidArgument("machine id is required");
  }
  const machine = state.catalog.machines.get(id);
  if (!machine) {
    throw new ConnectError(
      `failed to get log store for machine "${id}": log store not found: ${id}`,
      Code.NotFound,
    );
  }
  return machine;
}

function requireMaintenance(machine: CatalogMachine): void {
  if (machine.cluster !== undefined) {
    throw new ConnectError("machine is not in maintenance mode", Code.FailedPrecondition);
  }
}

function requireVersion(version: string): string {
  const normalized = version.replace(/^v/, "");
  if (!/^\d+\.\d+\.\d+$/.test(normalized)) {
    throw invalidArgument(`invalid talos version "${version}"`);
  }
  return normalized;
}

export async function maintenanceUpgrade(
  state: EmulatorState,
  request: MaintenanceUpgradeRequest,
  context: HandlerContext,
): Promise<MaintenanceUpgradeResponse> {
  callerWithRole(context, "Operator");
  // Like Omni, both fields are checked before the machine is looked up.
  if (request.machineId === "") {
    throw invalidArgument("machine id is required");
  }
  if (request.version === "") {
    throw invalidArgument("talos version is required");
  }
  const machine = requireMachine(state, request.machineId);
  const version = requireVersion(request.version);
  requireMaintenance(machine);
  machine.talosVersion = version;
  return create(MaintenanceUpgradeResponseSchema, {});
}

export async function* maintenanceLifecycle(
  state: EmulatorState,
  request: MaintenanceLifecycleRequest,
  context: HandlerContext,
): AsyncGenerator<MaintenanceLifecycleResponse> {
  callerWithRole(context, "Operator");
  // Like Omni, the request is checked in full before the machine is looked up.
  if (request.machineId === "") {
    throw invalidArgument("machine id is required");
  }
  const install = request.operation === MaintenanceLifecycleRequest_Operation.INSTALL;
  if (!install && request.operation !== MaintenanceLifecycleRequest_Operation.UPGRADE) {
    throw invalidArgument("operation must be OPERATION_INSTALL or OPERATION_UPGRADE");
  }
  if (install && request.disk === "") {
    throw invalidArgument("disk is required for INSTALL");
  }
  if (!install && request.disk !== "") {
    throw invalidArgument("disk must not be set for UPGRADE");
  }
  if (!install && request.version === "") {
    throw invalidArgument("version is required for UPGRADE");
  }
  const requestedVersion = request.version === "" ? undefined : requireVersion(request.version);
  const machine = requireMachine(state, request.machineId);
  requireMaintenance(machine);
  // An install without a version writes the Talos the machine runs in memory.
  const version = requestedVersion ?? machine.talosVersion;
  const steps = install
    ? [
        `installing Talos v${version} to ${request.disk}`,
        "writing the bootloader",
        "install finished, rebooting",
      ]
    : [
        `upgrading Talos from v${machine.talosVersion} to v${version}`,
        "staging the new image",
        "upgrade finished, rebooting",
      ];
  for (const message of steps) {
    yield create(MaintenanceLifecycleResponseSchema, { message });
  }
  machine.talosVersion = version;
}

export async function machinePowerOff(
  state: EmulatorState,
  request: MachinePowerOffRequest,
  context: HandlerContext,
): Promise<MachinePowerOffResponse> {
  callerWithRole(context, "Operator");
  setMachinePower(state.store, requireMachine(state, request.machineId).id, false);
  return create(MachinePowerOffResponseSchema, {});
}

export async function machinePowerOn(
  state: EmulatorState,
  request: MachinePowerOnRequest,
  context: HandlerContext,
): Promise<MachinePowerOnResponse> {
  callerWithRole(context, "Operator");
  const machine = requireMachine(state, request.machineId);
  if (!machine.managedByStaticInfraProvider) {
    throw new ConnectError(
      "machine is not managed by a static infra provider, power on the machine manually",
      Code.FailedPrecondition,
    );
  }
  setMachinePower(state.store, machine.id, true);
  return create(MachinePowerOnResponseSchema, {});
}

export async function resetNodeUniqueToken(
  state: EmulatorState,
  request: ResetNodeUniqueTokenRequest,
  context: HandlerContext,
): Promise<ResetNodeUniqueTokenResponse> {
  callerWithRole(context, "Admin");
  // Omni looks the ID up as given, so an empty one is not found either.
  if (!state.catalog.machines.has(request.id)) {
    throw new ConnectError("machine not found", Code.NotFound);
  }
  return create(ResetNodeUniqueTokenResponseSchema, {});
}

export async function tearDownLockedCluster(
  state: EmulatorState,
  request: TearDownLockedClusterRequest,
  context: HandlerContext,
): Promise<TearDownLockedClusterResponse> {
  callerWithRole(context, "Operator");
  requireCluster(state, request.clusterId === "" ? undefined : request.clusterId);
  return create(TearDownLockedClusterResponseSchema, {});
}
