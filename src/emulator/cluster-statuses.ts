import { create } from "@bufbuild/protobuf";
import {
  ClusterSpecSchema,
  ClusterStatusSpec_Phase,
  ClusterStatusSpecSchema,
  MachineSetPhase,
  MachineSetStatusSpecSchema,
} from "../gen/omni/specs/omni_pb.js";
import type { CosiStore } from "./cosi/store.js";
import { decodeSpec, putOwned, typedResource } from "./cosi/typed-resource.js";

const namespace = "default";
const types = {
  cluster: "Clusters.omni.sidero.dev",
  clusterStatus: "ClusterStatuses.omni.sidero.dev",
  machineSet: "MachineSets.omni.sidero.dev",
  machineSetStatus: "MachineSetStatuses.omni.sidero.dev",
  machineSetNode: "MachineSetNodes.omni.sidero.dev",
} as const;
const clusterLabel = "omni.sidero.dev/cluster";
const machineSetLabel = "omni.sidero.dev/machine-set";
// Labels Omni copies from a machine set to its status (the role labels).
const roleLabels = ["omni.sidero.dev/role-controlplane", "omni.sidero.dev/role-worker"];

/**
 * Omni's cluster and machine-set status controllers, for clusters created through COSI (such as
 * by `omnictl cluster template sync`): Omni gives every cluster a `ClusterStatuses` resource at
 * once, and every machine set a `MachineSetStatuses`, which `omnictl cluster status` waits for.
 * No Talos machine runs behind the emulator, so the machines they ask for never become healthy:
 * a machine set with nodes stays ScalingUp, and so does its cluster. The seeded clusters keep
 * the statuses the seed and the simulation give them.
 */
export function startClusterStatusController(store: CosiStore): () => void {
  // Only what this controller created; the seeded statuses are someone else's.
  const managed = {
    clusterStatus: new Set<string>(),
    machineSetStatus: new Set<string>(),
  };
  const owner = {
    clusterStatus: "ClusterStatusController",
    machineSetStatus: "MachineSetStatusController",
  };
  const untouched = (kind: keyof typeof managed, id: string): boolean =>
    !managed[kind].has(id) && store.get(namespace, types[kind], id) !== undefined;

  const reconcileMachineSets = (): Map<string, MachineSetPhase[]> => {
    const phases = new Map<string, MachineSetPhase[]>();
    const nodes = store.list(namespace, types.machineSetNode);
    const sets = store.list(namespace, types.machineSet);
    for (const set of sets) {
      const id = set.metadata?.id ?? "";
      const labels = set.metadata?.labels ?? {};
      const cluster = labels[clusterLabel] ?? "";
      if (untouched("machineSetStatus", id)) {
        continue;
      }
      const count = nodes.filter((node) => node.metadata?.labels[machineSetLabel] === id).length;
      const phase = count > 0 ? MachineSetPhase.ScalingUp : MachineSetPhase.Running;
      phases.set(cluster, [...(phases.get(cluster) ?? []), phase]);
      const statusLabels: Record<string, string> = { [clusterLabel]: cluster };
      for (const label of roleLabels) {
        if (label in labels) {
          statusLabels[label] = labels[label] ?? "";
        }
      }
      managed.machineSetStatus.add(id);
      putOwned(
        store,
        typedResource(
          { namespace, type: types.machineSetStatus, id, labels: statusLabels },
          MachineSetStatusSpecSchema,
          create(MachineSetStatusSpecSchema, {
            phase,
            ready: count === 0,
            machines: { total: count, requested: count, healthy: 0, connected: 0 },
          }),
        ),
        owner.machineSetStatus,
      );
    }
    removeOrphans("machineSetStatus", new Set(sets.map((set) => set.metadata?.id ?? "")));
    return phases;
  };

  const removeOrphans = (kind: keyof typeof managed, live: Set<string>): void => {
    for (const id of managed[kind]) {
      if (!live.has(id)) {
        managed[kind].delete(id);
        if (store.get(namespace, types[kind], id)) {
          store.destroy(namespace, types[kind], id, { owner: owner[kind] });
        }
      }
    }
  };

  const reconcile = (): void => {
    scheduled = false;
    const phases = reconcileMachineSets();
    const clusters = store.list(namespace, types.cluster);
    for (const cluster of clusters) {
      const id = cluster.metadata?.id ?? "";
      if (untouched("clusterStatus", id)) {
        continue;
      }
      const spec = decodeSpec(ClusterSpecSchema, cluster);
      const setPhases = phases.get(id) ?? [];
      // Omni's rule, as far as the emulator's machine sets go.
      const phase =
        cluster.metadata?.phase === "tearingDown"
          ? ClusterStatusSpec_Phase.DESTROYING
          : setPhases.includes(MachineSetPhase.ScalingUp)
            ? ClusterStatusSpec_Phase.SCALING_UP
            : setPhases.length > 0
              ? ClusterStatusSpec_Phase.RUNNING
              : ClusterStatusSpec_Phase.UNKNOWN;
      const requested = store
        .list(namespace, types.machineSetNode)
        .filter((node) => node.metadata?.labels[clusterLabel] === id).length;
      managed.clusterStatus.add(id);
      putOwned(
        store,
        typedResource(
          { namespace, type: types.clusterStatus, id, labels: { [clusterLabel]: id } },
          ClusterStatusSpecSchema,
          create(ClusterStatusSpecSchema, {
            phase,
            ready: phase === ClusterStatusSpec_Phase.RUNNING && requested === 0,
            machines: { total: requested, requested, healthy: 0, connected: 0 },
            talosVersion: spec.talosVersion,
            kubernetesVersion: spec.kubernetesVersion,
          }),
        ),
        owner.clusterStatus,
      );
    }
    removeOrphans("clusterStatus", new Set(clusters.map((cluster) => cluster.metadata?.id ?? "")));
  };

  let scheduled = false;
  // Store events arrive mid-write: reconcile right after the write, before its response leaves.
  const schedule = (): void => {
    if (!scheduled) {
      scheduled = true;
      queueMicrotask(reconcile);
    }
  };
  const unsubscribe = [types.cluster, types.machineSet, types.machineSetNode].map((type) =>
    store.subscribe(namespace, type, schedule),
  );
  return () => {
    for (const each of unsubscribe) {
      each();
    }
  };
}
