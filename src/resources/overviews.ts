import type {
  ClusterMachineStatusSpec,
  ClusterSpec,
  ClusterStatusSpec,
  MachineSpec,
  MachineStatusSpec,
} from "../gen/omni/specs/omni_pb.js";
import { optionKeys } from "../option-keys.js";
import type { ListOptions, ResourcesApi } from "./api.js";
import { checkResourceOptions, resourceCallOptionKeys } from "./option-keys.js";
import {
  ClusterMachineStatuses,
  ClusterStatuses,
  Clusters,
  MachineLabels,
  MachineStatuses,
  Machines,
} from "./registry.js";
import type { Resource, ResourceCallOptions } from "./types.js";
import { validateResourcesApi } from "./validate.js";

/** The label Omni puts on every resource that belongs to a cluster. */
export const clusterLabel = "omni.sidero.dev/cluster";

export interface ClusterOverview {
  readonly cluster: Resource<ClusterSpec>;
  /** Absent until Omni's controller has written it. */
  readonly status: Resource<ClusterStatusSpec> | undefined;
  readonly machines: readonly Resource<ClusterMachineStatusSpec>[];
}

export interface MachineOverview {
  readonly machine: Resource<MachineSpec>;
  readonly status: Resource<MachineStatusSpec> | undefined;
  /** The labels users set on the machine (its MachineLabels resource). */
  readonly labels: Readonly<Record<string, string>>;
}

type MachineOverviewOptions = Pick<ListOptions, "labels" | "signal" | "timeoutMs" | "headers">;

export const machineOverviewOptionKeys = /*@__PURE__*/ optionKeys<MachineOverviewOptions>()({
  labels: true,
  signal: true,
  timeoutMs: true,
  headers: true,
});

const byId = <S>(items: readonly Resource<S>[]) =>
  new Map(items.map((item) => [item.metadata.id, item]));

/** Every cluster with its status and the status of each of its machines, in three list calls. */
export async function listClusterOverviews(
  resources: ResourcesApi,
  options: ResourceCallOptions = {},
): Promise<ClusterOverview[]> {
  validateResourcesApi(resources);
  checkResourceOptions(options, resourceCallOptionKeys);
  const [clusters, statuses, machines] = await Promise.all([
    resources.listAll(Clusters, options),
    resources.listAll(ClusterStatuses, options),
    resources.listAll(ClusterMachineStatuses, {
      ...options,
      labels: [{ key: clusterLabel, op: "exists" }],
    }),
  ]);
  const statusById = byId(statuses);
  const machinesByCluster = new Map<string, Resource<ClusterMachineStatusSpec>[]>();
  for (const machine of machines) {
    const cluster = machine.metadata.labels[clusterLabel] ?? "";
    const list = machinesByCluster.get(cluster) ?? [];
    list.push(machine);
    machinesByCluster.set(cluster, list);
  }
  return clusters.map((cluster) => ({
    cluster,
    status: statusById.get(cluster.metadata.id),
    machines: machinesByCluster.get(cluster.metadata.id) ?? [],
  }));
}

/** Every machine (or those matching `labels` on their status) with its status and user labels. */
export async function listMachineOverviews(
  resources: ResourcesApi,
  options: MachineOverviewOptions = {},
): Promise<MachineOverview[]> {
  validateResourcesApi(resources);
  checkResourceOptions(options, machineOverviewOptionKeys);
  const call = { signal: options.signal, timeoutMs: options.timeoutMs, headers: options.headers };
  const [machines, statuses, labels] = await Promise.all([
    resources.listAll(Machines, call),
    resources.listAll(MachineStatuses, { ...call, labels: options.labels }),
    resources.listAll(MachineLabels, call),
  ]);
  const statusById = byId(statuses);
  const labelsById = byId(labels);
  return machines
    .filter((machine) => options.labels === undefined || statusById.has(machine.metadata.id))
    .map((machine) => ({
      machine,
      status: statusById.get(machine.metadata.id),
      labels: labelsById.get(machine.metadata.id)?.metadata.labels ?? {},
    }));
}
