import { clone, create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { CosiStore } from "../../src/emulator/cosi/index.js";
import {
  FailedPreconditionError,
  NotFoundError,
  OmniError,
  toOmniError,
} from "../../src/errors.js";
import { type ConfigPatchSpec, ConfigPatchSpecSchema } from "../../src/gen/omni/specs/omni_pb.js";
import { ResourceSchema } from "../../src/gen/v1alpha1/resource_pb.js";
import { type Event, EventType, type WatchRequest } from "../../src/gen/v1alpha1/state_pb.js";
import { ConfigPatches as StoredPatches } from "../../src/resources/registry.js";
import type { TypedResourceType } from "../../src/resources/types.js";
import type { WatchEvent } from "../../src/resources/watch-event.js";
import { inMemoryResources } from "./harness.js";

const spec = (data: string) => create(ConfigPatchSpecSchema, { data });

// Config patches kept in memory: Omni can tail events only in its in-memory namespace.
const ConfigPatches: TypedResourceType<ConfigPatchSpec> = Object.freeze({
  ...StoredPatches,
  namespace: "ephemeral",
});

async function withPatches(ids: readonly string[]) {
  const harness = inMemoryResources();
  for (const id of ids) {
    await harness.api.create(ConfigPatches, { metadata: { id }, spec: spec(`# ${id}\n`) });
  }
  return harness;
}

/** The first `count` events of a raw watch, after its empty "ready" response. */
async function rawEvents(
  harness: Awaited<ReturnType<typeof withPatches>>,
  request: Partial<WatchRequest>,
  count: number,
): Promise<Event[]> {
  const controller = new AbortController();
  const events: Event[] = [];
  try {
    for await (const response of harness.raw.watch(
      { namespace: "ephemeral", type: ConfigPatches.type, apiVersion: 1, ...request },
      { signal: controller.signal },
    )) {
      events.push(...response.event);
      if (events.length >= count) {
        break;
      }
    }
  } finally {
    controller.abort();
  }
  return events;
}

async function failureOf(work: () => Promise<unknown>): Promise<OmniError> {
  const error = await work().then(
    () => undefined,
    (e: unknown) => toOmniError(e),
  );
  expect(error, "the call should have failed").toBeInstanceOf(OmniError);
  return error as OmniError;
}

describe("the emulator's COSI state, as cosi-project/runtime behaves", () => {
  it("lists and bootstraps in ID order, not in the order of creation", async () => {
    const harness = await withPatches(["c", "a", "b"]);
    const listed = await harness.api.listAll(ConfigPatches);
    expect(listed.map((patch) => patch.metadata.id)).toEqual(["a", "b", "c"]);
    const events = await rawEvents(harness, { options: { bootstrapContents: true } as never }, 4);
    expect(events.map((event) => event.resource?.metadata?.id)).toEqual(["a", "b", "c", ""]);
  });

  it("replays only the watched resource's own changes, with no current-state event", async () => {
    const harness = await withPatches(["a", "b"]);
    for (const id of ["a", "b"]) {
      const current = await harness.api.get(ConfigPatches, id);
      await harness.api.update(ConfigPatches, { ...current, spec: spec(`# ${id} v2\n`) });
    }
    const events = await rawEvents(harness, { id: "a", options: { tailEvents: 2 } as never }, 2);
    expect(events.map((event) => [event.eventType, event.resource?.metadata?.id])).toEqual([
      [EventType.CREATED, "a"],
      [EventType.UPDATED, "a"],
    ]);
    expect(events.every((event) => event.bookmark !== undefined)).toBe(true);
  });

  it("marks the end of the bootstrap with a tombstone and a bookmark that resumes after it", async () => {
    const harness = await withPatches(["a"]);
    const [, bootstrapped, noop] = await rawEvents(
      harness,
      { options: { bootstrapContents: true, bootstrapBookmark: true } as never },
      3,
    );
    expect(bootstrapped?.eventType).toBe(EventType.BOOTSTRAPPED);
    expect(bootstrapped?.resource?.metadata?.type).toBe(ConfigPatches.type);
    expect(bootstrapped?.bookmark).toBeDefined();
    // bootstrap_bookmark adds a no-op event carrying the same bookmark.
    expect(noop?.eventType).toBe(EventType.NOOP);
    expect(noop?.bookmark).toEqual(bootstrapped?.bookmark);

    await harness.api.create(ConfigPatches, { metadata: { id: "later" }, spec: spec("# later\n") });
    const resumed: WatchEvent<unknown>[] = [];
    const controller = new AbortController();
    for await (const event of harness.api.watch(ConfigPatches, {
      startFromBookmark: bootstrapped?.bookmark,
      signal: controller.signal,
    })) {
      resumed.push(event);
      break;
    }
    controller.abort();
    expect(resumed.map((event) => event.type === "created" && event.resource.metadata.id)).toEqual([
      "later",
    ]);
  });

  it("sends the start-bookmark no-op before replayed changes, marking where they start", async () => {
    const harness = await withPatches(["a", "b"]);
    const events = await rawEvents(
      harness,
      { options: { tailEvents: 1, bootstrapBookmark: true } as never },
      2,
    );
    expect(events.map((event) => event.eventType)).toEqual([EventType.NOOP, EventType.CREATED]);
    expect(events[1]?.resource?.metadata?.id).toBe("b");
    // Resuming from the no-op's bookmark replays the same change.
    const resumed = await rawEvents(
      harness,
      { options: { startFromBookmark: events[0]?.bookmark } as never },
      1,
    );
    expect(resumed[0]?.resource?.metadata?.id).toBe("b");
  });

  it("refuses bookmarks it never gave out, from the future or from another instance", async () => {
    const harness = await withPatches(["a"]);
    const [created] = await rawEvents(harness, { options: { tailEvents: 1 } as never }, 1);
    const bookmark = created?.bookmark ?? new Uint8Array();
    const other = await withPatches(["a", "b", "c"]);
    for (const [state, foreign] of [
      [other, bookmark],
      [harness, new TextEncoder().encode("999")],
    ] as const) {
      const error = await failureOf(() =>
        rawEvents(state, { options: { startFromBookmark: foreign } as never }, 1),
      );
      expect(error).toBeInstanceOf(FailedPreconditionError);
    }
  });

  it("checks an update's version before its expected phase", async () => {
    const harness = await withPatches(["a"]);
    const current = await harness.api.get(ConfigPatches, "a");
    const stale = { ...current, metadata: { ...current.metadata, version: "7" } };
    const error = await failureOf(() =>
      harness.api.update(ConfigPatches, stale, { expectedPhase: "tearingDown" }),
    );
    expect(error).toBeInstanceOf(FailedPreconditionError);
  });

  it("resolves a teardown-and-destroy whose resource someone else destroys while it waits", async () => {
    const store = new CosiStore();
    const harness = inMemoryResources(store);
    await harness.api.create(ConfigPatches, {
      metadata: { id: "held", finalizers: ["controller"] },
      spec: spec("# held\n"),
    });
    const pending = harness.api.teardownAndDestroy(ConfigPatches, "held");
    // Once the teardown has begun, the call waits for the finalizer to go.
    while (store.get("ephemeral", ConfigPatches.type, "held")?.metadata?.phase !== "tearingDown") {
      await new Promise((resolve) => setImmediate(resolve));
    }
    // Someone else releases and destroys it first.
    store.modify("ephemeral", ConfigPatches.type, "held", (resource) => {
      const released = clone(ResourceSchema, resource);
      released.metadata?.finalizers.splice(0);
      return released;
    });
    store.destroy("ephemeral", ConfigPatches.type, "held");
    // COSI's RPC fails with NotFound here; the SDK resolves, as the resource is gone as asked
    // (real Omni destroys torn-down resources itself, so this is its common case).
    await expect(pending).resolves.toBeUndefined();
    expect(await failureOf(() => harness.api.get(ConfigPatches, "held"))).toBeInstanceOf(
      NotFoundError,
    );
  });
});
