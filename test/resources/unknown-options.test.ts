import { createRouterTransport } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { seedDemoData } from "../../src/emulator/cosi/index.js";
import { createResourcesApi, type ResourcesApi } from "../../src/resources/api.js";
import { lockMachine, unlockMachine } from "../../src/resources/machine-lock.js";
import {
  listOptionKeys,
  lookupOptionKeys,
  resourceCallOptionKeys,
  updateOptionKeys,
  watchOptionKeys,
} from "../../src/resources/option-keys.js";
import {
  listClusterOverviews,
  listMachineOverviews,
  machineOverviewOptionKeys,
} from "../../src/resources/overviews.js";
import { Clusters, MachineLabels, MachineSetNodes } from "../../src/resources/registry.js";
import {
  everyKeyUnset,
  expectNoUnknownKey,
  expectUnknownKey,
  failureOf,
} from "../options/support.js";
import { inMemoryResources } from "./harness.js";

const seeded = () => {
  const harness = inMemoryResources();
  seedDemoData(harness.store, { seed: 7, now: new Date("2026-01-02T03:04:05Z") });
  return harness;
};

// A seeded MachineSetNode, which lockMachine reads and writes back.
const lockableId = (() => {
  const { store } = seeded();
  return store.list("default", MachineSetNodes.type)[0]?.metadata?.id ?? "";
})();

const newLabels = { metadata: { id: "spare-machine" }, spec: {} };
const productionUpdate = {
  metadata: { id: "production", version: "1" },
  spec: { kubernetesVersion: "1.33.2", talosVersion: "1.10.5" },
};

async function drain(items: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of items) {
    // Only whether the stream fails matters.
  }
}

/** The first event of a watch is enough to know the request was taken; the rest never ends. */
async function firstEvent(events: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of events) {
    return;
  }
}

interface Case {
  name: string;
  keys: ReadonlySet<string>;
  typo: [key: string, meant: string | undefined];
  call: (api: ResourcesApi, options: never) => Promise<unknown>;
}

const cases: Case[] = [
  {
    name: "get",
    keys: lookupOptionKeys,
    typo: ["namspace", "namespace"],
    call: (api, options) => api.get(Clusters, "production", options),
  },
  {
    name: "list",
    keys: listOptionKeys,
    typo: ["label", "labels"],
    call: (api, options) => drain(api.list(Clusters, options)),
  },
  {
    name: "listAll",
    keys: listOptionKeys,
    typo: ["idregex", "idRegex"],
    call: (api, options) => api.listAll(Clusters, options),
  },
  {
    name: "watch",
    keys: watchOptionKeys,
    typo: ["tailEvent", "tailEvents"],
    call: (api, options) => firstEvent(api.watch(Clusters, options)),
  },
  {
    name: "create",
    keys: resourceCallOptionKeys,
    typo: ["namespace", undefined],
    call: (api, options) => api.create(MachineLabels, newLabels, options),
  },
  {
    name: "update",
    keys: updateOptionKeys,
    typo: ["expectPhase", "expectedPhase"],
    call: (api, options) => api.update(Clusters, productionUpdate, options),
  },
  {
    name: "destroy",
    keys: lookupOptionKeys,
    typo: ["timeout", "timeoutMs"],
    call: (api, options) => api.destroy(MachineLabels, "spare-machine", options),
  },
  {
    name: "teardown",
    keys: lookupOptionKeys,
    typo: ["header", "headers"],
    call: (api, options) => api.teardown(MachineLabels, "spare-machine", options),
  },
  {
    name: "teardownAndDestroy",
    keys: lookupOptionKeys,
    typo: ["sginal", "signal"],
    call: (api, options) => api.teardownAndDestroy(MachineLabels, "spare-machine", options),
  },
  {
    name: "lockMachine",
    keys: resourceCallOptionKeys,
    typo: ["timeoutMS", "timeoutMs"],
    call: (api, options) => lockMachine(api, lockableId, options),
  },
  {
    name: "unlockMachine",
    keys: resourceCallOptionKeys,
    typo: ["namespace", undefined],
    call: (api, options) => unlockMachine(api, lockableId, options),
  },
  {
    name: "listClusterOverviews",
    keys: resourceCallOptionKeys,
    typo: ["labels", undefined],
    call: (api, options) => listClusterOverviews(api, options),
  },
  {
    name: "listMachineOverviews",
    keys: machineOverviewOptionKeys,
    typo: ["lables", "labels"],
    call: (api, options) => listMachineOverviews(api, options),
  },
];

describe("resource options with a key the call does not know", () => {
  it.each(cases)("$name refuses it before sending", async ({ call, typo }) => {
    const { api, calls } = seeded();
    const [key, meant] = typo;
    expectUnknownKey(
      await failureOf(() => call(api, { [key]: "x" } as never)),
      `options.${key}`,
      meant,
    );
    expect(calls()).toBe(0);
  });

  it("refuses options that are not an object, such as a namespace given in their place", async () => {
    const { api, calls } = seeded();
    const error = await failureOf(() => api.get(Clusters, "production", "default" as never));
    expect(error).toMatchObject({
      argument: "options",
      rawMessage: "options: must be an options object",
    });
    expect(calls()).toBe(0);
  });

  it("createResourcesApi refuses a misspelt option", async () => {
    const transport = createRouterTransport(() => {});
    expectUnknownKey(
      await failureOf(() => createResourcesApi(transport, { timeout: 5 } as never)),
      "options.timeout",
      "timeoutMs",
    );
  });
});

describe("resource options: every key of each options type is accepted", () => {
  it.each(cases)("$name sends with every key present", async ({ keys, call }) => {
    const { api, calls } = seeded();
    expectNoUnknownKey(await failureOf(() => call(api, everyKeyUnset(keys) as never)));
    expect(calls()).toBeGreaterThan(0);
  });

  it("createResourcesApi takes its one option", () => {
    const transport = createRouterTransport(() => {});
    expect(() => createResourcesApi(transport, { timeoutMs: undefined })).not.toThrow();
  });
});
