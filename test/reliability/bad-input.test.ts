import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ecdsaAuth, generateEcdsaKey } from "../../src/auth/ecdsa.js";
import { pgpAuth } from "../../src/auth/pgp.js";
import { serviceAccountAuth } from "../../src/auth/service-account.js";
import { generateServiceAccountKey } from "../../src/auth/service-account-key.js";
import { createOmniClient, type OmniClient } from "../../src/client.js";
import { type OmniEmulator, startOmniEmulator } from "../../src/emulator/index.js";
import { KeyError, type KeyErrorReason, ValidationError } from "../../src/errors.js";
import { createGrpcTransport } from "../../src/node/grpc-transport.js";
import { listAll as listAllResources } from "../../src/resources/calls.js";
import type { LabelSelector } from "../../src/resources/labels.js";
import {
  ClusterStatuses,
  Clusters,
  Machines,
  rawResourceType,
} from "../../src/resources/registry.js";
import { createGatewayTransport } from "../../src/transport/gateway-transport.js";
import { createGrpcWebTransport } from "../../src/transport/grpc-web.js";
import { generatePgpKey, serviceAccountKey } from "../auth/support.js";
import { errorOf } from "./support.js";

interface Context {
  emulator: OmniEmulator;
  client: OmniClient;
  /** The admin key's armored private key, and a public key, for the key rows. */
  privateKey: string;
  /** Public keys Omni refuses for service accounts: no expiry, 400 days, already expired. */
  publicKey: string;
  longLivedPublicKey: string;
  expiredPublicKey: string;
  expiredServiceAccountKey: string;
}

interface Row {
  input: string;
  call: (context: Context) => unknown;
  argument: string;
  /** KeyError with this reason; a plain ValidationError when absent. */
  keyReason?: KeyErrorReason;
}

const hour = 3600_000;
const later = (ms: number) => new Date(Date.now() + ms);
const base64 = (text: string) => Buffer.from(text).toString("base64");
const list = (labels: unknown) => (c: Context) =>
  c.client.resources.listAll(Machines, { labels: labels as LabelSelector });
const options = <T>(value: unknown) => value as T;

const rows: Row[] = [
  // Cluster names.
  {
    input: "kubeconfig for an empty cluster name",
    call: (c) => c.client.management.kubeconfig({ cluster: "" }),
    argument: "options.cluster",
  },
  {
    input: "kubeconfig for a cluster name with a space",
    call: (c) => c.client.management.kubeconfig({ cluster: "my cluster" }),
    argument: "options.cluster",
  },
  {
    input: "talosconfig for a cluster name with a line break",
    call: (c) => c.client.management.talosconfig({ cluster: "talos\ndefault" }),
    argument: "options.cluster",
  },
  {
    input: "upgrade pre-checks without a cluster",
    call: (c) => c.client.management.kubernetesUpgradePreChecks(options({ newVersion: "1.31.2" })),
    argument: "options.cluster",
  },
  {
    input: "support bundle for a non-string cluster",
    call: (c) => c.client.management.getSupportBundle(options({ cluster: 42 })),
    argument: "options.cluster",
  },
  // Machine IDs.
  {
    input: "machine logs of an empty machine ID",
    call: (c) => c.client.management.machineLogs({ machineId: "" }),
    argument: "options.machineId",
  },
  {
    input: "power off a machine ID with a space",
    call: (c) => c.client.management.machinePowerOff({ machineId: "machine 1" }),
    argument: "options.machineId",
  },
  {
    input: "maintenance upgrade of a non-ASCII machine ID",
    call: (c) => c.client.management.maintenanceUpgrade({ machineId: "mächine", version: "1.9.0" }),
    argument: "options.machineId",
  },
  {
    input: "get a machine by an empty ID",
    call: (c) => c.client.resources.get(Machines, ""),
    argument: "id",
  },
  {
    input: "get a machine by an ID with surrounding spaces",
    call: (c) => c.client.resources.get(Machines, " machine-1 "),
    argument: "id",
  },
  {
    input: "destroy a cluster by an ID with a control character",
    call: (c) => c.client.resources.destroy(Clusters, "talos\u0000default"),
    argument: "id",
  },
  // Service-account names and keys.
  {
    input: "service account with an empty name",
    call: (c) =>
      c.client.management.createServiceAccount({ name: "", armoredPgpPublicKey: c.publicKey }),
    argument: "options.name",
  },
  {
    input: "service account name with a space",
    call: (c) =>
      c.client.management.createServiceAccount({
        name: "ci bot",
        armoredPgpPublicKey: c.publicKey,
      }),
    argument: "options.name",
  },
  {
    input: "destroy a service account named with a tab",
    call: (c) => c.client.management.destroyServiceAccount({ name: "bot\t" }),
    argument: "options.name",
  },
  {
    input: "service account with a private key where the public key goes",
    call: (c) =>
      c.client.management.renewServiceAccount({ name: "ci", armoredPgpPublicKey: c.privateKey }),
    argument: "options.armoredPgpPublicKey",
  },
  {
    input: "service account with a public key that is not armored PGP",
    call: (c) =>
      c.client.management.createServiceAccount({ name: "ci", armoredPgpPublicKey: "ssh-ed25519" }),
    argument: "options.armoredPgpPublicKey",
  },
  {
    input: "service account name with an @",
    call: (c) =>
      c.client.management.createServiceAccount({
        name: "ci@corp",
        armoredPgpPublicKey: c.publicKey,
      }),
    argument: "options.name",
  },
  {
    input: "service-account public key that never expires",
    call: (c) =>
      c.client.management.createServiceAccount({ name: "ci", armoredPgpPublicKey: c.publicKey }),
    argument: "options.armoredPgpPublicKey",
  },
  {
    input: "service-account public key that lives 400 days",
    call: (c) =>
      c.client.management.renewServiceAccount({
        name: "ci",
        armoredPgpPublicKey: c.longLivedPublicKey,
      }),
    argument: "options.armoredPgpPublicKey",
  },
  {
    input: "service-account public key that has expired",
    call: (c) =>
      c.client.management.createServiceAccount({
        name: "ci",
        armoredPgpPublicKey: c.expiredPublicKey,
      }),
    argument: "options.armoredPgpPublicKey",
    keyReason: "expired",
  },
  // TTLs and validity windows.
  {
    input: "generated service-account key living longer than 365 days",
    call: () => generateServiceAccountKey({ name: "ci", ttlSeconds: 366 * 24 * 3600 }),
    argument: "options.ttlSeconds",
  },
  {
    input: "kubeconfig service-account TTL that is negative",
    call: (c) =>
      c.client.management.kubeconfig({
        cluster: "talos-default",
        serviceAccount: true,
        serviceAccountUser: "ci",
        serviceAccountTtlSeconds: -60,
      }),
    argument: "options.serviceAccountTtlSeconds",
  },
  {
    input: "kubeconfig service-account TTL of zero",
    call: (c) =>
      c.client.management.kubeconfig({
        cluster: "talos-default",
        serviceAccount: true,
        serviceAccountUser: "ci",
        serviceAccountTtlSeconds: 0,
      }),
    argument: "options.serviceAccountTtlSeconds",
  },
  {
    input: "kubeconfig service-account TTL that is not a number",
    call: (c) =>
      c.client.management.kubeconfig(
        options({ cluster: "talos-default", serviceAccountTtlSeconds: "1h" }),
      ),
    argument: "options.serviceAccountTtlSeconds",
  },
  {
    input: "plain key valid for more than 8 hours",
    call: async (c) =>
      c.client.auth.registerPublicKey({
        identity: "admin@example.org",
        ecdsaKey: await generateEcdsaKey(),
        notAfter: later(9 * hour),
      }),
    argument: "notAfter",
  },
  {
    input: "plain key starting an hour from now",
    call: async (c) =>
      c.client.auth.registerPublicKey({
        identity: "admin@example.org",
        ecdsaKey: await generateEcdsaKey(),
        notBefore: later(hour),
      }),
    argument: "notBefore",
  },
  {
    input: "plain key ending before it starts",
    call: async (c) =>
      c.client.auth.registerPublicKey({
        identity: "admin@example.org",
        ecdsaKey: await generateEcdsaKey(),
        notBefore: new Date(),
        notAfter: later(-hour),
      }),
    argument: "notAfter",
  },
  // Dates.
  {
    input: "join token expiring at an invalid date",
    call: (c) =>
      c.client.management.createJoinToken({ name: "t", expirationTime: new Date("nope") }),
    argument: "options.expirationTime",
  },
  {
    input: "join token expiring in the past",
    call: (c) => c.client.management.createJoinToken({ name: "t", expirationTime: later(-hour) }),
    argument: "options.expirationTime",
  },
  {
    input: "audit log from a day written with slashes",
    call: (c) => c.client.management.readAuditLog({ startTime: "2024/01/01" }),
    argument: "options.startTime",
  },
  {
    input: "plain key with a string notBefore",
    call: async (c) =>
      c.client.auth.registerPublicKey({
        identity: "admin@example.org",
        ecdsaKey: await generateEcdsaKey(),
        notBefore: options("2024-01-01"),
      }),
    argument: "notBefore",
  },
  // URLs, for every transport factory.
  {
    input: "gateway transport with an empty base URL",
    call: () => createGatewayTransport({ baseUrl: "" }),
    argument: "baseUrl",
  },
  {
    input: "gateway transport with an ftp:// base URL",
    call: () => createGatewayTransport({ baseUrl: "ftp://omni.example.com" }),
    argument: "baseUrl",
  },
  {
    input: "gRPC-Web transport with text that is not a URL",
    call: () => createGrpcWebTransport({ baseUrl: "not a url" }),
    argument: "baseUrl",
  },
  {
    input: "gRPC-Web transport with credentials in the URL",
    call: () => createGrpcWebTransport({ baseUrl: "https://user:secret@omni.example.com" }),
    argument: "baseUrl",
  },
  {
    input: "native gRPC transport with a ws:// URL",
    call: () => createGrpcTransport({ baseUrl: "ws://omni.example.com" }),
    argument: "baseUrl",
  },
  {
    input: "native gRPC transport without a URL",
    call: () => createGrpcTransport(options({})),
    argument: "baseUrl",
  },
  {
    input: "schematic with a relative image factory URL",
    call: (c) => c.client.management.createSchematic({ imageFactoryUrl: "factory.local" }),
    argument: "options.imageFactoryUrl",
  },
  // Keys.
  {
    input: "service-account key that is not base64",
    call: () => serviceAccountAuth("%%% not base64 %%%"),
    argument: "serviceAccountKey",
    keyReason: "not-base64",
  },
  {
    input: "service-account key that is base64 but not JSON",
    call: () => serviceAccountAuth(base64("hello, omni")),
    argument: "serviceAccountKey",
    keyReason: "not-json",
  },
  {
    input: "service-account key without a name",
    call: (c) => serviceAccountAuth(serviceAccountKey({ pgp_key: c.privateKey })),
    argument: "serviceAccountKey",
    keyReason: "missing-name",
  },
  {
    input: "service-account key without a PGP key",
    call: () => serviceAccountAuth(serviceAccountKey({ name: "ci" })),
    argument: "serviceAccountKey",
    keyReason: "missing-pgp-key",
  },
  {
    input: "service-account key holding a public key",
    call: (c) => serviceAccountAuth(serviceAccountKey({ name: "ci", pgp_key: c.publicKey })),
    argument: "serviceAccountKey.pgp_key",
    keyReason: "not-a-private-key",
  },
  {
    input: "service-account key that has expired, used for a call",
    call: (c) =>
      createOmniClient({
        transport: createGrpcTransport({ baseUrl: c.emulator.url }),
        auth: serviceAccountAuth(c.expiredServiceAccountKey),
      }).management.omniconfig(),
    argument: "serviceAccountKey.pgp_key",
    keyReason: "expired",
  },
  {
    input: "PGP auth with text that is not an armored key",
    call: () => pgpAuth({ identity: "admin@example.org", armoredPrivateKey: "garbage" }),
    argument: "armoredPrivateKey",
  },
  {
    input: "ECDSA auth with a short public key ID",
    call: async () =>
      ecdsaAuth({
        identity: "admin@example.org",
        privateKey: (await generateEcdsaKey()).privateKey,
        publicKeyId: "short",
      }),
    argument: "publicKeyId",
  },
  // Label queries.
  {
    input: "label term with an unknown operator",
    call: list([{ key: "role", op: "like", value: "x" }]),
    argument: "options.labels[0].op",
  },
  {
    input: "label term with an empty key",
    call: list([{ key: "", op: "exists" }]),
    argument: "options.labels[0].key",
  },
  {
    input: "numeric label term with a non-numeric value",
    call: list([{ key: "cpus", op: "lt", value: "many", numeric: true }]),
    argument: "options.labels[0].value",
  },
  {
    input: "inverted greater-than label term",
    call: list([{ key: "cpus", op: "gt", value: "4", not: true }]),
    argument: "options.labels[0].not",
  },
  {
    input: "label term 'in' with no values",
    call: list([{ key: "zone", op: "in", values: [] }]),
    argument: "options.labels[0].values",
  },
  {
    input: "label record with a non-string value",
    call: list({ zone: 3 }),
    argument: "options.labels.zone",
  },
  // Resource types for writes.
  {
    input: "create a resource of an unknown type",
    call: (c) =>
      c.client.resources.create(rawResourceType("Widgets.example.dev"), {
        metadata: { id: "w" },
        spec: { protoSpec: new Uint8Array(), yamlSpec: "size: 1\n" },
      }),
    argument: "type",
  },
  {
    input: "destroy a controller-owned status",
    call: (c) => c.client.resources.destroy(ClusterStatuses, "talos-default"),
    argument: "type",
  },
  {
    input: "write with something that is not a type descriptor",
    call: (c) =>
      c.client.resources.create(options<typeof Clusters>({}), { metadata: { id: "x" }, spec: {} }),
    argument: "type",
  },
  // ID regular expressions.
  {
    input: "ID regex that is not a string",
    call: (c) => c.client.resources.listAll(Machines, { idRegex: options<string>(/a/) }),
    argument: "options.idRegex",
  },
  {
    input: "ID regex longer than the 4,096 bytes Omni accepts",
    call: (c) => c.client.resources.listAll(Machines, { idRegex: "a".repeat(4097) }),
    argument: "options.idRegex",
  },
  {
    input: "empty ID regex on a watch",
    call: (c) => c.client.resources.watch(Machines, { idRegex: "" }),
    argument: "options.idRegex",
  },
  // Timeouts.
  {
    input: "client timeoutMs of zero",
    call: (c) => createOmniClient({ transport: c.client.transport, timeoutMs: 0 }),
    argument: "options.timeoutMs",
  },
  {
    input: "client timeoutMs of Infinity",
    call: (c) =>
      createOmniClient({ transport: c.client.transport, timeoutMs: Number.POSITIVE_INFINITY }),
    argument: "options.timeoutMs",
  },
  {
    input: "call timeoutMs that is NaN",
    call: (c) => c.client.management.omniconfig({}, { timeoutMs: Number.NaN }),
    argument: "callOptions.timeoutMs",
  },
  {
    input: "resource call timeoutMs that is negative",
    call: (c) => c.client.resources.get(Clusters, "talos-default", { timeoutMs: -1 }),
    argument: "options.timeoutMs",
  },
  {
    input: "resource list signal that is not an AbortSignal",
    call: (c) => c.client.resources.listAll(Clusters, options({ signal: "abort" })),
    argument: "options.signal",
  },
  {
    input: "resource list with a misspelt key and a bad signal (keys are checked first)",
    call: (c) => c.client.resources.listAll(Clusters, options({ signal: "abort", labelz: {} })),
    argument: "options.labelz",
  },
  {
    input: "watch signal that is not an AbortSignal",
    call: (c) => c.client.resources.watch(Clusters, options({ signal: {} })),
    argument: "options.signal",
  },
  {
    input: "call function given a plain Connect transport",
    call: (c) =>
      listAllResources(createGrpcTransport({ baseUrl: c.emulator.url }) as never, Clusters),
    argument: "transport",
  },
  // Loggers.
  {
    input: "logger that is a function",
    call: (c) => createOmniClient({ transport: c.client.transport, logger: options(console.log) }),
    argument: "options.logger",
  },
  {
    input: "logger without warn and error",
    call: (c) =>
      createOmniClient({
        transport: c.client.transport,
        logger: options({ debug() {}, info() {} }),
      }),
    argument: "options.logger",
  },
];

describe("bad input", () => {
  const context = {} as Context;

  beforeAll(async () => {
    context.emulator = await startOmniEmulator({ seed: 11 });
    context.client = createOmniClient({
      transport: createGrpcTransport({ baseUrl: context.emulator.url }),
      auth: serviceAccountAuth(context.emulator.keys.admin),
    });
    const key = await generatePgpKey({ email: "ci@serviceaccount.omni.sidero.dev" });
    context.privateKey = key.privateKey;
    context.publicKey = key.publicKey;
    const expired = await generatePgpKey({
      email: "old@serviceaccount.omni.sidero.dev",
      keyExpirationTime: 3600,
      date: new Date(Date.now() - 3 * hour),
    });
    context.expiredPublicKey = expired.publicKey;
    context.longLivedPublicKey = (
      await generatePgpKey({
        email: "ci@serviceaccount.omni.sidero.dev",
        keyExpirationTime: 400 * 24 * 3600,
      })
    ).publicKey;
    context.expiredServiceAccountKey = serviceAccountKey({
      name: "old",
      pgp_key: expired.privateKey,
    });
  }, 60_000);

  afterAll(() => context.emulator?.close());

  it("has a row for every kind of input the issue lists", () => {
    expect(rows.length).toBeGreaterThanOrEqual(40);
  });

  it.each(rows.map((row) => [row.input, row] as const))(
    "rejects %s, naming the argument, before sending anything",
    async (_input, row) => {
      context.emulator.resetRequestCounts();
      const error = await errorOf(() => row.call(context));
      expect(error).toBeInstanceOf(row.keyReason ? KeyError : ValidationError);
      const validation = error as ValidationError;
      expect(validation.argument).toBe(row.argument);
      expect(validation.message).toContain(row.argument);
      if (row.keyReason) {
        expect((error as KeyError).reason).toBe(row.keyReason);
      }
      expect(context.emulator.requestCount()).toBe(0);
    },
  );
});
