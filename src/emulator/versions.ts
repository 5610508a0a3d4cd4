/**
 * Which methods each Omni release serves, from the release tables of the wire contract: the
 * ManagementService RPCs, and the COSI State teardown RPCs that came with cosi-runtime v1.16
 * (Omni v1.8). A method is available from `since` (inclusive) until `until` (exclusive); methods
 * not listed are served by every release.
 */
interface Availability {
  since: OmniVersion;
  until?: OmniVersion;
}

/** A parsed Omni release; `main` sorts after every release. */
export interface OmniVersion {
  major: number;
  minor: number;
  patch: number;
}

const main: OmniVersion = { major: Number.MAX_SAFE_INTEGER, minor: 0, patch: 0 };

function v(major: number, minor: number, patch = 0): OmniVersion {
  return { major, minor, patch };
}

const managementAvailability: Record<string, Availability> = {
  Kubeconfig: { since: v(0, 30, 1) },
  Talosconfig: { since: v(0, 30, 1) },
  Omniconfig: { since: v(0, 30, 1) },
  MachineLogs: { since: v(0, 30, 1) },
  ValidateConfig: { since: v(0, 30, 1) },
  CreateServiceAccount: { since: v(0, 30, 1) },
  RenewServiceAccount: { since: v(0, 30, 1) },
  ListServiceAccounts: { since: v(0, 30, 1) },
  DestroyServiceAccount: { since: v(0, 30, 1) },
  KubernetesUpgradePreChecks: { since: v(0, 30, 1) },
  KubernetesSyncManifests: { since: v(0, 30, 1) },
  CreateSchematic: { since: v(0, 30, 1) },
  GetSupportBundle: { since: v(0, 32) },
  ReadAuditLog: { since: v(0, 42) },
  ValidateJSONSchema: { since: v(0, 49) },
  MaintenanceUpgrade: { since: v(0, 50) },
  GetMachineJoinConfig: { since: v(1, 0) },
  CreateJoinToken: { since: v(1, 0) },
  TearDownLockedCluster: { since: v(1, 2), until: v(1, 3) },
  ResetNodeUniqueToken: { since: v(1, 5, 7) },
  CreateUser: { since: v(1, 6) },
  ListUsers: { since: v(1, 6) },
  UpdateUser: { since: v(1, 6) },
  DestroyUser: { since: v(1, 6) },
  CreateSchematicFromRaw: { since: v(1, 8) },
  MachinePowerOff: { since: v(1, 8) },
  MachinePowerOn: { since: v(1, 8) },
  MaintenanceLifecycle: { since: v(1, 9) },
  GetBootAssetURL: { since: main },
};

const stateAvailability: Record<string, Availability> = {
  Teardown: { since: v(1, 8) },
  TeardownAndDestroy: { since: v(1, 8) },
};

const availabilityByService: Record<string, Record<string, Availability>> = {
  "management.ManagementService": managementAvailability,
  "cosi.resource.State": stateAvailability,
};

function compare(a: OmniVersion, b: OmniVersion): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

/**
 * Parses `"1.2"`, `"v1.10.4"` or `"main"`; undefined means the newest API (`main`).
 * Returns undefined for text that is not a version, so the caller can name the bad option.
 */
export function parseOmniVersion(text: string | undefined): OmniVersion | undefined {
  if (text === undefined || text === "main" || text === "latest") {
    return main;
  }
  const match = /^v?(\d+)\.(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) {
    return undefined;
  }
  return v(Number(match[1]), Number(match[2]), Number(match[3] ?? 0));
}

export function formatOmniVersion(version: OmniVersion): string {
  return version === main ? "main" : `${version.major}.${version.minor}.${version.patch}`;
}

/**
 * Whether `version` serves `methodName` (e.g. `Kubeconfig`) of `serviceName` (e.g.
 * `management.ManagementService`). Every ManagementService method is listed, so an unknown one
 * is not served; other services serve what they do not list.
 */
export function methodAvailable(
  version: OmniVersion,
  serviceName: string,
  methodName: string,
): boolean {
  const table = availabilityByService[serviceName];
  if (!table) {
    return true;
  }
  const availability = table[methodName];
  if (!availability) {
    return table !== managementAvailability;
  }
  if (compare(version, availability.since) < 0) {
    return false;
  }
  return availability.until === undefined || compare(version, availability.until) < 0;
}
