import { once } from "node:events";
import { createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { Code, createClient, createRouterTransport, type Interceptor } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { serviceAccountAuth } from "../../src/auth/service-account.js";
import { createOmniClient } from "../../src/client.js";
import { startOmniEmulator } from "../../src/emulator/index.js";
import { type OmniError, UnavailableError, ValidationError } from "../../src/errors.js";
import { ManagementService } from "../../src/gen/omni/management/management_pb.js";
import { createGrpcTransport } from "../../src/node/grpc-transport.js";
import { createGrpcWebTransport } from "../../src/transport/grpc-web.js";

/** A ManagementService that records each call's deadline and takes `delayMs` to answer. */
function slowOmni(delayMs: number, transportDefaultMs?: number) {
  const deadlines: (number | undefined)[] = [];
  const transport = createRouterTransport(
    ({ service }) =>
      service(ManagementService, {
        async omniconfig(_request, ctx) {
          deadlines.push(ctx.timeoutMs());
          await sleep(delayMs);
          return { omniconfig: new TextEncoder().encode("contexts: {}") };
        },
        async *machineLogs(_request, ctx) {
          deadlines.push(ctx.timeoutMs());
          await sleep(delayMs);
          yield { bytes: new Uint8Array([1]) };
        },
      }),
    { transport: { defaultTimeoutMs: transportDefaultMs } },
  );
  return { transport, deadlines };
}

describe("deadlines as gRPC can carry them", () => {
  it("sends a fractional deadline as whole milliseconds, which a gRPC server accepts", async () => {
    const emulator = await startOmniEmulator();
    try {
      const client = createOmniClient({
        transport: createGrpcTransport({ baseUrl: emulator.url }),
        auth: serviceAccountAuth(emulator.keys.reader),
      });
      const raw = createClient(ManagementService, client.transport);
      // A write is sent once, with the deadline as the caller gave it (reads are re-timed).
      const error = await raw
        .destroyServiceAccount({ name: "no-such-account" }, { timeoutMs: 1500.5 })
        .catch((e: unknown) => e);
      // Omni's answer (a Reader may not), not a refused `grpc-timeout: 1500.5m`.
      expect((error as OmniError).code).toBe(Code.PermissionDenied);
    } finally {
      await emulator.close();
    }
  });

  it("refuses a deadline longer than gRPC carries, before anything is sent", async () => {
    const omni = slowOmni(0);
    expect(() => createOmniClient({ transport: omni.transport, timeoutMs: 100_000_000 })).toThrow(
      ValidationError,
    );
    const raw = createClient(
      ManagementService,
      createOmniClient({ transport: omni.transport }).transport,
    );
    const error = await raw.omniconfig({}, { timeoutMs: 100_000_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(omni.deadlines).toEqual([]);
  });

  it("reads a deadline of zero as none, as Connect does, for reads that are retried too", async () => {
    const omni = slowOmni(80);
    const client = createOmniClient({ transport: omni.transport, timeoutMs: 20 });
    const raw = createClient(ManagementService, client.transport);
    await expect(raw.omniconfig({}, { timeoutMs: 0 })).resolves.toBeDefined();
    expect(omni.deadlines).toEqual([undefined]);
  });

  it("gives streams no deadline the caller did not ask for, whatever the transport's default", async () => {
    const omni = slowOmni(80, 20);
    const client = createOmniClient({ transport: omni.transport });
    const lines: Uint8Array[] = [];
    for await (const chunk of client.management.machineLogs({ machineId: "m-1" })) {
      lines.push(chunk);
    }
    expect(lines).toHaveLength(1);
    expect(omni.deadlines).toEqual([undefined]);
  });
});

describe("the wrapped transport", () => {
  it("fails a call by rejecting, never by throwing", () => {
    const omni = slowOmni(0);
    const transport = createOmniClient({ transport: omni.transport }).transport;
    let thrown: unknown;
    let result: Promise<unknown> | undefined;
    try {
      result = transport.unary(
        ManagementService.method.omniconfig,
        undefined,
        undefined,
        { "x-note": "café" },
        {},
      );
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeUndefined();
    return expect(result).rejects.toBeInstanceOf(ValidationError);
  });

  it("keeps a call that succeeded successful when the logger throws", async () => {
    const omni = slowOmni(0);
    const failing = () => {
      throw new Error("log sink closed");
    };
    const client = createOmniClient({
      transport: omni.transport,
      logger: { debug: failing, info: failing, warn: failing, error: failing },
    });
    await expect(client.management.omniconfig()).resolves.toBe("contexts: {}");
  });

  it("gives the caller's interceptors a signal of their own for every call", async () => {
    const omni = slowOmni(0);
    const signals: AbortSignal[] = [];
    const record: Interceptor = (next) => (req) => {
      signals.push(req.signal);
      return next(req);
    };
    const client = createOmniClient({ transport: omni.transport, interceptors: [record] });
    await client.management.omniconfig();
    await client.management.omniconfig();
    expect(signals).toHaveLength(2);
    expect(signals[0]).not.toBe(signals[1]);
  });
});

describe("gRPC-Web when the proxy cannot be reached", () => {
  it("is Unavailable, which reads retry, as over native gRPC", async () => {
    // A port that was just free: nothing listens there.
    const server = createServer().listen(0, "127.0.0.1");
    await once(server, "listening");
    const { port } = server.address() as { port: number };
    server.close();
    await once(server, "close");
    const retries: string[] = [];
    const client = createOmniClient({
      transport: createGrpcWebTransport({ baseUrl: `http://127.0.0.1:${port}` }),
      retry: { maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 1 },
      logger: { debug: (message) => retries.push(message), info() {}, warn() {}, error() {} },
    });
    const error = await client.management.omniconfig().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as OmniError).message).toContain("cannot reach the gRPC-Web proxy");
    expect(retries.some((line) => line.startsWith("omni retry"))).toBe(true);
  });
});
