import { stringify } from "yaml";

/** The loopback ports one Omni instance listens on; every one is chosen free at start. */
export interface OmniPorts {
  api: number;
  metrics: number;
  kubernetesProxy: number;
  wireGuard: number;
  machineApi: number;
  etcdClient: number;
  debug: number;
  eventSink: number;
  logServer: number;
}

export const omniPortNames: ReadonlyArray<keyof OmniPorts> = [
  "api",
  "metrics",
  "kubernetesProxy",
  "wireGuard",
  "machineApi",
  "etcdClient",
  "debug",
  "eventSink",
  "logServer",
];

export interface OmniConfigInput {
  ports: OmniPorts;
  /** Absolute directory that holds every file of this instance; removed when it stops. */
  stateDir: string;
  /** `127.0.0.1:PORT` of the identity-provider stand-in, as Omni's Auth0 domain. */
  identityProviderHost: string;
  /** The audience of the stand-in's ID tokens. */
  auth0ClientId: string;
  /** Users Omni makes Admins at start, so that one of them can confirm keys in the login flow. */
  initialUsers: string[];
  /** Name of the service account Omni creates at start (Admin). */
  initialServiceAccount: string;
  /** `http://127.0.0.1:PORT` of the versions stand-in: Omni's Image Factory and Kubernetes registry. */
  versionsStandInUrl: string;
}

/** File names inside the state directory. */
export const stateFiles = {
  config: "omni.yaml",
  etcdPrivateKey: "etcd-private-key.asc",
  initialServiceAccountKey: "initial-service-account-key",
  log: "omni.log",
} as const;

/**
 * Omni's configuration for a test instance: everything on 127.0.0.1, embedded etcd, Auth0 pointed
 * at the local stand-in (its keys are fetched on first use, so Omni starts offline), the Image
 * Factory and Kubernetes registry pointed at the versions stand-in, an initial Admin service
 * account whose key Omni writes into the state directory, and the EULA accepted.
 */
export function omniConfig(input: OmniConfigInput): string {
  const { ports, stateDir } = input;
  const loopback = (port: number) => `127.0.0.1:${port}`;
  return stringify({
    account: { id: "3c1e6f7a-4a5b-4c2d-9e8f-0a1b2c3d4e5f", name: "sidero-omni-client-tests" },
    eulaAccept: {
      name: "sidero-omni-client test suite",
      email: "tests@sidero-omni-client.invalid",
    },
    services: {
      // Served as HTTP/1.1 and h2c (no certificate), but advertised as https: Omni's own OIDC
      // issuer refuses a plain-http URL outside debug builds, and a debug build behaves differently.
      api: { endpoint: loopback(ports.api), advertisedURL: `https://${loopback(ports.api)}` },
      metrics: { endpoint: loopback(ports.metrics) },
      kubernetesProxy: {
        endpoint: loopback(ports.kubernetesProxy),
        advertisedURL: `https://${loopback(ports.kubernetesProxy)}`,
      },
      siderolink: {
        wireGuard: {
          endpoint: loopback(ports.wireGuard),
          advertisedEndpoint: loopback(ports.wireGuard),
        },
        eventSinkPort: ports.eventSink,
        logServerPort: ports.logServer,
      },
      machineAPI: {
        endpoint: loopback(ports.machineApi),
        advertisedURL: `grpc://${loopback(ports.machineApi)}`,
      },
      localResourceService: { enabled: false },
      embeddedDiscoveryService: { enabled: false },
      workloadProxy: { enabled: false },
    },
    debug: { server: { endpoint: loopback(ports.debug) } },
    auth: {
      auth0: {
        enabled: true,
        domain: input.identityProviderHost,
        clientID: input.auth0ClientId,
        initialUsers: input.initialUsers,
      },
      initialServiceAccount: {
        enabled: true,
        role: "Admin",
        name: input.initialServiceAccount,
        keyPath: `${stateDir}/${stateFiles.initialServiceAccountKey}`,
        lifetime: "24h",
      },
    },
    storage: {
      sqlite: { path: `${stateDir}/secondary-storage/sqlite.db` },
      default: {
        kind: "etcd",
        etcd: {
          embedded: true,
          endpoints: [`http://${loopback(ports.etcdClient)}`],
          embeddedDBPath: `${stateDir}/etcd/`,
          embeddedUnsafeFsync: true,
          privateKeySource: `file://${stateDir}/${stateFiles.etcdPrivateKey}`,
        },
      },
    },
    etcdBackup: { localPath: `${stateDir}/etcd-backups` },
    // Offline, Omni would list no Talos or Kubernetes versions and so refuse every Cluster.
    registries: {
      kubernetes: `${new URL(input.versionsStandInUrl).host}/siderolabs/kubelet`,
      imageFactoryBaseURL: input.versionsStandInUrl,
      imageFactoryPXEBaseURL: input.versionsStandInUrl,
    },
  });
}
