import { Code } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { OmniError } from "../../src/errors.js";
import { AuditLogParser } from "../../src/management/audit-log.js";

const encoder = new TextEncoder();

describe("AuditLogParser", () => {
  it("joins a record split across two responses", () => {
    const parser = new AuditLogParser();
    const first = [...parser.push(1n, encoder.encode('{"event_type":"create","resou'))];
    const second = [...parser.push(2n, encoder.encode('rce_type":"Clusters"}\n'))];
    expect(first).toEqual([]);
    expect(second).toHaveLength(1);
    expect(second[0]?.record).toEqual({ event_type: "create", resource_type: "Clusters" });
  });

  it("rejects a record that is not JSON with an OmniError that leaves the record out", () => {
    const parser = new AuditLogParser();
    const secret = "token-9f8e7d";
    let caught: unknown;
    try {
      [...parser.push(7n, encoder.encode(`{"actor":"${secret}"\n`))];
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(OmniError);
    expect((caught as OmniError).code).toBe(Code.DataLoss);
    expect((caught as OmniError).method).toBe("/management.ManagementService/ReadAuditLog");
    expect((caught as OmniError).message).toContain("audit log entry 7");
    expect((caught as OmniError).message).not.toContain(secret);
  });
});
