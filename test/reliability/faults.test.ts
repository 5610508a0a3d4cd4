import { Code } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import {
  CanceledError,
  DeadlineExceededError,
  NotFoundError,
  PermissionDeniedError,
  UnavailableError,
} from "../../src/errors.js";
import { Clusters, Machines } from "../../src/resources/registry.js";
import {
  adminClient,
  drain,
  rejectionOf,
  type TransportName,
  transportNames,
  withEmulator,
} from "./support.js";

const omniconfig = "/management.ManagementService/Omniconfig";
const listUsers = "/management.ManagementService/ListUsers";
const stateList = "/cosi.resource.State/List";
const stateWatch = "/cosi.resource.State/Watch";
const stateGet = "/cosi.resource.State/Get";

describe.each(transportNames)("emulator faults over %s", (name: TransportName) => {
  it("a list cut mid-way yields what arrived, then UnavailableError", async () => {
    await withEmulator({}, async (emulator) => {
      const client = adminClient(emulator, name);
      const all = await client.resources.listAll(Machines);
      expect(all.length).toBeGreaterThan(2);
      emulator.setFaults({ streamCut: { methods: [stateList], afterMessages: 2 } });
      const received: string[] = [];
      const error = await rejectionOf(
        (async () => {
          for await (const machine of client.resources.list(Machines)) {
            received.push(machine.metadata.id);
          }
        })(),
      );
      expect(error).toBeInstanceOf(UnavailableError);
      expect(received).toEqual(all.slice(0, 2).map((machine) => machine.metadata.id));
    });
  });

  it("a watch cut mid-way ends with the cut's code", async () => {
    await withEmulator(
      // The first message of a watch is an empty "ready" marker; two events follow it here.
      { faults: { streamCut: { methods: [stateWatch], afterMessages: 3, code: Code.Internal } } },
      async (emulator) => {
        const client = adminClient(emulator, name);
        const events: string[] = [];
        const error = await rejectionOf(
          (async () => {
            for await (const event of client.resources.watch(Clusters)) {
              events.push(event.type);
            }
          })(),
        );
        expect(events).toHaveLength(2);
        expect(events.every((type) => type === "created" || type === "bootstrapped")).toBe(true);
        expect(error).toMatchObject({ code: Code.Internal });
      },
    );
  });

  it("a stalled unary call ends with DeadlineExceededError at its deadline", async () => {
    await withEmulator({ faults: { stall: { methods: [omniconfig] } } }, async (emulator) => {
      const client = adminClient(emulator, name, { timeoutMs: 300 });
      expect(await rejectionOf(client.management.omniconfig())).toBeInstanceOf(
        DeadlineExceededError,
      );
      // Deadlines are not retried: the call was sent once.
      expect(emulator.requestCount(omniconfig)).toBe(1);
    });
  });

  it("a stalled stream ends with CanceledError when the caller aborts", async () => {
    await withEmulator({ faults: { stall: { methods: [stateList] } } }, async (emulator) => {
      const client = adminClient(emulator, name);
      const controller = new AbortController();
      const listing = drain(client.resources.list(Clusters, { signal: controller.signal }));
      // Abort once the request has reached the emulator, so the cancel crosses the wire.
      while (emulator.requestCount(stateList) === 0) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      controller.abort();
      expect(await rejectionOf(listing)).toBeInstanceOf(CanceledError);
    });
  });

  it("a stalled stream with a deadline ends with DeadlineExceededError", async () => {
    await withEmulator({ faults: { stall: { methods: [stateList] } } }, async (emulator) => {
      const client = adminClient(emulator, name);
      const listing = drain(client.resources.list(Clusters, { timeoutMs: 300 }));
      expect(await rejectionOf(listing)).toBeInstanceOf(DeadlineExceededError);
    });
  });

  it("an error on a chosen method fails that method only, with its typed error", async () => {
    await withEmulator(
      { faults: { errors: [{ methods: [listUsers], code: Code.PermissionDenied }] } },
      async (emulator) => {
        const client = adminClient(emulator, name);
        const error = await rejectionOf(client.management.listUsers());
        expect(error).toBeInstanceOf(PermissionDeniedError);
        expect(error).toMatchObject({ method: listUsers });
        await expect(client.management.omniconfig()).resolves.toContain("contexts");
        expect(await rejectionOf(client.resources.get(Clusters, "no-such-cluster"))).toBeInstanceOf(
          NotFoundError,
        );
      },
    );
  });

  it("added latency leaves answers unchanged, and past the deadline is DeadlineExceededError", async () => {
    await withEmulator({}, async (emulator) => {
      const client = adminClient(emulator, name);
      const expected = await client.resources.listAll(Clusters);
      emulator.setFaults({ latency: { minMs: 20, maxMs: 60 } });
      const slow = await client.resources.listAll(Clusters);
      expect(slow.map((cluster) => cluster.metadata.id)).toEqual(
        expected.map((cluster) => cluster.metadata.id),
      );
      emulator.setFaults({ latency: { methods: [stateGet], ms: 5_000 } });
      const late = client.resources.get(Clusters, expected[0]?.metadata.id ?? "", {
        timeoutMs: 200,
      });
      expect(await rejectionOf(late)).toBeInstanceOf(DeadlineExceededError);
    });
  });
});
