import { Code } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { seedDemoData } from "../../src/emulator/cosi/index.js";
import { ValidationError } from "../../src/errors.js";
import { Clusters } from "../../src/resources/registry.js";
import type { WatchEvent } from "../../src/resources/watch-event.js";
import { inMemoryResources } from "./harness.js";

const seeded = () => {
  const harness = inMemoryResources();
  seedDemoData(harness.store, { seed: 7 });
  return harness;
};

/** Reads events until `count` of them arrived, then leaves the watch. */
async function firstEvents<S>(events: AsyncIterable<WatchEvent<S>>, count: number) {
  const seen: WatchEvent<S>[] = [];
  for await (const event of events) {
    seen.push(event);
    if (seen.length === count) {
      break;
    }
  }
  return seen;
}

describe("watch replays", () => {
  it("does not bootstrap by default when replaying recent events", async () => {
    const { api } = seeded();
    // Omni tails events only in its in-memory namespace.
    const InMemoryClusters = Object.freeze({ ...Clusters, namespace: "ephemeral" });
    await api.create(InMemoryClusters, { metadata: { id: "qa" }, spec: {} });
    await api.create(InMemoryClusters, { metadata: { id: "uat" }, spec: {} });
    const events = await firstEvents(api.watch(InMemoryClusters, { tailEvents: 2 }), 2);
    expect(events.map((e) => [e.type, e.type === "created" && e.resource.metadata.id])).toEqual([
      ["created", "qa"],
      ["created", "uat"],
    ]);
  });

  it("does not bootstrap by default when resuming from a bookmark", async () => {
    const { api } = seeded();
    const [bootstrapped] = await firstEvents(api.watch(Clusters, { labels: { team: "qa" } }), 1);
    expect(bootstrapped?.type).toBe("bootstrapped");
    await api.create(Clusters, { metadata: { id: "qa", labels: { team: "qa" } }, spec: {} });
    const [resumed] = await firstEvents(
      api.watch(Clusters, { labels: { team: "qa" }, startFromBookmark: bootstrapped?.bookmark }),
      1,
    );
    expect(resumed?.type === "created" && resumed.resource.metadata.id).toBe("qa");
  });

  it("refuses combinations COSI refuses, before any call", async () => {
    const { api, calls } = seeded();
    const bookmark = new TextEncoder().encode("1");
    const cases: [Parameters<typeof api.watch>[1], string][] = [
      [{ bootstrap: true, tailEvents: 3 }, "options.bootstrap"],
      [{ bootstrap: true, startFromBookmark: bookmark }, "options.bootstrap"],
      [{ tailEvents: 3, startFromBookmark: bookmark }, "options.tailEvents"],
      [{ id: "dev", tailEvents: 3, startFromBookmark: bookmark }, "options.tailEvents"],
      [{ bootstrap: "yes" as never }, "options.bootstrap"],
    ];
    for (const [options, argument] of cases) {
      const error = await api
        .watch(Clusters, options)
        [Symbol.asyncIterator]()
        .next()
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).argument).toBe(argument);
    }
    expect(calls()).toBe(0);
  });
});

describe("the emulator refuses watch options as COSI does", () => {
  const firstResponse = (
    raw: ReturnType<typeof seeded>["raw"],
    options: { bootstrapContents?: boolean; tailEvents?: number; startFromBookmark?: Uint8Array },
  ) =>
    raw
      .watch({ namespace: Clusters.namespace, type: Clusters.type, options, apiVersion: 1 })
      [Symbol.asyncIterator]()
      .next();

  it("answers Unknown for a bootstrap with a replay, and for both replays", async () => {
    const { raw } = seeded();
    const bookmark = new TextEncoder().encode("1");
    const withBootstrap =
      "cannot use BootstrapContents with TailEvents and StartFromBookmark options";
    await expect(
      firstResponse(raw, { bootstrapContents: true, tailEvents: 1 }),
    ).rejects.toMatchObject({ code: Code.Unknown, rawMessage: withBootstrap });
    await expect(
      firstResponse(raw, { bootstrapContents: true, startFromBookmark: bookmark }),
    ).rejects.toMatchObject({ code: Code.Unknown, rawMessage: withBootstrap });
    await expect(
      firstResponse(raw, { tailEvents: 1, startFromBookmark: bookmark }),
    ).rejects.toMatchObject({
      code: Code.Unknown,
      rawMessage: "cannot use both TailEvents and StartFromBookmark options",
    });
  });

  it("answers Unknown for tail events outside the in-memory namespace, as Omni's etcd store does", async () => {
    const { raw } = seeded();
    await expect(firstResponse(raw, { tailEvents: 1 })).rejects.toMatchObject({
      code: Code.Unknown,
      rawMessage: "failed to watch: tailEvents is not supported",
    });
  });
});
