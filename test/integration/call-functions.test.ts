import { describe, expect, it } from "vitest";
import { serviceAccountAuth } from "../../src/auth/service-account.js";
import { ReadOnlyModeError, ValidationError } from "../../src/errors.js";
import * as management from "../../src/management/calls.js";
import { createGrpcTransport } from "../../src/node/grpc-transport.js";
import { createOmniTransport, type OmniTransport } from "../../src/omni-transport.js";
import * as resources from "../../src/resources/calls.js";
import { Clusters, ConfigPatches } from "../../src/resources/registry.js";
import {
  clientOver,
  drain,
  failure,
  recordingTransport,
  transportNames,
  transports,
  useEmulator,
} from "./harness.js";

const emulator = useEmulator();

function omniTransportOver(name: (typeof transportNames)[number], readOnly = false) {
  const make = transports.find(([transportName]) => transportName === name)?.[1];
  if (!make) {
    throw new Error(`unknown transport ${name}`);
  }
  const counting = recordingTransport(make(emulator()));
  const transport = createOmniTransport({
    transport: counting.transport,
    auth: serviceAccountAuth(emulator().keys.admin),
    readOnly,
  });
  // What a JavaScript caller, or a cast, can still pass: the compiler refuses a plain transport.
  const plain = counting.transport as OmniTransport;
  return { transport, sent: counting.sent, plain };
}

describe.each(transportNames)("call functions over %s", (name) => {
  it("read what the client's methods read", async () => {
    const { transport } = omniTransportOver(name);
    const client = clientOver(emulator(), name);
    const ids = (list: { metadata: { id: string } }[]) => list.map((item) => item.metadata.id);
    const listed = await resources.listAll(transport, Clusters);
    expect(listed.length).toBeGreaterThan(0);
    expect(ids(listed)).toEqual(ids(await client.resources.listAll(Clusters)));
    expect(ids(await drain(resources.list(transport, Clusters)))).toEqual(ids(listed));
    const first = listed[0];
    if (!first) {
      throw new Error("the emulator has no clusters");
    }
    const fetched = await resources.get(transport, Clusters, first.metadata.id);
    expect(fetched.spec).toEqual(first.spec);
    const kubeconfig = await management.kubeconfig(transport, { cluster: first.metadata.id });
    expect(kubeconfig).toContain(first.metadata.id);
  });

  it("write and destroy through the same guard and signing", async () => {
    const { transport } = omniTransportOver(name);
    const id = `call-functions-${name.replace(/\W/g, "")}`;
    const created = await resources.create(transport, ConfigPatches, {
      metadata: { id, labels: { "omni.sidero.dev/cluster": "production" } },
      spec: { data: "machine:\n  network:\n    hostname: from-functions\n" },
    });
    expect(created.metadata.id).toBe(id);
    const events = resources.watch(transport, ConfigPatches, { id });
    const iterator = events[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toMatchObject({ type: "created" });
    await iterator.return?.();
    await resources.destroy(transport, ConfigPatches, id);
    const gone = await failure(resources.get(transport, ConfigPatches, id));
    expect(gone.code).toBe(5);
  });

  it("stop writes of a read-only transport before anything is sent", async () => {
    const { transport, sent } = omniTransportOver(name, true);
    const error = await failure(() =>
      resources.create(transport, ConfigPatches, {
        metadata: { id: "never-sent" },
        spec: { data: "machine: {}\n" },
      }),
    );
    expect(error).toBeInstanceOf(ReadOnlyModeError);
    const token = await failure(() =>
      management.createJoinToken(transport, {
        name: "never",
        expirationTime: new Date(Date.now() + 3_600_000),
      }),
    );
    expect(token).toBeInstanceOf(ReadOnlyModeError);
    expect(sent.length).toBe(0);
    expect(await resources.listAll(transport, Clusters)).not.toEqual([]);
    expect(sent.length).toBe(1);
  });
});

describe("call functions on a transport they cannot trust", () => {
  const refusals: [string, (plain: OmniTransport) => unknown][] = [
    ["resources.get", (plain) => resources.get(plain, Clusters, "production")],
    ["resources.listAll", (plain) => resources.listAll(plain, Clusters)],
    [
      "resources.create",
      (plain) => resources.create(plain, ConfigPatches, { metadata: { id: "x" }, spec: {} }),
    ],
    ["resources.destroy", (plain) => resources.destroy(plain, ConfigPatches, "x")],
    ["management.kubeconfig", (plain) => management.kubeconfig(plain, { cluster: "production" })],
    ["management.talosconfig", (plain) => management.talosconfig(plain)],
    [
      "management.machineLogLines",
      (plain) => management.machineLogLines(plain, { machineId: "m" }),
    ],
    ["management.listUsers", (plain) => management.listUsers(plain)],
  ];

  it.each(refusals)("%s refuses a plain Connect transport, sending nothing", async (_, call) => {
    const { plain, sent } = omniTransportOver("native gRPC");
    const error = await failure(() => call(plain));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).argument).toBe("transport");
    expect((error as Error).message).toMatch(/createOmniTransport/);
    expect(sent.length).toBe(0);
  });

  it("streams refuse it when called, before any iteration", () => {
    const { plain, sent } = omniTransportOver("native gRPC");
    expect(() => resources.list(plain, Clusters)).toThrow(ValidationError);
    expect(() => resources.watch(plain, Clusters)).toThrow(ValidationError);
    expect(() => management.machineLogs(plain, { machineId: "m" })).toThrow(ValidationError);
    expect(() => management.getSupportBundle(plain, { cluster: "c" })).toThrow(ValidationError);
    expect(sent.length).toBe(0);
  });

  it("name the transport before any option, like the resource calls", async () => {
    const { plain } = omniTransportOver("native gRPC");
    const error = await failure(() => management.kubeconfig(plain, { cluster: "" }));
    expect((error as ValidationError).argument).toBe("transport");
  });

  it("refuse a plain transport at compile time", () => {
    const plainTransport = createGrpcTransport({ baseUrl: emulator().url });
    // @ts-expect-error: a Connect transport is not an OmniTransport
    expect(() => resources.list(plainTransport, Clusters)).toThrow(ValidationError);
  });

  it("refuse things that are not transports at all", async () => {
    for (const value of [undefined, null, "https://omni.example.org", {}]) {
      const error = await failure(() =>
        management.kubeconfig(value as never, { cluster: "production" }),
      );
      expect(error).toBeInstanceOf(ValidationError);
    }
  });

  it("accept an OmniClient's transport", async () => {
    const client = clientOver(emulator(), "native gRPC");
    const listed = await resources.listAll(client.transport, Clusters);
    expect(listed.map((item) => item.metadata.id)).toEqual(
      (await client.resources.listAll(Clusters)).map((item) => item.metadata.id),
    );
    expect(await management.omniconfig(client.transport)).toContain("contexts");
  });

  it("check their input before sending, as the methods do", async () => {
    const { transport, sent: sentHere } = omniTransportOver("native gRPC");
    const missingCluster = await failure(() => management.kubeconfig(transport, { cluster: "" }));
    expect(missingCluster).toBeInstanceOf(ValidationError);
    expect((missingCluster as ValidationError).argument).toBe("options.cluster");
    const badId = await failure(() => resources.get(transport, Clusters, ""));
    expect(badId).toBeInstanceOf(ValidationError);
    expect(sentHere.length).toBe(0);
  });
});

describe("the facade and the call functions", () => {
  it("offer the same management calls", () => {
    const client = clientOver(emulator(), "native gRPC");
    expect(Object.keys(client.management).sort()).toEqual(Object.keys(management).sort());
  });

  it("keep the facade's methods in the interface's order, each named after its call", () => {
    const client = clientOver(emulator(), "native gRPC");
    const names = Object.keys(client.management);
    expect(names.slice(0, 5)).toEqual([
      "kubeconfig",
      "talosconfig",
      "omniconfig",
      "machineLogs",
      "machineLogLines",
    ]);
    expect(names.at(-1)).toBe("tearDownLockedCluster");
    for (const name of names) {
      expect((client.management as unknown as Record<string, () => unknown>)[name]?.name).toBe(
        name,
      );
    }
  });

  it("offer the same resource calls", () => {
    const client = clientOver(emulator(), "native gRPC");
    expect(Object.keys(client.resources).sort()).toEqual(Object.keys(resources).sort());
  });
});
