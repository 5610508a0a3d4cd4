import { create } from "@bufbuild/protobuf";
import type { HandlerContext } from "@connectrpc/connect";
import {
  AuditLogEventType,
  AuditLogOrderByDir,
  AuditLogOrderByField,
  type ReadAuditLogRequest,
  type ReadAuditLogResponse,
  ReadAuditLogResponseSchema,
} from "../../gen/omni/management/management_pb.js";
import { type AuditEntry, auditEntryJson } from "../audit-log.js";
import { signedCaller } from "../caller.js";
import { requireAuditLogAccess } from "../roles.js";
import { boundedCallSignal, type EmulatorState, invalidArgument } from "../state.js";

const dayMs = 24 * 3600 * 1000;
const encoder = new TextEncoder();

function response(entry: AuditEntry): ReadAuditLogResponse {
  return create(ReadAuditLogResponseSchema, {
    // One JSON line per entry, newline included, as in Omni's audit log files.
    auditLog: encoder.encode(`${auditEntryJson(entry)}\n`),
    id: entry.id,
  });
}

/** Omni's audit dates are calendar days (`2006-01-02`), in UTC. */
function parseDay(text: string, field: string): number {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text) || Number.isNaN(Date.parse(`${text}T00:00:00Z`))) {
    throw invalidArgument(`invalid ${field} "${text}": expected YYYY-MM-DD`);
  }
  return Date.parse(`${text}T00:00:00Z`);
}

function hasFilterOrOrder(request: ReadAuditLogRequest): boolean {
  return (
    request.startTime !== "" ||
    request.endTime !== "" ||
    request.orderByField !== AuditLogOrderByField.UNSPECIFIED ||
    request.orderByDir !== AuditLogOrderByDir.UNSPECIFIED ||
    request.search !== "" ||
    request.eventType !== AuditLogEventType.UNSPECIFIED ||
    request.resourceType !== "" ||
    request.resourceId !== "" ||
    request.clusterId !== "" ||
    request.actor !== ""
  );
}

/** How far back Omni reads the audit log when the request names no start day. */
const defaultWindowMs = 29 * dayMs;

function filterFor(request: ReadAuditLogRequest, nowMs: number): (entry: AuditEntry) => boolean {
  const from =
    request.startTime === "" ? nowMs - defaultWindowMs : parseDay(request.startTime, "start_time");
  const until =
    request.endTime === ""
      ? Number.POSITIVE_INFINITY
      : parseDay(request.endTime, "end_time") + dayMs;
  const search = request.search.toLowerCase();
  return (entry) =>
    entry.timestampMs >= from &&
    entry.timestampMs < until &&
    entry.timestampMs >= Number(request.startTsMs) &&
    entry.id >= request.fromId &&
    (request.eventType === AuditLogEventType.UNSPECIFIED ||
      entry.eventType === request.eventType) &&
    (request.resourceType === "" || entry.resourceType === request.resourceType) &&
    (request.resourceId === "" || entry.resourceId === request.resourceId) &&
    (request.clusterId === "" || entry.clusterId === request.clusterId) &&
    (request.actor === "" || entry.actor === request.actor) &&
    (search === "" || auditEntryJson(entry).toLowerCase().includes(search));
}

const sortKeys: Record<AuditLogOrderByField, (entry: AuditEntry) => string | number> = {
  [AuditLogOrderByField.UNSPECIFIED]: (entry) => entry.timestampMs,
  [AuditLogOrderByField.DATE]: (entry) => entry.timestampMs,
  [AuditLogOrderByField.EVENT_TYPE]: (entry) => entry.eventType,
  [AuditLogOrderByField.RESOURCE_TYPE]: (entry) => entry.resourceType,
  [AuditLogOrderByField.RESOURCE_ID]: (entry) => entry.resourceId,
  [AuditLogOrderByField.CLUSTER_ID]: (entry) => entry.clusterId,
  [AuditLogOrderByField.ACTOR]: (entry) => entry.actor,
};

/**
 * Reads the audit log. Without `follow` it sends the filtered, ordered entries and ends. With
 * `follow` it first sends an empty acknowledgment carrying the position before the start, then
 * every entry from there on
 * as it is written, and ends cleanly after a bounded window (clients reconnect with `from_id`).
 */
export async function* readAuditLog(
  state: EmulatorState,
  request: ReadAuditLogRequest,
  context: HandlerContext,
): AsyncGenerator<ReadAuditLogResponse> {
  requireAuditLogAccess(signedCaller(context).role);
  if (request.follow) {
    yield* followAuditLog(state, request, context);
    return;
  }
  const keep = filterFor(request, state.now().getTime());
  const key = sortKeys[request.orderByField];
  const direction = request.orderByDir === AuditLogOrderByDir.DESC ? -1 : 1;
  const entries = state.auditLog
    .entries()
    .filter(keep)
    .sort((a, b) => {
      const left = key(a);
      const right = key(b);
      const order = left < right ? -1 : left > right ? 1 : Number(a.id - b.id);
      return order * direction;
    });
  for (const entry of entries) {
    yield response(entry);
  }
}

async function* followAuditLog(
  state: EmulatorState,
  request: ReadAuditLogRequest,
  context: HandlerContext,
): AsyncGenerator<ReadAuditLogResponse> {
  if (hasFilterOrOrder(request)) {
    throw invalidArgument("filters and ordering cannot be used together with follow");
  }
  const existing = state.auditLog.entries();
  let startId = state.auditLog.nextId();
  if (request.fromId > 0n) {
    startId = request.fromId;
  } else if (request.startTsMs > 0n) {
    startId =
      existing.find((entry) => entry.timestampMs >= Number(request.startTsMs))?.id ?? startId;
  }
  // Omni acknowledges with the position just before the first entry it will send, which is
  // where a client resumes after (`from_id` = position + 1) if the stream ends first.
  yield create(ReadAuditLogResponseSchema, { id: startId - 1n });

  const pending: AuditEntry[] = existing.filter((entry) => entry.id >= startId);
  let wake: (() => void) | undefined;
  const unsubscribe = state.auditLog.subscribe((entry) => {
    pending.push(entry);
    wake?.();
  });
  const bounded = boundedCallSignal(state, context, state.timings.auditLogFollowWindowMs);
  const { signal } = bounded;
  const onAbort = (): void => wake?.();
  signal.addEventListener("abort", onAbort);
  try {
    // The window bounds how long the stream waits for new entries; entries already pending are
    // still sent, however slowly the client reads.
    for (;;) {
      const entry = pending.shift();
      if (entry) {
        yield response(entry);
        continue;
      }
      if (signal.aborted) {
        break;
      }
      await new Promise<void>((resolve) => {
        if (signal.aborted || pending.length > 0) {
          resolve();
          return;
        }
        wake = resolve;
      });
      wake = undefined;
    }
  } finally {
    unsubscribe();
    signal.removeEventListener("abort", onAbort);
    bounded.dispose();
  }
}
