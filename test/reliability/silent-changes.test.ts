import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateEcdsaKey } from "../../src/auth/ecdsa.js";
import { createSigningInterceptor } from "../../src/auth/interceptor.js";
import { serviceAccountAuth } from "../../src/auth/service-account.js";
import { generateServiceAccountKey } from "../../src/auth/service-account-key.js";
import { createOmniClient, type OmniClient } from "../../src/client.js";
import { type OmniEmulator, startOmniEmulator } from "../../src/emulator/index.js";
import { ValidationError } from "../../src/errors.js";
import { createGrpcTransport } from "../../src/node/grpc-transport.js";
import { createResourcesApi } from "../../src/resources/api.js";
import { Clusters, ConfigPatches, Machines } from "../../src/resources/registry.js";
import type { ResourceInput } from "../../src/resources/types.js";
import { createGatewayTransport } from "../../src/transport/gateway-transport.js";
import { createGrpcWebTransport } from "../../src/transport/grpc-web.js";
import { createFakeOmni } from "../facade/fake-omni.js";
import { errorOf } from "./support.js";

// Issue #21, "silent data loss and silent changes": inputs that were dropped, coerced or taken
// for something else without a word. Each is now a ValidationError naming it, before any I/O.

interface Context {
  emulator: OmniEmulator;
  client: OmniClient;
}

interface Row {
  input: string;
  call: (context: Context) => unknown;
  argument: string;
  /** Text the message must hold, such as the "did you mean" of a misspelt key. */
  says?: string;
}

const patchId = "silent-changes-patch";
const clusterLabel = "omni.sidero.dev/cluster";
const patchSpec = { data: "machine:\n  network:\n    hostname: silent\n" };
/** Bends the types: these inputs are the ones TypeScript would catch, sent from JavaScript. */
const untyped = <T>(value: unknown) => value as T;
const patch = (metadata: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  untyped<ResourceInput<never>>({
    metadata: { id: patchId, ...metadata },
    spec: patchSpec,
    ...extra,
  });

const metadataRows: Row[] = [
  {
    input: "update with a misspelt annotations key",
    call: (c) =>
      c.client.resources.update(
        ConfigPatches,
        patch({ version: "1", labels: { [clusterLabel]: "production" }, anotations: {} }),
      ),
    argument: "resource.metadata.anotations",
    says: "did you mean annotations?",
  },
  {
    input: "create with a misspelt labels key",
    call: (c) => c.client.resources.create(ConfigPatches, patch({ lables: { a: "b" } })),
    argument: "resource.metadata.lables",
    says: "did you mean labels?",
  },
  {
    input: "create with finalizers in snake_case",
    call: (c) => c.client.resources.create(ConfigPatches, patch({ final_izers: ["x"] })),
    argument: "resource.metadata.final_izers",
    says: "did you mean finalizers?",
  },
  {
    input: "create with a key beside metadata and spec",
    call: (c) => c.client.resources.create(ConfigPatches, patch({}, { lables: { a: "b" } })),
    argument: "resource.lables",
  },
  {
    input: "create with labels given as a Map",
    call: (c) =>
      c.client.resources.create(ConfigPatches, patch({ labels: new Map([[clusterLabel, "x"]]) })),
    argument: "resource.metadata.labels",
  },
  {
    input: "update with annotations given as an array",
    call: (c) =>
      c.client.resources.update(ConfigPatches, patch({ version: "1", annotations: ["a"] })),
    argument: "resource.metadata.annotations",
  },
  {
    input: "create with finalizers set to null",
    call: (c) => c.client.resources.create(ConfigPatches, patch({ finalizers: null })),
    argument: "resource.metadata.finalizers",
  },
  {
    input: "create with the metadata of another type",
    call: (c) =>
      c.client.resources.create(ConfigPatches, patch({ type: Clusters.type, labels: {} })),
    argument: "resource.metadata.type",
  },
  {
    input: "create in the tearingDown phase",
    call: (c) => c.client.resources.create(ConfigPatches, patch({ phase: "tearingDown" })),
    argument: "resource.metadata.phase",
  },
  {
    input: "create with a numeric version",
    call: (c) => c.client.resources.create(ConfigPatches, patch({ version: 1 })),
    argument: "resource.metadata.version",
  },
  {
    input: "create with a created time that is not a Date",
    call: (c) => c.client.resources.create(ConfigPatches, patch({ created: "yesterday" })),
    argument: "resource.metadata.created",
  },
];

const hour = 3_600_000;
const someKeyId = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ=";

const typeRows: Row[] = [
  // Booleans that are not booleans.
  {
    input: 'registerPublicKey with skipUserRole "false"',
    call: async (c) =>
      c.client.auth.registerPublicKey({
        identity: "admin@example.org",
        ecdsaKey: await generateEcdsaKey(),
        skipUserRole: untyped("false"),
      }),
    argument: "skipUserRole",
  },
  {
    input: "registerPublicKey with skipUserRole null",
    call: async (c) =>
      c.client.auth.registerPublicKey({
        identity: "admin@example.org",
        ecdsaKey: await generateEcdsaKey(),
        skipUserRole: untyped(null),
      }),
    argument: "skipUserRole",
  },
  {
    input: "registerPublicKey with a role but without skipUserRole, which Omni ignores",
    call: async (c) =>
      c.client.auth.registerPublicKey({
        identity: "admin@example.org",
        ecdsaKey: await generateEcdsaKey(),
        role: "Reader",
      }),
    argument: "role",
  },
  {
    input: "registerPublicKey with skipUserRole and a role Omni does not have",
    call: async (c) =>
      c.client.auth.registerPublicKey({
        identity: "admin@example.org",
        ecdsaKey: await generateEcdsaKey(),
        role: "reader",
        skipUserRole: true,
      }),
    argument: "role",
  },
  // Map keys that were coerced to numbers.
  ...(["", "0x10", "01", " 1", "1e1", "-1", "1.5", "4294967296"] as const).map(
    (key): Row => ({
      input: `createSchematic with the META key ${JSON.stringify(key)}`,
      call: (c) =>
        c.client.management.createSchematic({ metaValues: untyped({ 1: "a", [key]: "b" }) }),
      argument: `options.metaValues[${JSON.stringify(key)}]`,
    }),
  ),
  {
    input: "createSchematic with META values in a Map",
    call: (c) => c.client.management.createSchematic({ metaValues: untyped(new Map([[10, "x"]])) }),
    argument: "options.metaValues",
  },
  {
    input: "createSchematic with META values in an array",
    call: (c) => c.client.management.createSchematic({ metaValues: untyped(["x"]) }),
    argument: "options.metaValues",
  },
  {
    input: "createSchematic with a META value that is a number",
    call: (c) => c.client.management.createSchematic({ metaValues: untyped({ 10: 5 }) }),
    argument: 'options.metaValues["10"]',
  },
  // Header values that were sent as "null" and "[object Object]".
  {
    input: "a management call header set to null",
    call: (c) => c.client.management.omniconfig({}, { headers: untyped({ "x-request-id": null }) }),
    argument: "callOptions.headers.x-request-id",
  },
  {
    input: "a cluster-scoped management call header set to an object",
    call: (c) =>
      c.client.management.kubeconfig(
        { cluster: "talos-default" },
        { headers: untyped({ "x-request-id": { id: 1 } }) },
      ),
    argument: "callOptions.headers.x-request-id",
  },
  {
    input: "a management call header set to a number",
    call: (c) => c.client.management.omniconfig({}, { headers: untyped({ "x-attempt": 2 }) }),
    argument: "callOptions.headers.x-attempt",
  },
  {
    input: "management call headers in a Map with a number value",
    call: (c) =>
      c.client.management.omniconfig({}, { headers: untyped(new Map([["x-request-id", 1]])) }),
    argument: "callOptions.headers",
  },
  {
    input: "management call headers given as a Date",
    call: (c) => c.client.management.omniconfig({}, { headers: untyped(new Date()) }),
    argument: "callOptions.headers",
  },
  {
    input: "resource call headers from a generator, which reads only once",
    call: (c) =>
      c.client.resources.get(Clusters, "talos-default", {
        headers: untyped(
          (function* () {
            yield ["x-request-id", "1"];
          })(),
        ),
      }),
    argument: "options.headers",
  },
  {
    input: "a resource call header set to null",
    call: (c) =>
      c.client.resources.get(Clusters, "talos-default", {
        headers: untyped({ "x-request-id": null }),
      }),
    argument: "options.headers.x-request-id",
  },
  {
    input: "resource watch headers as a list with a pair that is not two strings",
    call: (c) => c.client.resources.watch(Clusters, { headers: untyped([["x-request-id", 1]]) }),
    argument: "options.headers",
  },
  // Options objects that are not options objects.
  {
    input: "a Date as management options",
    call: (c) => c.client.management.omniconfig(untyped(new Date())),
    argument: "options",
  },
  {
    input: "a Map as management options",
    call: (c) => c.client.management.talosconfig(untyped(new Map([["cluster", "talos-default"]]))),
    argument: "options",
  },
  {
    input: "a Map as call options",
    call: (c) => c.client.management.omniconfig({}, untyped(new Map([["timeoutMs", 1]]))),
    argument: "callOptions",
  },
  {
    input: "a Map as resource list options",
    call: (c) => c.client.resources.listAll(Clusters, untyped(new Map([["namespace", "x"]]))),
    argument: "options",
  },
  {
    input: "a Date as client options",
    call: () => createOmniClient(untyped(new Date())),
    argument: "options",
  },
  {
    input: "a label selector given as a Map",
    call: (c) =>
      c.client.resources.listAll(Machines, { labels: untyped(new Map([["zone", "a"]])) }),
    argument: "options.labels",
  },
  // null taken as a default.
  {
    input: "a watch with tailEvents null",
    call: (c) => c.client.resources.watch(Clusters, { tailEvents: untyped(null) }),
    argument: "options.tailEvents",
  },
  {
    input: "a watch with tailEvents as a string",
    call: (c) => c.client.resources.watch(Clusters, { tailEvents: untyped("5") }),
    argument: "options.tailEvents",
  },
  {
    input: "retry maxAttempts null",
    call: (c) =>
      createOmniClient({ transport: c.client.transport, retry: { maxAttempts: untyped(null) } }),
    argument: "options.retry.maxAttempts",
  },
  {
    input: "retry codes null",
    call: (c) =>
      createOmniClient({ transport: c.client.transport, retry: { codes: untyped(null) } }),
    argument: "options.retry.codes",
  },
  {
    input: "a generated service-account key with ttlSeconds null",
    call: () => generateServiceAccountKey({ name: "ci", ttlSeconds: untyped(null) }),
    argument: "options.ttlSeconds",
  },
  {
    input: "a signing interceptor whose clock is not a function",
    call: (c) =>
      createSigningInterceptor(serviceAccountAuth(c.emulator.keys.admin), {
        now: untyped(Date.now()),
      }),
    argument: "options.now",
  },
  {
    input: "a signing interceptor whose clock is null",
    call: (c) =>
      createSigningInterceptor(serviceAccountAuth(c.emulator.keys.admin), { now: untyped(null) }),
    argument: "options.now",
  },
  // The login flow.
  {
    input: "confirmPublicKey with a numeric idToken beside a SAML session",
    call: (c) =>
      c.client.auth.confirmPublicKey(someKeyId, { idToken: untyped(42), samlSession: "s" }),
    argument: "idToken",
  },
  {
    input: "confirmPublicKey with a null samlSession beside an idToken",
    call: (c) =>
      c.client.auth.confirmPublicKey(someKeyId, { idToken: "t", samlSession: untyped(null) }),
    argument: "samlSession",
  },
  {
    input: "awaitPublicKeyConfirmation with a signal that is not an AbortSignal",
    call: (c) => c.client.auth.awaitPublicKeyConfirmation(someKeyId, { signal: untyped("abort") }),
    argument: "options.signal",
  },
  {
    input: "registerPublicKey with call options whose signal is not an AbortSignal",
    call: async (c) =>
      c.client.auth.registerPublicKey(
        {
          identity: "admin@example.org",
          ecdsaKey: await generateEcdsaKey(),
          notAfter: new Date(Date.now() + hour),
        },
        { signal: untyped({}) },
      ),
    argument: "callOptions.signal",
  },
  // Transport options.
  {
    input: "gateway transport interceptors that are not a list",
    call: (c) =>
      createGatewayTransport({ baseUrl: c.emulator.gatewayUrl, interceptors: untyped("log") }),
    argument: "interceptors",
  },
  {
    input: "gRPC-Web transport interceptors holding null",
    call: (c) =>
      createGrpcWebTransport({ baseUrl: c.emulator.grpcWebUrl, interceptors: untyped([null]) }),
    argument: "interceptors[0]",
  },
  {
    input: "resources API options given as a Date",
    call: (c) => createResourcesApi(c.client.transport, untyped(new Date())),
    argument: "options",
  },
];

describe("call headers of a cluster-scoped management call", () => {
  const cases: [string, unknown][] = [
    ["a Headers object", new Headers({ "x-request-id": "7" })],
    ["a list of pairs", [["x-request-id", "7"]]],
    ["a Map", new Map([["x-request-id", "7"]])],
  ];

  it.each(cases)("arrive as given in %s, beside the cluster", async (_kind, headers) => {
    const omni = createFakeOmni();
    const { management } = createOmniClient({ transport: omni.transport });
    await management.kubeconfig({ cluster: "prod" }, { headers: untyped(headers) });
    expect(omni.last().headers.get("x-request-id")).toBe("7");
    expect(omni.last().headers.get("cluster")).toBe("prod");
  });

  it("give way to the cluster of the call, in any letter case", async () => {
    const omni = createFakeOmni();
    const { management } = createOmniClient({ transport: omni.transport });
    await management.kubeconfig({ cluster: "prod" }, { headers: { Cluster: "other" } });
    expect(omni.last().headers.get("cluster")).toBe("prod");
  });
});

describe("silent data loss and silent changes", () => {
  const context = {} as Context;

  beforeAll(async () => {
    context.emulator = await startOmniEmulator({ seed: 21 });
    context.client = createOmniClient({
      transport: createGrpcTransport({ baseUrl: context.emulator.url }),
      auth: serviceAccountAuth(context.emulator.keys.admin),
    });
  }, 60_000);

  afterAll(() => context.emulator?.close());

  it.each([...metadataRows, ...typeRows].map((row) => [row.input, row] as const))(
    "rejects %s, naming it, before sending anything",
    async (_input, row) => {
      context.emulator.resetRequestCounts();
      const error = await errorOf(() => row.call(context));
      expect(error).toBeInstanceOf(ValidationError);
      const validation = error as ValidationError;
      expect(validation.argument).toBe(row.argument);
      expect(validation.message).toContain(row.argument);
      if (row.says) {
        expect(validation.message).toContain(row.says);
      }
      expect(context.emulator.requestCount()).toBe(0);
    },
  );

  it("keeps a resource's annotations when an update misspells their key", async () => {
    const { resources } = context.client;
    const created = await resources.create(ConfigPatches, {
      metadata: {
        id: "kept-annotations",
        labels: { [clusterLabel]: "production" },
        annotations: { owner: "team-a" },
      },
      spec: patchSpec,
    });
    const misspelt = {
      metadata: {
        id: created.metadata.id,
        version: created.metadata.version,
        labels: created.metadata.labels,
        anotations: { owner: "team-b" },
      },
      spec: patchSpec,
    };
    await expect(resources.update(ConfigPatches, untyped(misspelt))).rejects.toThrow(
      "resource.metadata.anotations: is not a known option; did you mean annotations?",
    );
    const stored = await resources.get(ConfigPatches, created.metadata.id);
    expect(stored.metadata.annotations).toEqual({ owner: "team-a" });
    expect(stored.metadata.version).toBe(created.metadata.version);
  });

  it("still takes a resource read earlier, with its read-only metadata, for an update", async () => {
    const { resources } = context.client;
    const created = await resources.create(ConfigPatches, {
      metadata: { id: "read-then-written", labels: { [clusterLabel]: "production" } },
      spec: patchSpec,
    });
    const read = await resources.get(ConfigPatches, created.metadata.id);
    const updated = await resources.update(ConfigPatches, {
      ...read,
      metadata: { ...read.metadata, annotations: { note: "kept" } },
    });
    expect(updated.metadata.annotations).toEqual({ note: "kept" });
    // And the whole resource as read, class instance and all.
    const again = await resources.update(ConfigPatches, updated);
    expect(again.metadata.annotations).toEqual({ note: "kept" });
  });

  it("sends META keys and header values exactly as given when they are valid", async () => {
    const { client } = context;
    await expect(
      client.management.omniconfig({}, { headers: new Headers({ "x-request-id": "7" }) }),
    ).resolves.toContain("contexts");
    await expect(
      client.management.omniconfig({}, { headers: untyped([["x-request-id", "7"]]) }),
    ).resolves.toContain("contexts");
    const schematic = await client.management.createSchematic({ metaValues: { 10: "x" } });
    expect(schematic.id).not.toBe("");
  });
});
