import type { Transport } from "@connectrpc/connect";
import { expect } from "vitest";
import { serviceAccountAuth } from "../../src/auth/service-account.js";
import { createOmniClient, type OmniClient, type OmniClientOptions } from "../../src/client.js";
import {
  type OmniEmulator,
  type OmniEmulatorOptions,
  startOmniEmulator,
} from "../../src/emulator/index.js";
import { createGrpcTransport } from "../../src/node/grpc-transport.js";
import { createGatewayTransport } from "../../src/transport/gateway-transport.js";
import { createGrpcWebTransport } from "../../src/transport/grpc-web.js";

export type TransportName = "native gRPC" | "gRPC-Web" | "gateway";

export const transportNames: readonly TransportName[] = ["native gRPC", "gRPC-Web", "gateway"];

export function transportFor(emulator: OmniEmulator, name: TransportName): Transport {
  switch (name) {
    case "native gRPC":
      return createGrpcTransport({ baseUrl: emulator.url });
    case "gRPC-Web":
      return createGrpcWebTransport({ baseUrl: emulator.grpcWebUrl });
    case "gateway":
      return createGatewayTransport({ baseUrl: emulator.gatewayUrl });
  }
}

/** A client of the emulator's Admin service account on one transport. */
export function adminClient(
  emulator: OmniEmulator,
  name: TransportName,
  options: Partial<OmniClientOptions> = {},
): OmniClient {
  return createOmniClient({
    transport: transportFor(emulator, name),
    auth: serviceAccountAuth(emulator.keys.admin),
    ...options,
  });
}

// Sockets, listeners, HTTP/2 sessions and timers: what a leak leaves behind. Pipes belong to the
// test runner's output, immediates come and go with every tick.
const trackedKinds = /TCP|Timeout|Http2/;

function countHandles(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) {
    if (trackedKinds.test(kind)) {
      counts.set(kind, (counts.get(kind) ?? 0) + 1);
    }
  }
  return counts;
}

function excess(before: Map<string, number>, after: Map<string, number>): string[] {
  const extra: string[] = [];
  for (const [kind, count] of after) {
    const over = count - (before.get(kind) ?? 0);
    if (over > 0) {
      extra.push(`${over} × ${kind}`);
    }
  }
  return extra;
}

/**
 * Waits until every socket and timer opened since `before` has closed, polling the event loop
 * (closing a socket takes a few ticks); gives up after a generous limit and names what is left.
 */
async function expectHandlesBackTo(before: Map<string, number>): Promise<void> {
  const giveUpAt = Date.now() + 15_000;
  let left = excess(before, countHandles());
  while (left.length > 0 && Date.now() < giveUpAt) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    left = excess(before, countHandles());
  }
  expect(left, "handles still open after the emulator closed").toEqual([]);
}

/**
 * Runs `body` against a fresh emulator and then checks that nothing was left behind: no
 * unhandled rejection during the run, and no socket or timer still open once the emulator has
 * closed and the event loop has settled.
 */
export async function withEmulator(
  options: OmniEmulatorOptions,
  body: (emulator: OmniEmulator) => Promise<void>,
): Promise<void> {
  const before = countHandles();
  // The test runner arms a short timer of its own now and then, so a snapshot may hold one that
  // is gone a moment later. No timer of the SDK or the emulator may outlive the test: none counts.
  before.delete("Timeout");
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on("unhandledRejection", onUnhandled);
  try {
    const emulator = await startOmniEmulator({ seed: 7, ...options });
    try {
      await body(emulator);
    } finally {
      await emulator.close();
    }
    await expectHandlesBackTo(before);
    expect(unhandled, "unhandled rejections").toEqual([]);
  } finally {
    process.off("unhandledRejection", onUnhandled);
  }
}

/**
 * What a call fails with: a throw, a rejection, or the first step of a stream it returns; fails
 * the test when the input was accepted.
 */
export async function errorOf(run: () => unknown): Promise<unknown> {
  try {
    const result = await run();
    if (typeof result === "object" && result !== null && Symbol.asyncIterator in result) {
      for await (const _ of result as AsyncIterable<unknown>) {
        break;
      }
    }
  } catch (error) {
    return error;
  }
  return expect.fail("the input was accepted");
}

/** The error a promise rejects with; fails the test when it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail("the call should have failed"),
    (error: unknown) => error,
  );
}

/** Collects an async iterable. */
export async function drain<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) {
    out.push(item);
  }
  return out;
}
