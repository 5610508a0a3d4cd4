import type { Transport } from "@connectrpc/connect";
import { afterAll, beforeAll } from "vitest";
import { createGrpcTransport } from "../../../src/node/grpc-transport.js";
import { createGatewayTransport } from "../../../src/transport/gateway-transport.js";
import { createGrpcWebTransport } from "../../../src/transport/grpc-web.js";
import { type TransportName, transportNames } from "../support.js";
import type { HostileServer } from "./behaviours.js";
import { startHostileGatewayServer } from "./gateway-server.js";
import { startHostileGrpcServer } from "./grpc-server.js";
import { startHostileGrpcWebServer } from "./grpc-web-server.js";

export * from "./behaviours.js";

/** The hostile server of the protocol a transport speaks. */
export function startHostileServer(name: TransportName): Promise<HostileServer> {
  switch (name) {
    case "native gRPC":
      return startHostileGrpcServer();
    case "gRPC-Web":
      return startHostileGrpcWebServer();
    case "gateway":
      return startHostileGatewayServer();
  }
}

/**
 * One hostile server per transport for the calling test file (or describe block), started before
 * its first test and closed after its last. The getter hands out a server with zeroed counters.
 */
export function useHostileServers(): (name: TransportName) => HostileServer {
  const servers = new Map<TransportName, HostileServer>();
  beforeAll(async () => {
    for (const name of transportNames) {
      servers.set(name, await startHostileServer(name));
    }
  });
  afterAll(async () => {
    await Promise.all([...servers.values()].map((server) => server.close()));
  });
  return (name) => {
    const server = servers.get(name);
    if (!server) {
      throw new Error(`no server for ${name}`);
    }
    server.reset();
    return server;
  };
}

/** Options every transport takes, for the tests that set them. */
export interface CommonTransportOptions {
  maxResponseBytes?: number;
}

/** The SDK's transport of a kind, pointed at a hostile server. */
export function hostileTransport(
  name: TransportName,
  server: HostileServer,
  options: CommonTransportOptions = {},
): Transport {
  switch (name) {
    case "native gRPC":
      return createGrpcTransport({ baseUrl: server.url, ...options });
    case "gRPC-Web":
      return createGrpcWebTransport({ baseUrl: server.url, ...options });
    case "gateway":
      return createGatewayTransport({ baseUrl: server.url, ...options });
  }
}

/** Polls `condition` until it holds, for at most `limitMs`; says whether it came to hold. */
export async function until(condition: () => boolean, limitMs = 10_000): Promise<boolean> {
  const giveUpAt = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > giveUpAt) {
      return false;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return true;
}

/**
 * What a promise settles with, or "hung" when it has not settled after `limitMs`: a hang shows
 * as a failed expectation instead of a test that never ends.
 */
export async function settledWithin<T>(
  promise: Promise<T>,
  limitMs = 10_000,
): Promise<{ value: T } | { error: unknown } | "hung"> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<"hung">((resolve) => {
    timer = setTimeout(() => resolve("hung"), limitMs);
  });
  try {
    return await Promise.race([
      promise.then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      ),
      hung,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
