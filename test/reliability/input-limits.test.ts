import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OmniClient } from "../../src/client.js";
import { type OmniEmulator, startOmniEmulator } from "../../src/emulator/index.js";
import { OmniError, ValidationError } from "../../src/errors.js";
import { ConfigPatches, Machines } from "../../src/resources/registry.js";
import { adminClient, errorOf, type TransportName, transportNames } from "./support.js";

// Issue #21: inputs that reached the transport and failed there with an untyped error (a header
// too large for HTTP/2 or HTTP/1.1, a date no protobuf Timestamp holds), or that Omni would take
// and read as something else. The limits are Omni's and protobuf's, checked before any I/O.

interface Row {
  input: string;
  call: (client: OmniClient) => unknown;
  argument: string;
}

const kib = 1024;
const clusterLabel = "omni.sidero.dev/cluster";
/** The latest instant a protobuf Timestamp holds, to the millisecond a Date has. */
const lastTimestamp = new Date("9999-12-31T23:59:59.999Z");
const patch = (metadata: Record<string, unknown>) => ({
  metadata: { id: "limits-patch", ...metadata } as { id: string },
  spec: { data: "machine: {}\n" },
});

const rows: Row[] = [
  // IDs sent as gRPC metadata (headers).
  {
    input: "a 64 KiB cluster name",
    call: (c) => c.management.kubeconfig({ cluster: "c".repeat(64 * kib) }),
    argument: "options.cluster",
  },
  {
    input: "a cluster name one byte over Omni's 1024-byte resource ID limit",
    call: (c) => c.management.talosconfig({ cluster: "c".repeat(1025) }),
    argument: "options.cluster",
  },
  {
    input: "a 64 KiB cluster name on a stream",
    call: (c) => c.management.kubernetesSyncManifests({ cluster: "c".repeat(64 * kib) }),
    argument: "options.cluster",
  },
  {
    input: "a 64 KiB machine ID",
    call: (c) => c.management.machineLogs({ machineId: "m".repeat(64 * kib) }),
    argument: "options.machineId",
  },
  {
    input: "a service-account name over 1024 bytes",
    call: (c) => c.management.destroyServiceAccount({ name: "s".repeat(2 * kib) }),
    argument: "options.name",
  },
  {
    input: "a user email over 1024 bytes",
    call: (c) => c.management.destroyUser({ email: `${"u".repeat(2 * kib)}@example.org` }),
    argument: "options.email",
  },
  // Resource IDs and metadata, with Omni's limits.
  {
    input: "a resource ID over 1024 bytes",
    call: (c) => c.resources.get(Machines, "m".repeat(1025)),
    argument: "id",
  },
  {
    input: "a resource ID with a C1 control character",
    call: (c) => c.resources.create(ConfigPatches, patch({ id: "patch\u0085one" })),
    argument: "resource.metadata.id",
  },
  {
    input: "a label key over 1024 bytes",
    call: (c) => c.resources.create(ConfigPatches, patch({ labels: { ["k".repeat(1025)]: "v" } })),
    argument: "resource.metadata.labels",
  },
  {
    input: "an empty label key",
    call: (c) => c.resources.create(ConfigPatches, patch({ labels: { "": "v" } })),
    argument: "resource.metadata.labels",
  },
  {
    input: "a label value over 16 KiB",
    call: (c) =>
      c.resources.create(ConfigPatches, patch({ labels: { big: "v".repeat(16 * kib + 1) } })),
    argument: 'resource.metadata.labels["big"]',
  },
  {
    input: "a label value of 8193 two-byte characters, 16386 bytes",
    call: (c) =>
      c.resources.create(ConfigPatches, patch({ labels: { wide: "\u00e9".repeat(8193) } })),
    argument: 'resource.metadata.labels["wide"]',
  },
  {
    input: "more than 256 labels",
    call: (c) =>
      c.resources.create(
        ConfigPatches,
        patch({ labels: Object.fromEntries(Array.from({ length: 257 }, (_, i) => [`l${i}`, ""])) }),
      ),
    argument: "resource.metadata.labels",
  },
  {
    input: "an annotation value with a control character",
    call: (c) => c.resources.create(ConfigPatches, patch({ annotations: { note: "one\ntwo" } })),
    argument: 'resource.metadata.annotations["note"]',
  },
  {
    input: "an annotation key with a C1 control character",
    call: (c) => c.resources.create(ConfigPatches, patch({ annotations: { "a\u009fb": "" } })),
    argument: "resource.metadata.annotations",
  },
  // Dates that no protobuf Timestamp holds.
  {
    input: "a join token expiring at the last Date JavaScript has",
    call: (c) => c.management.createJoinToken({ name: "far", expirationTime: new Date(8.64e15) }),
    argument: "options.expirationTime",
  },
  {
    input: "a join token expiring in the year 10000",
    call: (c) =>
      c.management.createJoinToken({
        name: "far",
        expirationTime: new Date(lastTimestamp.getTime() + 1),
      }),
    argument: "options.expirationTime",
  },
  // Audit-log days.
  ...["2024-02-30", "2023-02-29", "2024-13-01", "2024-00-10", "2024-04-31", "2024-01-00"].map(
    (day): Row => ({
      input: `an audit log from ${day}, which is no calendar day`,
      call: (c) => c.management.readAuditLog({ startTime: day }),
      argument: "options.startTime",
    }),
  ),
  {
    input: "an audit log up to a Date no day can be written for",
    call: (c) => c.management.readAuditLog({ endTime: new Date(8.64e15) }),
    argument: "options.endTime",
  },
  {
    input: "an audit log that ends before it starts",
    call: (c) => c.management.readAuditLog({ startTime: "2024-03-02", endTime: "2024-03-01" }),
    argument: "options.endTime",
  },
  {
    input: "an audit log that ends, as a Date, before it starts",
    call: (c) =>
      c.management.readAuditLog({
        startTime: "2024-03-02",
        endTime: new Date("2024-03-01T23:59:59Z"),
      }),
    argument: "options.endTime",
  },
  // Omni's own size limit on a JSON schema.
  {
    input: "a JSON schema over Omni's 1 MB limit",
    call: (c) =>
      c.management.validateJSONSchema({
        data: "{}",
        schema: `{"description": "${"x".repeat(1_000_000)}"}`,
      }),
    argument: "options.schema",
  },
];

describe.each(transportNames)("input limits over %s", (name: TransportName) => {
  let emulator: OmniEmulator;
  let client: OmniClient;

  beforeAll(async () => {
    emulator = await startOmniEmulator({ seed: 21 });
    client = adminClient(emulator, name);
  }, 60_000);

  afterAll(() => emulator?.close());

  it.each(rows.map((row) => [row.input, row] as const))(
    "rejects %s, naming it, before sending anything",
    async (_input, row) => {
      emulator.resetRequestCounts();
      const error = await errorOf(() => row.call(client));
      expect(error).toBeInstanceOf(ValidationError);
      const validation = error as ValidationError;
      expect(validation.argument).toBe(row.argument);
      expect(validation.message).toContain(row.argument);
      expect(emulator.requestCount()).toBe(0);
    },
  );

  it("sends a cluster name of exactly 1024 bytes to Omni", async () => {
    emulator.resetRequestCounts();
    // Whatever Omni answers for a cluster it does not have, the SDK lets the call through.
    const outcome = await client.management.kubeconfig({ cluster: "c".repeat(1024) }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(outcome === undefined || outcome instanceof OmniError).toBe(true);
    expect(outcome).not.toBeInstanceOf(ValidationError);
    expect(emulator.requestCount()).toBe(1);
  });

  it("creates a join token expiring at the last instant a Timestamp holds", async () => {
    const token = await client.management.createJoinToken({
      name: "last",
      expirationTime: lastTimestamp,
    });
    expect(token.id).not.toBe("");
  });

  it("takes metadata at Omni's limits", async () => {
    const labels = Object.fromEntries(Array.from({ length: 255 }, (_, i) => [`l${i}`, ""]));
    const created = await client.resources.create(ConfigPatches, {
      metadata: {
        id: "p".repeat(1024),
        labels: { ...labels, [clusterLabel]: "talos-default" },
        annotations: { ["k".repeat(1024)]: "v".repeat(16 * kib), note: "été" },
      },
      spec: { data: "machine: {}\n" },
    });
    expect(Object.keys(created.metadata.annotations)).toHaveLength(2);
  });

  it("reads the audit log of a leap day, and of a single day", async () => {
    for (const options of [
      { startTime: "2024-02-29", endTime: "2024-02-29" },
      { startTime: new Date("2024-02-29T12:00:00Z"), endTime: "2024-03-01" },
    ]) {
      const entries = [];
      for await (const entry of client.management.readAuditLog(options)) {
        entries.push(entry);
      }
      expect(Array.isArray(entries)).toBe(true);
    }
  });
});
