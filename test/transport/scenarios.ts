import { Code, createClient, type Transport } from "@connectrpc/connect";
import { expect } from "vitest";
import { ecdsaAuth, generateEcdsaKey } from "../../src/auth/ecdsa.js";
import { serviceAccountAuth } from "../../src/auth/service-account.js";
import { createOmniClient } from "../../src/client.js";
import {
  CanceledError,
  DeadlineExceededError,
  NotFoundError,
  OmniError,
  PermissionDeniedError,
  ReadOnlyModeError,
  UnauthenticatedError,
} from "../../src/errors.js";
import { AuthService } from "../../src/gen/omni/auth/auth_pb.js";
import { ManagementService } from "../../src/gen/omni/management/management_pb.js";
import { State } from "../../src/gen/v1alpha1/state_pb.js";
import { Clusters, MachineStatuses } from "../../src/resources/registry.js";

/** What the scenarios need from a running emulator (the shape of `startOmniEmulator`'s result). */
export interface ScenarioTarget {
  keys: { admin: string; operator: string; reader: string };
  transport: Transport;
  /** Confirms a registered key as its owner would on Omni's grant-access page. */
  confirmPublicKey(publicKeyId: string): void;
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

/** A machine of the seeded fleet, for the machine-log scenarios. */
async function someMachineId(target: ScenarioTarget): Promise<string> {
  const [machine] = await clientFor(target, target.keys.reader).resources.listAll(MachineStatuses, {
    labels: { "omni.sidero.dev/cluster": "production" },
  });
  if (!machine) {
    throw new Error("the emulator's seeded fleet has no production machine");
  }
  return machine.metadata.id;
}

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
      expect(error).toBeInstanceOf(CanceledError);
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
      expect(error).toBeInstanceOf(DeadlineExceededError);
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
  // The same behaviours through the facade, the way users call the SDK.
  {
    name: "facade: a unary management call returns its model",
    async run(target) {
      const client = clientFor(target, target.keys.admin);
      expect(await client.management.omniconfig()).toContain("emulator-admin@");
      const token = await client.management.createJoinToken({ name: "facade-scenario" });
      expect(token.id).not.toBe("");
    },
  },
  {
    name: "facade: machine logs stream and end",
    async run(target) {
      const client = clientFor(target, target.keys.reader);
      const machineId = await someMachineId(target);
      const lines = await drain(client.management.machineLogLines({ machineId, tailLines: 4 }));
      expect(lines).toHaveLength(4);
    },
  },
  {
    name: "facade: a followed machine log stops with CanceledError on abort",
    async run(target) {
      const client = clientFor(target, target.keys.reader);
      const machineId = await someMachineId(target);
      const controller = new AbortController();
      const error = await rejection(
        (async () => {
          for await (const _ of client.management.machineLogs(
            { machineId, follow: true, tailLines: 1 },
            { signal: controller.signal },
          )) {
            controller.abort();
          }
        })(),
      );
      expect(error).toBeInstanceOf(CanceledError);
    },
  },
  {
    name: "facade: a followed machine log past its deadline fails with DeadlineExceededError",
    async run(target) {
      const client = clientFor(target, target.keys.reader);
      const machineId = await someMachineId(target);
      const error = await rejection(
        drain(client.management.machineLogs({ machineId, follow: true }, { timeoutMs: 300 })),
      );
      expect(error).toBeInstanceOf(DeadlineExceededError);
    },
  },
  {
    name: "facade: a support bundle arrives as progress, then data chunks",
    async run(target) {
      const client = clientFor(target, target.keys.admin);
      const events = await drain(client.management.getSupportBundle({ cluster: "production" }));
      const kinds = events.map((event) => event.type);
      expect(kinds[0]).toBe("progress");
      expect(kinds.at(-1)).toBe("data");
      expect(kinds.lastIndexOf("progress")).toBeLessThan(kinds.indexOf("data"));
    },
  },
  {
    name: "facade: the audit log streams parsed entries",
    async run(target) {
      const client = clientFor(target, target.keys.admin);
      const entries = await drain(client.management.readAuditLog({ orderByDir: "desc" }));
      expect(entries.length).toBeGreaterThan(0);
      expect(entries.every((entry) => entry.eventType !== "")).toBe(true);
    },
  },
  {
    name: "facade: an aborted resource watch ends with CanceledError",
    async run(target) {
      const client = clientFor(target, target.keys.reader);
      const controller = new AbortController();
      const seen: string[] = [];
      const error = await rejection(
        (async () => {
          for await (const event of client.resources.watch(Clusters, {
            signal: controller.signal,
          })) {
            seen.push(event.type);
            if (event.type === "bootstrapped") {
              controller.abort();
            }
          }
        })(),
      );
      expect(error).toBeInstanceOf(CanceledError);
      expect(seen.at(-1)).toBe("bootstrapped");
    },
  },
  {
    name: "facade: a unary call past the client's timeout fails with DeadlineExceededError",
    async run(target) {
      const client = createOmniClient({ transport: target.transport, timeoutMs: 300 });
      const key = await generateEcdsaKey();
      await client.auth.registerPublicKey({ identity: "admin@example.org", ecdsaKey: key });
      // Omni holds this call open until the key is confirmed, which here never happens. The
      // facade's own method waits as long as Omni does; a raw call keeps the client's deadline.
      const raw = createClient(AuthService, client.transport);
      const error = await rejection(
        raw.awaitPublicKeyConfirmation({ publicKeyId: key.publicKeyId }),
      );
      expect(error).toBeInstanceOf(DeadlineExceededError);
    },
  },
  {
    name: "facade: NotFound, PermissionDenied and Unauthenticated are typed",
    async run(target) {
      const reader = clientFor(target, target.keys.reader);
      expect(await rejection(reader.resources.get(Clusters, "no-such-cluster"))).toBeInstanceOf(
        NotFoundError,
      );
      expect(await rejection(reader.management.createJoinToken({ name: "denied" }))).toBeInstanceOf(
        PermissionDeniedError,
      );
      const unsigned = clientFor(target, undefined);
      expect(await rejection(unsigned.resources.listAll(Clusters))).toBeInstanceOf(
        UnauthenticatedError,
      );
    },
  },
  {
    name: "facade: read-only mode refuses management and resource writes",
    async run(target) {
      const client = clientFor(target, target.keys.admin, true);
      expect(
        await rejection(client.management.createJoinToken({ name: "read-only" })),
      ).toBeInstanceOf(ReadOnlyModeError);
      expect(await rejection(client.resources.destroy(Clusters, "production"))).toBeInstanceOf(
        ReadOnlyModeError,
      );
      expect((await client.resources.listAll(Clusters)).length).toBeGreaterThan(0);
    },
  },
  {
    name: "facade: an ECDSA key registered through client.auth signs once confirmed",
    async run(target) {
      const key = await generateEcdsaKey();
      const identity = "admin@example.org";
      const registered = await createOmniClient({
        transport: target.transport,
      }).auth.registerPublicKey({ identity, ecdsaKey: key });
      target.confirmPublicKey(registered.publicKeyId);
      const client = createOmniClient({
        transport: target.transport,
        auth: ecdsaAuth({ identity, privateKey: key.privateKey, publicKeyId: key.publicKeyId }),
      });
      expect(await client.management.omniconfig()).toContain(identity);
    },
  },
];
