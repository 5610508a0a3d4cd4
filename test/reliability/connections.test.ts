import { setTimeout as sleep } from "node:timers/promises";
import { createClient } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { createOmniClient } from "../../src/client.js";
import { ManagementService } from "../../src/gen/omni/management/management_pb.js";
import { hostileTransport, useHostileServers } from "./hostile/index.js";
import { drain, type TransportName, transportNames } from "./support.js";

const serverFor = useHostileServers();

function clientOn(name: TransportName) {
  const server = serverFor(name);
  server.behave({ kind: "ok" });
  const transport = createOmniClient({ transport: hostileTransport(name, server) }).transport;
  return { server, client: createClient(ManagementService, transport) };
}

describe("connections", () => {
  it.each(transportNames)("calls one after another share a connection over %s", async (name) => {
    const { server, client } = clientOn(name);
    for (let index = 0; index < 20; index++) {
      await client.omniconfig({});
      if (index % 4 === 0) {
        await drain(client.machineLogs({ machineId: "m-1" }));
      }
    }
    expect(server.stats.requests).toBe(25);
    // Node's fetch frees a connection a moment after the answer ends, so the second call opens
    // another; from then on they take turns. HTTP/2 carries every call on one.
    expect(server.stats.connections).toBeLessThanOrEqual(name === "native gRPC" ? 1 : 2);
  });

  it.each(transportNames)(
    "calls in flight together reuse their connections afterwards over %s",
    async (name) => {
      const { server, client } = clientOn(name);
      const burst = () => Promise.all(Array.from({ length: 8 }, () => client.omniconfig({})));
      // Node's fetch frees a connection a moment after its answer ends; a short pause lets the
      // connections of one burst be free for the next.
      for (let round = 0; round < 3; round++) {
        await burst();
        await sleep(50);
      }
      expect(server.stats.requests).toBe(24);
      // HTTP/2 carries every call on one connection; HTTP/1.1 needs one per call in flight, and
      // keeps them for the next calls.
      expect(server.stats.connections).toBeLessThanOrEqual(name === "native gRPC" ? 1 : 8);
    },
  );
});
