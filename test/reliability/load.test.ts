import { describe, expect, it } from "vitest";
import { Clusters, Machines } from "../../src/resources/registry.js";
import { adminClient, type TransportName, transportNames, withEmulator } from "./support.js";

const unaryCalls = 1_000;
const streams = 100;

describe.each(transportNames)("load over %s", (name: TransportName) => {
  it(`answers ${unaryCalls} concurrent unary calls and ${streams} concurrent streams correctly, then closes every socket`, async () => {
    await withEmulator({}, async (emulator) => {
      const client = adminClient(emulator, name, { timeoutMs: 60_000 });
      const machineIds = (await client.resources.listAll(Machines)).map((m) => m.metadata.id);
      const clusterIds = (await client.resources.listAll(Clusters)).map((c) => c.metadata.id);
      expect(machineIds.length).toBeGreaterThan(1);
      emulator.resetRequestCounts();

      // Each call asks for a different machine and must get that very machine back.
      const gets = Array.from({ length: unaryCalls }, async (_, index) => {
        const id = machineIds[index % machineIds.length] ?? "";
        const machine = await client.resources.get(Machines, id);
        return machine.metadata.id === id;
      });
      const lists = Array.from({ length: streams }, async (_, index) => {
        const ids =
          index % 2 === 0
            ? (await client.resources.listAll(Machines)).map((m) => m.metadata.id)
            : (await client.resources.listAll(Clusters)).map((c) => c.metadata.id);
        return JSON.stringify(ids) === JSON.stringify(index % 2 === 0 ? machineIds : clusterIds);
      });
      const [getResults, listResults] = await Promise.all([Promise.all(gets), Promise.all(lists)]);

      expect(getResults.filter((ok) => !ok)).toEqual([]);
      expect(listResults.filter((ok) => !ok)).toEqual([]);
      expect(emulator.requestCount("/cosi.resource.State/Get")).toBe(unaryCalls);
      expect(emulator.requestCount("/cosi.resource.State/List")).toBe(streams);
    });
  }, 120_000);
});
