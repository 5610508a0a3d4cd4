import { createHash } from "node:crypto";
import { fromBinary } from "@bufbuild/protobuf";
import { ClusterSpecSchema, MachineStatusSpecSchema } from "../gen/omni/specs/omni_pb.js";
import { type CosiStore, SystemLabels } from "./cosi/index.js";

export interface CatalogCluster {
  name: string;
  kubernetesVersion: string;
  talosVersion: string;
  /** A cluster ID as Omni puts in audit entries. */
  uuid: string;
}

export interface CatalogMachine {
  id: string;
  hostname: string;
  /** Undefined for machines not allocated to a cluster (they run in maintenance mode). */
  cluster: string | undefined;
  talosVersion: string;
  /** Only these can be powered on through Omni; others need someone at the machine. */
  managedByStaticInfraProvider: boolean;
}

const namespace = "default";

function clusterUuid(seed: number, name: string): string {
  const hex = createHash("sha256").update(`omni-emulator/${seed}/cluster/${name}`).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * The clusters and machines the ManagementService handlers know, read once from the seeded COSI
 * state so that both APIs agree on names and machine IDs. ManagementService changes
 * (maintenance upgrades) live here.
 */
export class Catalog {
  readonly clusters: ReadonlyMap<string, CatalogCluster>;
  readonly machines: ReadonlyMap<string, CatalogMachine>;

  constructor(store: CosiStore, seed: number) {
    const clusters = new Map<string, CatalogCluster>();
    for (const resource of store.list(namespace, "Clusters.omni.sidero.dev")) {
      const name = resource.metadata?.id ?? "";
      const spec = fromBinary(ClusterSpecSchema, resource.spec?.protoSpec ?? new Uint8Array());
      clusters.set(name, {
        name,
        kubernetesVersion: spec.kubernetesVersion,
        talosVersion: spec.talosVersion.replace(/^v/, ""),
        uuid: clusterUuid(seed, name),
      });
    }
    const machines = new Map<string, CatalogMachine>();
    for (const resource of store.list(namespace, "MachineStatuses.omni.sidero.dev")) {
      const id = resource.metadata?.id ?? "";
      const labels = resource.metadata?.labels ?? {};
      const spec = fromBinary(
        MachineStatusSpecSchema,
        resource.spec?.protoSpec ?? new Uint8Array(),
      );
      const cluster = spec.cluster || labels[SystemLabels.cluster];
      machines.set(id, {
        id,
        hostname: spec.network?.hostname || labels[SystemLabels.hostname] || id,
        cluster: cluster === "" ? undefined : cluster,
        talosVersion: spec.talosVersion.replace(/^v/, ""),
        managedByStaticInfraProvider: Object.hasOwn(labels, SystemLabels.staticInfraProvider),
      });
    }
    this.clusters = clusters;
    this.machines = machines;
  }

  machinesOf(cluster: string): CatalogMachine[] {
    return [...this.machines.values()].filter((machine) => machine.cluster === cluster);
  }
}
