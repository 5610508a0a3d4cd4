import { create } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { abortableDelay } from "../abortable-delay.js";
import { CanceledError, OmniError, UnimplementedError } from "../errors.js";
import {
  type ReadAuditLogRequest,
  ReadAuditLogRequestSchema,
  type ReadAuditLogResponse,
} from "../gen/omni/management/management_pb.js";
import { type AuditLogEntry, AuditLogParser } from "./audit-log.js";
import { isUnknownFieldError } from "./older-omni.js";

const method = "/management.ManagementService/ReadAuditLog";
// The request fields of a follow, by their JSON names, which an Omni without follow lacks.
const followFields = ["follow", "startTsMs", "fromId"] as const;

/** Opens one ReadAuditLog stream; the caller owns cancellation. */
export type OpenAuditLog = (request: ReadAuditLogRequest) => AsyncIterable<ReadAuditLogResponse>;

/** How the follow paces its reconnects; tests replace the clock and the wait. */
export interface FollowPacing {
  now(): number;
  /** Resolves after `ms`, or rejects when the call is aborted first. */
  wait(ms: number): Promise<void>;
}

// A stream that ends this soon without an entry did not end at Omni's lease (an hour): something
// in between closes streams. Reconnecting at once would loop, so the follow waits, longer each time.
const briefStreamMs = 1000;
const firstPauseMs = 1000;
const maxPauseMs = 30_000;

/** A wait that ends early, with Canceled, when `signal` aborts. */
export function abortableWait(signal: AbortSignal | undefined): (ms: number) => Promise<void> {
  return (ms) =>
    abortableDelay(
      ms,
      signal,
      () =>
        new CanceledError("the audit-log follow was canceled while waiting to resume", { method }),
    );
}

/**
 * Follows the audit log for as long as the caller reads, the way Omni's Go client does. Every
 * stream opens with an acknowledgment (no records, `id` the position before the first event);
 * Omni ends a stream cleanly when its lease runs out, and the follow resumes on a new stream
 * right after the last position, so nothing is skipped or repeated. `onPosition` hears every
 * position before the entries that carry it are handed on. Streams that keep ending at once
 * with nothing in them are resumed after a pause that doubles up to 30 seconds.
 */
export async function* followAuditLog(
  open: OpenAuditLog,
  request: ReadAuditLogRequest,
  onPosition: (position: bigint) => void,
  pacing: FollowPacing,
): AsyncGenerator<AuditLogEntry> {
  let next = request;
  let pauseMs = 0;
  for (;;) {
    if (pauseMs > 0) {
      await pacing.wait(pauseMs);
    }
    const openedAt = pacing.now();
    const parser = new AuditLogParser();
    let position: bigint | undefined;
    let delivered = false;
    try {
      for await (const response of open(next)) {
        if (position === undefined) {
          // A server that ignores `follow` answers with records straight away.
          if (response.auditLog.length > 0) {
            throw followUnsupported();
          }
        } else if (response.id <= 0n) {
          throw new OmniError(
            Code.Internal,
            "Omni sent a followed audit-log event without a position (id 0), so it cannot be resumed",
            { method },
          );
        }
        delivered ||= response.auditLog.length > 0;
        position = response.id;
        onPosition(position);
        yield* parser.push(position, response.auditLog);
      }
    } catch (error) {
      // The gateway of such an Omni refuses the fields it does not know instead of ignoring them.
      throw isUnknownFieldError(error, followFields) ? followUnsupported() : error;
    }
    if (position === undefined) {
      throw followUnsupported();
    }
    yield* parser.flush(position);
    next = create(ReadAuditLogRequestSchema, { follow: true, fromId: position + 1n });
    const brief = !delivered && pacing.now() - openedAt < briefStreamMs;
    pauseMs = brief ? Math.min(maxPauseMs, pauseMs === 0 ? firstPauseMs : pauseMs * 2) : 0;
  }
}

function followUnsupported(): UnimplementedError {
  return new UnimplementedError(
    "this Omni cannot follow the audit log: it is older than the follow mode of ReadAuditLog",
    { method },
  );
}
