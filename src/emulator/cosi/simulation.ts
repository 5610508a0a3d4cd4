import { fromBinary } from "@bufbuild/protobuf";
import {
  ClusterMachineStatusSpec_Stage,
  MachineSetPhase,
  TalosUpgradeStatusSpec_Phase,
} from "../../gen/omni/specs/omni_pb.js";
import {
  ClusterMachineStatuses,
  ClusterStatuses,
  MachineSetStatuses,
  MachineStatuses,
  TalosUpgradeStatuses,
} from "./resource-types.js";
import { SystemLabels, upgradeInProgress } from "./seed.js";
import { changeSpec } from "./spec-change.js";
import type { CosiStore } from "./store.js";

/**
 * One step of the seeded Talos upgrade: put the next machine into UPGRADING, or finish the one
 * that is upgrading. Returns false once the upgrade is done.
 */
export function advanceUpgrade(store: CosiStore): boolean {
  const { cluster, to } = upgradeInProgress;
  const members = store
    .list(ClusterMachineStatuses.namespace, ClusterMachineStatuses.type)
    .filter((resource) => resource.metadata?.labels[SystemLabels.cluster] === cluster)
    .map((resource) => resource.metadata?.id ?? "")
    .sort();
  const versionOf = (id: string) => {
    const stored = store.get(MachineStatuses.namespace, MachineStatuses.type, id);
    return stored?.spec
      ? fromBinary(MachineStatuses.schema, stored.spec.protoSpec).talosVersion
      : to;
  };
  const stageOf = (id: string) => {
    const stored = store.get(ClusterMachineStatuses.namespace, ClusterMachineStatuses.type, id);
    return stored?.spec
      ? fromBinary(ClusterMachineStatuses.schema, stored.spec.protoSpec).stage
      : undefined;
  };

  const upgrading = members.find((id) => stageOf(id) === ClusterMachineStatusSpec_Stage.UPGRADING);
  if (upgrading) {
    changeSpec(store, MachineStatuses, upgrading, (spec) => {
      spec.talosVersion = to;
    });
    changeSpec(store, ClusterMachineStatuses, upgrading, (spec) => {
      spec.stage = ClusterMachineStatusSpec_Stage.RUNNING;
      spec.ready = true;
    });
  } else {
    const next = members.find((id) => versionOf(id) !== to);
    if (next) {
      changeSpec(store, ClusterMachineStatuses, next, (spec) => {
        spec.stage = ClusterMachineStatusSpec_Stage.UPGRADING;
        spec.ready = false;
      });
    }
  }

  const done = members.filter((id) => versionOf(id) === to).length;
  const finished = done === members.length;
  changeSpec(store, TalosUpgradeStatuses, cluster, (spec) => {
    spec.status = `${done} of ${members.length} machines upgraded`;
    if (finished) {
      spec.phase = TalosUpgradeStatusSpec_Phase.Done;
      spec.step = "";
      spec.status = "";
      spec.lastUpgradeVersion = to;
      spec.currentUpgradeVersion = "";
    }
  });
  if (finished) {
    changeSpec(store, ClusterStatuses, cluster, (spec) => {
      spec.talosVersion = to;
    });
    for (const set of [`${cluster}-control-planes`, `${cluster}-workers`]) {
      changeSpec(store, MachineSetStatuses, set, (spec) => {
        spec.phase = MachineSetPhase.Running;
        spec.ready = true;
      });
    }
  }
  return !finished;
}

/**
 * Moves the seeded upgrade forward every `intervalMs` until it is done. The timer never keeps
 * the process alive; call the returned function to stop earlier.
 */
export function startSimulation(store: CosiStore, options: { intervalMs: number }): () => void {
  if (!Number.isFinite(options.intervalMs) || options.intervalMs <= 0) {
    throw new RangeError("intervalMs must be a positive number of milliseconds");
  }
  const timer = setInterval(() => {
    const upgrade = store.get(
      TalosUpgradeStatuses.namespace,
      TalosUpgradeStatuses.type,
      upgradeInProgress.cluster,
    );
    if (!upgrade || !advanceUpgrade(store)) {
      clearInterval(timer);
    }
  }, options.intervalMs);
  (timer as { unref?: () => void }).unref?.();
  return () => clearInterval(timer);
}
