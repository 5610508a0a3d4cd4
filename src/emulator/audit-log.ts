import { AuditLogEventType } from "../gen/omni/management/management_pb.js";

export interface AuditEntry {
  id: bigint;
  timestampMs: number;
  eventType: AuditLogEventType;
  resourceType: string;
  resourceId: string;
  clusterId: string;
  actor: string;
  role: string;
}

/** The event names Omni writes into an audit entry's JSON. */
const eventNames: Record<AuditLogEventType, string> = {
  [AuditLogEventType.UNSPECIFIED]: "",
  [AuditLogEventType.CREATE]: "create",
  [AuditLogEventType.UPDATE]: "update",
  [AuditLogEventType.UPDATE_WITH_CONFLICTS]: "update_with_conflicts",
  [AuditLogEventType.DESTROY]: "destroy",
  [AuditLogEventType.TEARDOWN]: "teardown",
  [AuditLogEventType.TALOS_ACCESS]: "talos_access",
  [AuditLogEventType.K8S_ACCESS]: "k8s_access",
  [AuditLogEventType.AUDIT_LOG_ACCESS]: "audit_log_access",
};

/** The JSON document one audit entry is sent as (the `audit_log` bytes). */
export function auditEntryJson(entry: AuditEntry): string {
  return JSON.stringify({
    event_type: eventNames[entry.eventType],
    resource_type: entry.resourceType,
    resource_id: entry.resourceId,
    event_ts: entry.timestampMs,
    event_data: {
      session: { email: entry.actor, role: entry.role, user_agent: "omni-emulator" },
      ...(entry.clusterId ? { cluster: { id: entry.clusterId } } : {}),
    },
  });
}

/** An append-only audit log with subscribers for follow mode. */
export class AuditLog {
  readonly #entries: AuditEntry[] = [];
  readonly #listeners = new Set<(entry: AuditEntry) => void>();

  append(entry: Omit<AuditEntry, "id">): AuditEntry {
    const full: AuditEntry = { ...entry, id: BigInt(this.#entries.length + 1) };
    this.#entries.push(full);
    for (const listener of this.#listeners) {
      listener(full);
    }
    return full;
  }

  entries(): readonly AuditEntry[] {
    return this.#entries;
  }

  /** The id the next entry will get. */
  nextId(): bigint {
    return BigInt(this.#entries.length + 1);
  }

  subscribe(listener: (entry: AuditEntry) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

const seededEvents: Array<[AuditLogEventType, string, string, string]> = [
  [AuditLogEventType.CREATE, "Clusters.omni.sidero.dev", "talos-default", "talos-default"],
  [AuditLogEventType.CREATE, "Clusters.omni.sidero.dev", "prod-eu-1", "prod-eu-1"],
  [AuditLogEventType.UPDATE, "ConfigPatches.omni.sidero.dev", "400-prod-eu-1-ntp", "prod-eu-1"],
  [AuditLogEventType.K8S_ACCESS, "", "", "prod-eu-1"],
  [AuditLogEventType.CREATE, "Clusters.omni.sidero.dev", "staging", "staging"],
  [AuditLogEventType.TALOS_ACCESS, "", "", "staging"],
  [AuditLogEventType.DESTROY, "MachineSetNodes.omni.sidero.dev", "staging-w-3", "staging"],
  [
    AuditLogEventType.UPDATE_WITH_CONFLICTS,
    "MachineSets.omni.sidero.dev",
    "staging-workers",
    "staging",
  ],
];

/**
 * A short history spread over the last days, so that date filters have something to select, and
 * one entry from 40 days ago, which a read without a start day leaves out (Omni reads 29 days
 * back by default).
 */
export function seedAuditLog(log: AuditLog, now: Date, actor: string): void {
  const dayMs = 24 * 3600 * 1000;
  log.append({
    timestampMs: now.getTime() - 40 * dayMs,
    eventType: AuditLogEventType.CREATE,
    resourceType: "Clusters.omni.sidero.dev",
    resourceId: "legacy",
    clusterId: "legacy",
    actor,
    role: "Admin",
  });
  seededEvents.forEach(([eventType, resourceType, resourceId, clusterId], index) => {
    log.append({
      timestampMs: now.getTime() - (seededEvents.length - index) * (dayMs / 2),
      eventType,
      resourceType,
      resourceId,
      clusterId,
      actor,
      role: "Admin",
    });
  });
}
