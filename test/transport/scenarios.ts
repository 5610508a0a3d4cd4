import { Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import { expect } from "vitest";
import { serviceAccountAuth } from "../../src/auth/service-account.js";
import { createOmniClient } from "../../src/client.js";
import { OmniError, ReadOnlyModeError } from "../../src/errors.js";
import { ManagementService } from "../../src/gen/omni/management/management_pb.js";
import { State } from "../../src/gen/v1alpha1/state_pb.js";

/** What the scenarios need from a running emulator (the shape of `startOmniEmulator`'s result). */
export interface ScenarioTarget {
  keys: { admin: string; operator: string; reader: string };
  transport: Transport;
}

export interface Scenario {
  name: string;
  run(target: ScenarioTarget): Promise<void>;
}

async function rejection(promise: Promise<unknown>): Promise<OmniError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, "the call should have failed").toBeInstanceOf(OmniError);
  return error as OmniError;
}

function clientFor(target: ScenarioTarget, key: string | undefined, readOnly = false) {
  return createOmniClient({
    transport: target.transport,
    auth: key === undefined ? undefined : serviceAccountAuth(key),
    readOnly,
  });
}

const clustersQuery = { namespace: "default", type: "Clusters.omni.sidero.dev" };

async function drain<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of stream) {
    items.push(item);
  }
  return items;
}

/**
 * One behaviour table, run unchanged over every transport: a difference between transports
 * is a bug in one of them.
 */
export const scenarios: Scenario[] = [
  {
    name: "a signed unary management call returns its document",
    async run(target) {
      const client = clientFor(target, target.keys.admin);
      const response = await createClient(ManagementService, client.transport).omniconfig({});
      expect(new TextDecoder().decode(response.omniconfig)).toContain("contexts");
    },
  },
  {
    name: "a server stream of resources ends after the last item",
    async run(target) {
      const client = clientFor(target, target.keys.reader);
      const items = await drain(createClient(State, client.transport).list(clustersQuery));
      for (const item of items) {
        expect(item.resource?.metadata?.type).toBe(clustersQuery.type);
      }
    },
  },
  {
    name: "an unsigned call is rejected as unauthenticated",
    async run(target) {
      const client = clientFor(target, undefined);
      const error = await rejection(
        createClient(ManagementService, client.transport).omniconfig({}),
      );
      expect(error.code).toBe(Code.Unauthenticated);
    },
  },
  {
    name: "a reader writing is denied by the server",
    async run(target) {
      const client = clientFor(target, target.keys.reader);
      const error = await rejection(
        createClient(ManagementService, client.transport).createJoinToken({ name: "scenario" }),
      );
      expect(error.code).toBe(Code.PermissionDenied);
    },
  },
  {
    name: "read-only mode refuses a write before sending it",
    async run(target) {
      const client = clientFor(target, target.keys.admin, true);
      const error = await rejection(
        createClient(ManagementService, client.transport).createJoinToken({ name: "scenario" }),
      );
      expect(error).toBeInstanceOf(ReadOnlyModeError);
    },
  },
  {
    name: "an aborted watch ends with Canceled",
    async run(target) {
      const client = clientFor(target, target.keys.reader);
      const controller = new AbortController();
      const watch = createClient(State, client.transport).watch(
        { ...clustersQuery, options: { bootstrapContents: true } },
        { signal: controller.signal },
      );
      const iterator = watch[Symbol.asyncIterator]();
      await iterator.next();
      controller.abort();
      const error = await iterator.next().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(ConnectError.from(error).code).toBe(Code.Canceled);
    },
  },
  {
    name: "a watch past its deadline ends with DeadlineExceeded",
    async run(target) {
      const client = clientFor(target, target.keys.reader);
      const watch = createClient(State, client.transport).watch(
        { ...clustersQuery, options: { bootstrapContents: true } },
        { timeoutMs: 300 },
      );
      const error = await drain(watch).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(ConnectError.from(error).code).toBe(Code.DeadlineExceeded);
    },
  },
  {
    name: "a missing resource is NotFound",
    async run(target) {
      const client = clientFor(target, target.keys.reader);
      const error = await rejection(
        createClient(State, client.transport).get({ ...clustersQuery, id: "no-such-cluster" }),
      );
      expect(error.code).toBe(Code.NotFound);
    },
  },
];
