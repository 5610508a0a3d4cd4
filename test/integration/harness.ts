import type { Transport } from "@connectrpc/connect";
import { afterAll, beforeAll, expect } from "vitest";
import { serviceAccountAuth } from "../../src/auth/service-account.js";
import type { OmniAuth } from "../../src/auth/types.js";
import { createOmniClient, type OmniClient } from "../../src/client.js";
import {
  type OmniEmulator,
  type OmniEmulatorOptions,
  startOmniEmulator,
} from "../../src/emulator/index.js";
import { OmniError } from "../../src/errors.js";
import { createGrpcTransport } from "../../src/node/grpc-transport.js";
import { createGatewayTransport } from "../../src/transport/gateway-transport.js";
import { createGrpcWebTransport } from "../../src/transport/grpc-web.js";

export type TransportName = "native gRPC" | "gRPC-Web" | "gateway";

/** The three ways the SDK reaches Omni, each pointed at its emulator listener. */
export const transports: ReadonlyArray<[TransportName, (emulator: OmniEmulator) => Transport]> = [
  ["native gRPC", (emulator) => createGrpcTransport({ baseUrl: emulator.url })],
  ["gRPC-Web", (emulator) => createGrpcWebTransport({ baseUrl: emulator.grpcWebUrl })],
  ["gateway", (emulator) => createGatewayTransport({ baseUrl: emulator.gatewayUrl })],
];

export const transportNames = transports.map(([name]) => name);

/**
 * Starts one emulator for the calling test file (closed after its last test) and returns a
 * getter for it. The upgrade simulation is off unless asked for: these tests compare data.
 */
export function useEmulator(options: OmniEmulatorOptions = {}): () => OmniEmulator {
  let emulator: OmniEmulator | undefined;
  beforeAll(async () => {
    emulator = await startOmniEmulator({ simulation: false, ...options });
  });
  afterAll(async () => {
    await emulator?.close();
  });
  return () => {
    if (!emulator) {
      throw new Error("the emulator is not running yet");
    }
    return emulator;
  };
}

export type KeyRole = "admin" | "operator" | "reader";

export interface ClientSpec {
  /** A service-account key of the emulator (default `admin`), a ready auth, or none. */
  key?: KeyRole | OmniAuth | null;
  readOnly?: boolean;
  timeoutMs?: number;
}

/** A client of `emulator` over the named transport. */
export function clientOver(
  emulator: OmniEmulator,
  transport: TransportName,
  spec: ClientSpec = {},
): OmniClient {
  const make = transports.find(([name]) => name === transport)?.[1];
  if (!make) {
    throw new Error(`unknown transport ${transport}`);
  }
  const key = spec.key === undefined ? "admin" : spec.key;
  return createOmniClient({
    transport: make(emulator),
    auth:
      key === null
        ? undefined
        : typeof key === "string"
          ? serviceAccountAuth(emulator.keys[key])
          : key,
    readOnly: spec.readOnly,
    timeoutMs: spec.timeoutMs,
  });
}

/** Waits for a promise, reads a stream to its end, or first makes either by calling `work`. */
async function settle(
  work: Promise<unknown> | AsyncIterable<unknown> | (() => unknown),
): Promise<void> {
  const result = typeof work === "function" ? work() : work;
  if (typeof result === "object" && result !== null && Symbol.asyncIterator in result) {
    for await (const _ of result as AsyncIterable<unknown>) {
      // Only the error matters.
    }
    return;
  }
  await result;
}

/**
 * What a promise, a stream or a call failed with; a call may also throw before it returns either,
 * as the call functions do for a transport they refuse. Fails the test if nothing failed.
 */
export async function failure(
  work: Promise<unknown> | AsyncIterable<unknown> | (() => unknown),
): Promise<OmniError> {
  const error = await settle(work).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, "the call should have failed with an OmniError").toBeInstanceOf(OmniError);
  return error as OmniError;
}

export async function drain<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of stream) {
    items.push(item);
  }
  return items;
}

/** Reads `count` items of a stream that does not end by itself, then stops reading. */
export async function take<T>(stream: AsyncIterable<T>, count: number): Promise<T[]> {
  const items: T[] = [];
  if (count <= 0) {
    return items;
  }
  for await (const item of stream) {
    items.push(item);
    if (items.length === count) {
      break;
    }
  }
  return items;
}

export const utf8 = new TextDecoder();

/**
 * A transport that records the name of every method the SDK hands it, under the SDK's wrapping,
 * and passes the call on to `inner`.
 */
export function recordingTransport(inner: Transport): { transport: Transport; sent: string[] } {
  const sent: string[] = [];
  return {
    sent,
    transport: {
      unary(method, ...rest) {
        sent.push(method.name);
        return inner.unary(method, ...rest);
      },
      stream(method, ...rest) {
        sent.push(method.name);
        return inner.stream(method, ...rest);
      },
    },
  };
}
