import { Code } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { startOmniEmulator } from "../../src/emulator/index.js";
import { TalosUpgradeStatusSpec_Phase } from "../../src/gen/omni/specs/omni_pb.js";
import {
  ClusterStatuses,
  MachineStatuses,
  TalosUpgradeStatuses,
} from "../../src/resources/registry.js";
import { clientOver, useEmulator } from "./harness.js";

// The simulation on, with short steps: the seeded upgrade of "staging" (v1.10.4 → v1.10.5) runs
// to its end while the test watches.
const emulator = useEmulator({ simulation: true, timings: { upgradeStepMs: 25 } });

describe("the emulator's upgrade simulation", () => {
  it("moves the seeded Talos upgrade through every machine until it is done", async () => {
    const client = clientOver(emulator(), "native gRPC", { key: "reader" });
    for await (const event of client.resources.watch(TalosUpgradeStatuses, { id: "staging" })) {
      if (
        (event.type === "created" || event.type === "updated") &&
        event.resource.spec.phase === TalosUpgradeStatusSpec_Phase.Done
      ) {
        break;
      }
    }

    const upgrade = await client.resources.get(TalosUpgradeStatuses, "staging");
    expect(upgrade.spec.lastUpgradeVersion).toBe("v1.10.5");
    expect(Number(upgrade.metadata.version)).toBeGreaterThan(1);
    const cluster = await client.resources.get(ClusterStatuses, "staging");
    expect(cluster.spec.talosVersion).toBe("v1.10.5");
    const members = await client.resources.listAll(MachineStatuses, {
      labels: { "omni.sidero.dev/cluster": "staging" },
    });
    expect(members.map((machine) => machine.spec.talosVersion)).toEqual([
      "v1.10.5",
      "v1.10.5",
      "v1.10.5",
    ]);
  }, 30_000);
});

describe("the simulation option", () => {
  it("must be a boolean", async () => {
    await expect(
      startOmniEmulator({ simulation: "yes" as unknown as boolean }),
    ).rejects.toMatchObject({ code: Code.InvalidArgument, argument: "simulation" });
  });
});
