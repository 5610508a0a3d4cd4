import { describe, expect, it } from "vitest";
import {
  standInKubernetesVersions,
  standInTalosVersions,
} from "../../scripts/real-omni/real-omni.js";
import {
  ClusterStatuses,
  Clusters,
  InvalidArgumentError,
  KubernetesVersions,
  MachineSetStatuses,
  MachineSets,
  TalosVersions,
} from "../../src/index.js";
import { failure, realClient, transportNames, uniqueName } from "./harness.js";
import { untilDestroyed, untilState, validationMessage } from "./resources-fixtures.js";

const clusterLabel = "omni.sidero.dev/cluster";
const controlPlaneLabel = "omni.sidero.dev/role-controlplane";
const talosVersion = "1.13.5";
const kubernetesVersion = "1.36.2";

describe("versions Omni read from the versions stand-in", () => {
  it("lists exactly the Talos and Kubernetes versions offered, each with its compatible ones", async () => {
    const omni = realClient("native gRPC");
    const talos = await omni.resources.listAll(TalosVersions);
    expect(talos.map((version) => version.metadata.id).sort()).toEqual([...standInTalosVersions]);
    const latest = talos.find((version) => version.metadata.id === talosVersion);
    expect(latest?.spec.compatibleKubernetesVersions).toEqual([...standInKubernetesVersions]);
    const kubernetes = await omni.resources.listAll(KubernetesVersions);
    expect(kubernetes.map((version) => version.metadata.id).sort()).toEqual([
      ...standInKubernetesVersions,
    ]);
  });
});

describe.each(transportNames)("a cluster without machines over %s", (transport) => {
  it("is created, gets a status and a control-plane machine set, and is torn down", async () => {
    const omni = realClient(transport);
    const id = uniqueName("cluster");
    const created = await omni.resources.create(Clusters, {
      metadata: { id },
      spec: { talosVersion, kubernetesVersion },
    });
    expect(created.metadata.version).toBe("1");
    expect(created.spec.talosVersion).toBe(talosVersion);

    // Omni's controllers write the status on their own; no machine means never ready.
    const status = await untilState(
      omni,
      ClusterStatuses,
      id,
      (resource) => resource.spec.kubernetesVersion !== "",
    );
    expect(status.spec.talosVersion).toBe(talosVersion);
    expect(status.spec.kubernetesVersion).toBe(kubernetesVersion);
    expect(status.spec.ready).toBe(false);
    expect(status.spec.available).toBe(false);

    const machineSetId = `${id}-control-planes`;
    await omni.resources.create(MachineSets, {
      metadata: {
        id: machineSetId,
        labels: { [clusterLabel]: id, [controlPlaneLabel]: "" },
      },
      spec: {},
    });
    const machineSetStatus = await untilState(
      omni,
      MachineSetStatuses,
      machineSetId,
      (resource) => resource.spec.error !== "",
    );
    expect(machineSetStatus.spec.error).toBe(
      "control plane machine set must have at least one node",
    );

    await omni.resources.teardownAndDestroy(MachineSets, machineSetId);
    await omni.resources.teardown(Clusters, id);
    // A cluster's finalizers belong to Omni's controllers; Omni destroys it once they let go.
    await untilDestroyed(omni, Clusters, id);
    await untilDestroyed(omni, ClusterStatuses, id);
  });

  it("refuses a Kubernetes version the Talos version does not support", async () => {
    const omni = realClient(transport);
    const error = await failure(
      omni.resources.create(Clusters, {
        metadata: { id: uniqueName("cluster") },
        spec: { talosVersion: "1.12.8", kubernetesVersion: "1.36.2" },
      }),
    );
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error.rawMessage).toBe(
      validationMessage(
        'invalid kubernetes version "1.36.2": is not compatible with talos version "1.12.8"',
      ),
    );
  });

  it("refuses a machine set of a cluster that does not exist", async () => {
    const omni = realClient(transport);
    const cluster = uniqueName("missing");
    const error = await failure(
      omni.resources.create(MachineSets, {
        metadata: {
          id: `${cluster}-workers`,
          labels: { [clusterLabel]: cluster, "omni.sidero.dev/role-worker": "" },
        },
        spec: {},
      }),
    );
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error.rawMessage).toContain(`the cluster "${cluster}" does not exist`);
  });
});
