import { setTimeout as sleep } from "node:timers/promises";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import {
  type Client,
  Code,
  createClient,
  type Interceptor,
  type Transport,
} from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { createOmniClient } from "../../src/client.js";
import { CanceledError, DeadlineExceededError } from "../../src/errors.js";
import { ManagementService } from "../../src/gen/omni/management/management_pb.js";
import { createGrpcTransport } from "../../src/node/grpc-transport.js";
import { createGatewayTransport } from "../../src/transport/gateway-transport.js";
import { createGrpcWebTransport } from "../../src/transport/grpc-web.js";
import {
  type HostileServer,
  hostileTransport,
  settledWithin,
  until,
  useHostileServers,
} from "./hostile/index.js";
import { drain, type TransportName, transportNames } from "./support.js";

/**
 * A full garbage collection, now. `--expose-gc` turned on from inside the process: the flag is
 * read when a context is created, so a new context has `gc` even though this one does not.
 */
function collectGarbage(): void {
  const exposed: unknown = Reflect.get(globalThis, "gc");
  if (typeof exposed === "function") {
    exposed();
    return;
  }
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  gc();
}

type CallKind = "unary" | "stream";

function callOn(
  client: Client<typeof ManagementService>,
  kind: CallKind,
  options: { signal?: AbortSignal; timeoutMs?: number },
): Promise<unknown> {
  return kind === "unary"
    ? client.omniconfig({}, options)
    : drain(client.machineLogs({ machineId: "m-1", follow: true }, options));
}

const serverFor = useHostileServers();

const gcCases = transportNames.flatMap((name) =>
  (["unary", "stream"] as const).flatMap((kind) =>
    (["deadline", "abort"] as const).map((ending) => ({ name, kind, ending })),
  ),
);

describe("a garbage collection while a call waits for data", () => {
  it.each(gcCases)(
    "over $name ($kind): the $ending still ends the call, on both sides",
    async ({ name, kind, ending }) => {
      const server = serverFor(name);
      server.behave({ kind: "stall" });
      const client = createClient(ManagementService, hostileTransport(name, server));
      const controller = new AbortController();
      const outcome = settledWithin(
        callOn(client, kind, {
          signal: controller.signal,
          timeoutMs: ending === "deadline" ? 2_000 : undefined,
        }),
        15_000,
      );
      // The server has sent half a message; the client reads it and waits for the rest.
      expect(await until(() => server.stats.stalled === 1)).toBe(true);
      await sleep(50);
      collectGarbage();
      if (ending === "abort") {
        await sleep(20);
        controller.abort();
      }
      const result = await outcome;
      expect(result, "the call hung after the garbage collection").not.toBe("hung");
      const error = result !== "hung" && "error" in result ? result.error : undefined;
      expect(error).toMatchObject({
        code: ending === "deadline" ? Code.DeadlineExceeded : Code.Canceled,
      });
      // The server saw the call go: an aborted watch does not stay open there.
      expect(await until(() => server.stats.closedEarly === 1)).toBe(true);
    },
    30_000,
  );
});

/** Marks the signal aborted while the call goes through the interceptors. */
function abortingInterceptor(controller: AbortController): Interceptor {
  return (next) => (req) => {
    controller.abort();
    return next(req);
  };
}

function rawTransportWith(
  name: TransportName,
  server: HostileServer,
  interceptors: Interceptor[],
): Transport {
  switch (name) {
    case "native gRPC":
      return createGrpcTransport({ baseUrl: server.url, interceptors });
    case "gRPC-Web":
      return createGrpcWebTransport({ baseUrl: server.url, interceptors });
    case "gateway":
      return createGatewayTransport({ baseUrl: server.url, interceptors });
  }
}

const abortCases = transportNames.flatMap((name) =>
  (["unary", "stream"] as const).flatMap((kind) =>
    (["a raw transport", "the SDK's client"] as const).flatMap((via) =>
      (["cold", "warm"] as const).map((connection) => ({ name, kind, via, connection })),
    ),
  ),
);

describe("a call whose signal is already aborted", () => {
  it.each(abortCases)(
    "over $name ($kind, $via, $connection connection) sends nothing",
    async ({ name, kind, via, connection }) => {
      const server = serverFor(name);
      server.behave({ kind: "ok" });
      const transport = hostileTransport(name, server);
      const client = createClient(
        ManagementService,
        via === "a raw transport" ? transport : createOmniClient({ transport }).transport,
      );
      if (connection === "warm") {
        await callOn(client, kind, {});
        server.reset();
      }
      const controller = new AbortController();
      controller.abort();
      const result = await settledWithin(callOn(client, kind, { signal: controller.signal }));
      const error = result !== "hung" && "error" in result ? result.error : undefined;
      expect(error).toMatchObject({ code: Code.Canceled });
      if (via === "the SDK's client") {
        expect(error).toBeInstanceOf(CanceledError);
      }
      // Let anything that did leave arrive.
      await sleep(50);
      expect(server.stats).toMatchObject({ connections: 0, requests: 0 });
    },
  );

  it.each(
    transportNames.flatMap((name) =>
      (["unary", "stream"] as const).map((kind) => ({ name, kind })),
    ),
  )(
    "over $name ($kind): aborted while in the interceptors, the call sends nothing",
    async ({ name, kind }) => {
      const server = serverFor(name);
      server.behave({ kind: "ok" });
      // An abort in the transport's own interceptors, and one in the client's (before signing).
      const inTransport = new AbortController();
      const raw = createClient(
        ManagementService,
        rawTransportWith(name, server, [abortingInterceptor(inTransport)]),
      );
      const first = await settledWithin(callOn(raw, kind, { signal: inTransport.signal }));
      expect(first !== "hung" && "error" in first ? first.error : undefined).toMatchObject({
        code: Code.Canceled,
      });
      const inClient = new AbortController();
      const client = createOmniClient({
        transport: hostileTransport(name, server),
        interceptors: [abortingInterceptor(inClient)],
      });
      const second = await settledWithin(
        callOn(createClient(ManagementService, client.transport), kind, {
          signal: inClient.signal,
        }),
      );
      expect(second !== "hung" && "error" in second ? second.error : undefined).toBeInstanceOf(
        CanceledError,
      );
      await sleep(50);
      expect(server.stats).toMatchObject({ connections: 0, requests: 0 });
    },
  );
});

describe("a deadline", () => {
  it.each(transportNames)("ends a call that never gets an answer over %s", async (name) => {
    const server = serverFor(name);
    server.behave({ kind: "silent" });
    const client = createOmniClient({ transport: hostileTransport(name, server), retry: false });
    const result = await settledWithin(client.management.omniconfig({}, { timeoutMs: 300 }));
    expect(result !== "hung" && "error" in result ? result.error : undefined).toBeInstanceOf(
      DeadlineExceededError,
    );
    expect(await until(() => server.stats.closedEarly === 1)).toBe(true);
  });
});
