import { create, type Message, type MessageInitShape, toBinary } from "@bufbuild/protobuf";
import type { GenMessage } from "@bufbuild/protobuf/codegenv2";
import {
  ClusterMachineStatusSpec_Stage,
  ClusterStatusSpec_Phase,
  ConfigApplyStatus,
  KubernetesUpgradeStatusSpec_Phase,
  MachineSetPhase,
  MachineSetSpec_UpdateStrategy,
  MachineStatusSpec_PowerState,
  MachineStatusSpec_Role,
  TalosUpgradeStatusSpec_Phase,
} from "../../gen/omni/specs/omni_pb.js";
import { MetadataSchema, ResourceSchema, SpecSchema } from "../../gen/v1alpha1/resource_pb.js";
import {
  ClusterMachineStatuses,
  ClusterMachines,
  ClusterStatuses,
  Clusters,
  ConfigPatches,
  KubernetesUpgradeStatuses,
  MachineClasses,
  MachineLabels,
  MachineSetNodes,
  MachineSetStatuses,
  MachineSets,
  MachineStatuses,
  Machines,
  type SpecType,
  TalosUpgradeStatuses,
} from "./resource-types.js";
import type { CosiStore } from "./store.js";
import { specYaml } from "./yaml-spec.js";

/** Omni's system labels (`client/pkg/omni/resources/omni/labels.go`). */
export const SystemLabels = {
  cluster: "omni.sidero.dev/cluster",
  machineSet: "omni.sidero.dev/machine-set",
  controlPlane: "omni.sidero.dev/role-controlplane",
  worker: "omni.sidero.dev/role-worker",
  hostname: "omni.sidero.dev/hostname",
  cores: "omni.sidero.dev/cores",
  memory: "omni.sidero.dev/mem",
  arch: "omni.sidero.dev/arch",
  platform: "omni.sidero.dev/platform",
  region: "omni.sidero.dev/region",
  staticInfraProvider: "omni.sidero.dev/is-managed-by-static-infra-provider",
} as const;

export interface PutOptions {
  readonly owner?: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
  readonly finalizers?: string[];
  /** Skip `yaml_spec` (bulk data for benchmarks). */
  readonly withoutYaml?: boolean;
}

/** Stores a typed resource with `proto_spec` and `yaml_spec` filled, as Omni's controllers do. */
export function putResource<S extends Message>(
  store: CosiStore,
  type: SpecType<S>,
  id: string,
  init: MessageInitShape<GenMessage<S>>,
  options: PutOptions = {},
): void {
  const spec = create(type.schema, init);
  store.create(
    create(ResourceSchema, {
      metadata: create(MetadataSchema, {
        namespace: type.namespace,
        type: type.type,
        id,
        labels: options.labels ?? {},
        annotations: options.annotations ?? {},
        finalizers: options.finalizers ?? [],
      }),
      spec: create(SpecSchema, {
        protoSpec: toBinary(type.schema, spec),
        yamlSpec: options.withoutYaml ? "" : specYaml(type.schema, spec),
      }),
    }),
    { owner: options.owner },
  );
}

/** A small deterministic generator, so a seed always yields the same fleet. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A UUID-shaped machine ID drawn from `random`. */
export function machineUuid(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
}

export interface MachineFacts {
  readonly id: string;
  readonly hostname: string;
  readonly cluster: string | undefined;
  readonly role: MachineStatusSpec_Role;
  readonly talosVersion: string;
  readonly connected: boolean;
  /** Provisioned by a static (bare-metal) infrastructure provider, which Omni can power on. */
  readonly staticInfraProvider?: boolean;
}

const controllerOwner = (name: string) => `${name}Controller`;

/** Machines, MachineStatuses and MachineLabels for one machine, with hardware drawn from `random`. */
export function putMachine(
  store: CosiStore,
  random: () => number,
  machine: MachineFacts,
  index: number,
  options: { withoutYaml?: boolean } = {},
): void {
  const cores = [2, 4, 8, 16][Math.floor(random() * 4)] ?? 4;
  const memoryGiB = cores * 4;
  const diskGiB = [64, 128, 256, 512][Math.floor(random() * 4)] ?? 128;
  const address = `10.5.${Math.floor(index / 250)}.${(index % 250) + 2}`;
  const region = ["eu-central", "us-east", "ap-south"][index % 3] ?? "eu-central";
  const labels: Record<string, string> = {
    [SystemLabels.hostname]: machine.hostname,
    [SystemLabels.cores]: String(cores),
    [SystemLabels.memory]: `${memoryGiB}GiB`,
    [SystemLabels.arch]: "amd64",
    [SystemLabels.platform]: "metal",
    [SystemLabels.region]: region,
  };
  if (machine.staticInfraProvider) {
    labels[SystemLabels.staticInfraProvider] = "";
  }
  if (machine.cluster) {
    labels[SystemLabels.cluster] = machine.cluster;
    labels[
      machine.role === MachineStatusSpec_Role.CONTROL_PLANE
        ? SystemLabels.controlPlane
        : SystemLabels.worker
    ] = "";
  }
  const rack = `rack-${(index % 4) + 1}`;
  putResource(
    store,
    Machines,
    machine.id,
    create(Machines.schema, {
      managementAddress: `fdae:41e4:649b:9303::${(index + 1).toString(16)}`,
      connected: machine.connected,
    }),
    { owner: controllerOwner("Machine"), withoutYaml: options.withoutYaml },
  );
  putResource(
    store,
    MachineStatuses,
    machine.id,
    create(MachineStatuses.schema, {
      talosVersion: machine.talosVersion,
      initialTalosVersion: "v1.9.5",
      connected: machine.connected,
      cluster: machine.cluster ?? "",
      role: machine.role,
      managementAddress: `fdae:41e4:649b:9303::${(index + 1).toString(16)}`,
      powerState: machine.connected
        ? MachineStatusSpec_PowerState.ON
        : MachineStatusSpec_PowerState.OFF,
      hardware: {
        arch: "amd64",
        processors: [
          {
            coreCount: cores,
            threadCount: cores * 2,
            frequency: 3200,
            manufacturer: "AMD",
            description: "AMD EPYC 7313P",
          },
        ],
        memoryModules: [{ sizeMb: memoryGiB * 1024, description: "DDR4" }],
        blockdevices: [
          {
            linuxName: "/dev/nvme0n1",
            size: BigInt(diskGiB) * 1024n ** 3n,
            model: "Samsung SSD 980",
            type: "NVME",
            systemDisk: true,
            prettySize: `${diskGiB} GB`,
          },
        ],
      },
      network: {
        hostname: machine.hostname,
        addresses: [`${address}/24`],
        defaultGateways: ["10.5.0.1"],
        networkLinks: [
          {
            linuxName: "eth0",
            hardwareAddress: `52:54:00:00:${(index >> 8).toString(16).padStart(2, "0")}:${(index & 255).toString(16).padStart(2, "0")}`,
            speedMbps: 10_000,
            linkUp: machine.connected,
          },
        ],
      },
      platformMetadata: { platform: "metal", hostname: machine.hostname, region },
      schematic: { fullId: "376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba" },
    }),
    {
      owner: controllerOwner("MachineStatus"),
      labels: { ...labels, rack },
      withoutYaml: options.withoutYaml,
    },
  );
  putResource(store, MachineLabels, machine.id, create(MachineLabels.schema), {
    labels: { rack },
    withoutYaml: options.withoutYaml,
  });
}

interface ClusterPlan {
  readonly name: string;
  readonly talosVersion: string;
  readonly kubernetesVersion: string;
  readonly controlPlanes: number;
  readonly workers: number;
  /** Machines the workers set asks for but that have not joined yet. */
  readonly pendingWorkers: number;
  readonly phase: ClusterStatusSpec_Phase;
  readonly ready: boolean;
}

const clusterPlans: readonly ClusterPlan[] = [
  {
    name: "production",
    talosVersion: "v1.10.5",
    kubernetesVersion: "1.33.2",
    controlPlanes: 3,
    workers: 2,
    pendingWorkers: 0,
    phase: ClusterStatusSpec_Phase.RUNNING,
    ready: true,
  },
  {
    name: "staging",
    talosVersion: "v1.10.4",
    kubernetesVersion: "1.33.2",
    controlPlanes: 1,
    workers: 2,
    pendingWorkers: 0,
    phase: ClusterStatusSpec_Phase.RUNNING,
    ready: true,
  },
  {
    name: "dev",
    talosVersion: "v1.10.5",
    kubernetesVersion: "1.32.6",
    controlPlanes: 1,
    workers: 1,
    pendingWorkers: 1,
    phase: ClusterStatusSpec_Phase.SCALING_UP,
    ready: false,
  },
];

/** The cluster whose Talos upgrade is in progress, and where it is going. */
export const upgradeInProgress = { cluster: "staging", from: "v1.10.4", to: "v1.10.5" } as const;

export interface SeedOptions {
  readonly seed: number;
  readonly now?: Date;
}

/**
 * A fleet a dashboard can show: three clusters in different states (running, upgrading, scaling
 * up), twelve machines with hardware and status (two unallocated, one disconnected), machine
 * sets and their nodes, a machine class, config patches, and a Talos upgrade in progress.
 */
export function seedDemoData(store: CosiStore, options: SeedOptions): void {
  if (options.now) {
    const { now, ...rest } = options;
    store.writeAt(now, () => seedDemoData(store, rest));
    return;
  }
  const random = seededRandom(options.seed);
  const machines: MachineFacts[] = [];
  let index = 0;
  for (const plan of clusterPlans) {
    const members: MachineFacts[] = [];
    for (let i = 0; i < plan.controlPlanes + plan.workers; i++) {
      const role =
        i < plan.controlPlanes
          ? MachineStatusSpec_Role.CONTROL_PLANE
          : MachineStatusSpec_Role.WORKER;
      members.push({
        id: machineUuid(random),
        hostname: `${plan.name}-${role === MachineStatusSpec_Role.CONTROL_PLANE ? "cp" : "worker"}-${i + 1}`,
        cluster: plan.name,
        role,
        talosVersion: plan.talosVersion,
        connected: true,
      });
    }
    seedCluster(store, plan, members);
    machines.push(...members);
  }
  for (let i = 0; i < 2; i++) {
    machines.push({
      id: machineUuid(random),
      hostname: `spare-${i + 1}`,
      cluster: undefined,
      role: MachineStatusSpec_Role.NONE,
      talosVersion: "v1.10.5",
      connected: i === 0,
      staticInfraProvider: true,
    });
  }
  for (const machine of machines) {
    putMachine(store, random, machine, index++);
  }
  putResource(
    store,
    MachineClasses,
    "large-workers",
    create(MachineClasses.schema, {
      matchLabels: [`${SystemLabels.cores} >= 8`, `${SystemLabels.arch} = amd64`],
    }),
  );
}

function seedCluster(store: CosiStore, plan: ClusterPlan, members: MachineFacts[]): void {
  const { name } = plan;
  const clusterLabel = { [SystemLabels.cluster]: name };
  putResource(
    store,
    Clusters,
    name,
    create(Clusters.schema, {
      // During an upgrade the cluster already asks for the target version; statuses catch up.
      talosVersion: name === upgradeInProgress.cluster ? upgradeInProgress.to : plan.talosVersion,
      kubernetesVersion: plan.kubernetesVersion,
      features: { enableWorkloadProxy: name === "production", useEmbeddedDiscoveryService: true },
      backupConfiguration: { enabled: name === "production", interval: { seconds: 3600n } },
    }),
    { finalizers: ["ClusterStatusController"] },
  );
  const connected = members.length;
  const upgrading = name === upgradeInProgress.cluster;
  putResource(
    store,
    ClusterStatuses,
    name,
    create(ClusterStatuses.schema, {
      available: true,
      ready: plan.ready,
      phase: plan.phase,
      kubernetesAPIReady: plan.ready,
      controlplaneReady: true,
      hasConnectedControlPlanes: true,
      talosVersion: plan.talosVersion,
      kubernetesVersion: plan.kubernetesVersion,
      initialTalosVersion: "v1.9.5",
      machines: {
        total: members.length + plan.pendingWorkers,
        healthy: members.length,
        connected,
        requested: members.length + plan.pendingWorkers,
      },
    }),
    { owner: controllerOwner("ClusterStatus"), labels: clusterLabel },
  );
  const sets = [
    {
      id: `${name}-control-planes`,
      role: SystemLabels.controlPlane,
      members: members.slice(0, plan.controlPlanes),
      wanted: plan.controlPlanes,
    },
    {
      id: `${name}-workers`,
      role: SystemLabels.worker,
      members: members.slice(plan.controlPlanes),
      wanted: plan.workers + plan.pendingWorkers,
    },
  ];
  for (const set of sets) {
    const setLabels = { ...clusterLabel, [set.role]: "" };
    putResource(
      store,
      MachineSets,
      set.id,
      create(MachineSets.schema, { updateStrategy: MachineSetSpec_UpdateStrategy.Rolling }),
      { labels: setLabels },
    );
    const scaling = set.members.length < set.wanted;
    putResource(
      store,
      MachineSetStatuses,
      set.id,
      create(MachineSetStatuses.schema, {
        phase: scaling
          ? MachineSetPhase.ScalingUp
          : upgrading
            ? MachineSetPhase.Upgrading
            : MachineSetPhase.Running,
        ready: !scaling && !upgrading,
        machines: {
          total: set.wanted,
          healthy: set.members.length,
          connected: set.members.length,
          requested: set.wanted,
        },
      }),
      { owner: controllerOwner("MachineSetStatus"), labels: setLabels },
    );
    for (const machine of set.members) {
      const memberLabels = { ...setLabels, [SystemLabels.machineSet]: set.id };
      putResource(store, MachineSetNodes, machine.id, create(MachineSetNodes.schema), {
        labels: memberLabels,
      });
      putResource(
        store,
        ClusterMachines,
        machine.id,
        create(ClusterMachines.schema, { kubernetesVersion: plan.kubernetesVersion }),
        { owner: controllerOwner("ClusterMachine"), labels: memberLabels },
      );
      putResource(
        store,
        ClusterMachineStatuses,
        machine.id,
        create(ClusterMachineStatuses.schema, {
          ready: true,
          stage: ClusterMachineStatusSpec_Stage.RUNNING,
          configUpToDate: true,
          configApplyStatus: ConfigApplyStatus.APPLIED,
          managementAddress: machine.hostname,
        }),
        { owner: controllerOwner("ClusterMachineStatus"), labels: memberLabels },
      );
    }
  }
  putResource(
    store,
    ConfigPatches,
    `400-${name}-time`,
    create(ConfigPatches.schema, {
      data: "machine:\n  time:\n    servers:\n      - time.cloudflare.com\n",
    }),
    { labels: clusterLabel, annotations: { name: "NTP servers" } },
  );
  putResource(
    store,
    ConfigPatches,
    `400-${name}-workers-sysctls`,
    create(ConfigPatches.schema, {
      data: 'machine:\n  sysctls:\n    net.core.somaxconn: "65535"\n',
    }),
    {
      labels: { ...clusterLabel, [SystemLabels.machineSet]: `${name}-workers` },
      annotations: { name: "worker sysctls" },
    },
  );
  putResource(
    store,
    TalosUpgradeStatuses,
    name,
    create(
      TalosUpgradeStatuses.schema,
      upgrading
        ? {
            phase: TalosUpgradeStatusSpec_Phase.Upgrading,
            step: "upgrading machines",
            status: `0 of ${members.length} machines upgraded`,
            lastUpgradeVersion: upgradeInProgress.from,
            currentUpgradeVersion: upgradeInProgress.to,
          }
        : {
            phase: TalosUpgradeStatusSpec_Phase.Done,
            lastUpgradeVersion: plan.talosVersion,
            upgradeVersions: ["v1.10.6"],
          },
    ),
    { owner: controllerOwner("TalosUpgradeStatus"), labels: clusterLabel },
  );
  putResource(
    store,
    KubernetesUpgradeStatuses,
    name,
    create(KubernetesUpgradeStatuses.schema, {
      phase: KubernetesUpgradeStatusSpec_Phase.Done,
      lastUpgradeVersion: plan.kubernetesVersion,
      upgradeVersions: ["1.33.3", "1.34.0"],
    }),
    { owner: controllerOwner("KubernetesUpgradeStatus"), labels: clusterLabel },
  );
}
