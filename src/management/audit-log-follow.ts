import { create } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { OmniError, UnimplementedError } from "../errors.js";
import {
  type ReadAuditLogRequest,
  ReadAuditLogRequestSchema,
  type ReadAuditLogResponse,
} from "../gen/omni/management/management_pb.js";
import { type AuditLogEntry, AuditLogParser } from "./audit-log.js";

const method = "/management.ManagementService/ReadAuditLog";

/** Opens one ReadAuditLog stream; the caller owns cancellation. */
export type OpenAuditLog = (request: ReadAuditLogRequest) => AsyncIterable<ReadAuditLogResponse>;

/**
 * Follows the audit log for as long as the caller reads, the way Omni's Go client does. Every
 * stream opens with an acknowledgment (no records, `id` the position before the first event);
 * Omni ends a stream cleanly when its lease runs out, and the follow resumes on a new stream
 * right after the last position, so nothing is skipped or repeated. `onPosition` hears every
 * position before the entries that carry it are handed on.
 */
export async function* followAuditLog(
  open: OpenAuditLog,
  request: ReadAuditLogRequest,
  onPosition: (position: bigint) => void,
): AsyncGenerator<AuditLogEntry> {
  let next = request;
  for (;;) {
    const parser = new AuditLogParser();
    let position: bigint | undefined;
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
      position = response.id;
      onPosition(position);
      yield* parser.push(position, response.auditLog);
    }
    if (position === undefined) {
      throw followUnsupported();
    }
    yield* parser.flush(position);
    next = create(ReadAuditLogRequestSchema, { follow: true, fromId: position + 1n });
  }
}

function followUnsupported(): UnimplementedError {
  return new UnimplementedError(
    "this Omni cannot follow the audit log: it answered the follow request without acknowledging it",
    { method },
  );
}
