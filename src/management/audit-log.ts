import { Code } from "@connectrpc/connect";
import { OmniError } from "../errors.js";

/** One audit-log record, as Omni writes it: a JSON object per line. */
export interface AuditLogEntry {
  /** The stream position of the response that carried it; resume a follow with `fromId: id + 1n`. */
  readonly id: bigint;
  /** `event_type`, e.g. `create`, `update`, `destroy`, `talos_access`. Empty when absent. */
  readonly eventType: string;
  readonly resourceType: string;
  readonly resourceId: string;
  /** From `event_ts` (Unix milliseconds); `undefined` when absent. */
  readonly time: Date | undefined;
  /** The acting user's email, from `event_data.session.email`. Empty when absent. */
  readonly actor: string;
  /** The whole record, for fields this model does not name. */
  readonly record: Readonly<Record<string, unknown>>;
}

/** What `readAuditLog` returns: its entries, and where a follow has got to. */
export interface AuditLogStream extends AsyncIterable<AuditLogEntry> {
  /**
   * With `follow`: the position to resume after, Omni's acknowledged start until an entry
   * arrives and then the last entry's `id`. After an error, or in a later process, follow again
   * with `fromId: position + 1n` and nothing is skipped or repeated. `undefined` without
   * `follow`, and until Omni has answered.
   */
  readonly position: bigint | undefined;
}

function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}

function objectAt(value: unknown, key: string): Record<string, unknown> | undefined {
  if (typeof value !== "object" || value === null) {
    return undefined;
  }
  const inner = (value as Record<string, unknown>)[key];
  return typeof inner === "object" && inner !== null
    ? (inner as Record<string, unknown>)
    : undefined;
}

function toEntry(id: bigint, record: Record<string, unknown>): AuditLogEntry {
  const timestamp = record.event_ts;
  return {
    id,
    eventType: text(record.event_type),
    resourceType: text(record.resource_type),
    resourceId: text(record.resource_id),
    time: typeof timestamp === "number" ? new Date(timestamp) : undefined,
    actor: text(objectAt(objectAt(record, "event_data"), "session")?.email),
    record,
  };
}

/**
 * Splits audit-log bytes into JSON lines and parses each. The decoder is streaming, so a record
 * cut between two responses is joined before it is parsed; call `flush()` at the end.
 */
export class AuditLogParser {
  readonly #decoder = new TextDecoder();
  #pending = "";

  *push(id: bigint, bytes: Uint8Array): Generator<AuditLogEntry> {
    this.#pending += this.#decoder.decode(bytes, { stream: true });
    const lines = this.#pending.split("\n");
    this.#pending = lines.pop() ?? "";
    for (const line of lines) {
      yield* this.#parse(id, line);
    }
  }

  *flush(id: bigint): Generator<AuditLogEntry> {
    const rest = this.#pending + this.#decoder.decode();
    this.#pending = "";
    yield* this.#parse(id, rest);
  }

  *#parse(id: bigint, line: string): Generator<AuditLogEntry> {
    const trimmed = line.trim();
    if (trimmed === "") {
      return;
    }
    let record: unknown;
    try {
      record = JSON.parse(trimmed);
    } catch (cause) {
      // The record itself stays out of the message: audit entries can name users and resources.
      throw new OmniError(
        Code.DataLoss,
        `audit log entry ${id} holds a record that is not JSON (${trimmed.length} characters)`,
        { method: "/management.ManagementService/ReadAuditLog", cause },
      );
    }
    if (typeof record === "object" && record !== null && !Array.isArray(record)) {
      yield toEntry(id, record as Record<string, unknown>);
    }
  }
}
