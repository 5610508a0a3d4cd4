import { afterAll, describe, expect, it } from "vitest";
import type { ConfigPatchSpec } from "../../src/gen/omni/specs/omni_pb.js";
import {
  ConfigPatches,
  FailedPreconditionError,
  InvalidArgumentError,
  MachineLabels,
  NotFoundError,
  type OmniClient,
  type ResourceType,
  type WatchEvent,
} from "../../src/index.js";
import { failure, realClient, take, transportNames, uniqueName } from "./harness.js";
import { removeCreated, untilDestroyed } from "./resources-fixtures.js";

const created: Array<[OmniClient, ResourceType, string]> = [];

afterAll(async () => {
  for (const [omni, type, id] of created) {
    await removeCreated(omni, type, id);
  }
});

const patch = (value: string) => ({ data: `machine:\n  env:\n    A: ${value}\n` });

/** An event reduced to what the tests compare: its kind, ID, version, phase and patch text. */
function summary(event: WatchEvent<ConfigPatchSpec>) {
  if (event.type === "bootstrapped") {
    return { type: event.type };
  }
  const { id, version, phase } = event.resource.metadata;
  const base = { type: event.type, id, version, phase, data: event.resource.spec.data };
  return event.type === "updated"
    ? { ...base, oldVersion: event.old?.metadata.version, oldData: event.old?.spec.data }
    : base;
}

describe.each(transportNames)("resource watches on real Omni over %s", (transport) => {
  const omni = realClient(transport);

  it("bootstraps with the existing resources, then reports creates, updates and destroys", async () => {
    const prefix = uniqueName("sdk-watch");
    const first = `${prefix}-a`;
    const second = `${prefix}-b`;
    await omni.resources.create(ConfigPatches, { metadata: { id: first }, spec: patch("1") });
    created.push([omni, ConfigPatches, first]);

    const abort = new AbortController();
    const events = omni.resources.watch(ConfigPatches, {
      idRegex: `^${prefix}-`,
      signal: abort.signal,
    });
    const iterator = events[Symbol.asyncIterator]();
    const next = async () => {
      const result = await iterator.next();
      if (result.done) {
        throw new Error("the watch ended");
      }
      return result.value;
    };
    try {
      const bootstrap = [await next(), await next()];
      expect(bootstrap.map(summary)).toEqual([
        { type: "created", id: first, version: "1", phase: "running", data: patch("1").data },
        { type: "bootstrapped" },
      ]);
      // COSI hands out a bookmark with the bootstrap so a later watch can resume after it.
      expect(bootstrap[1]?.bookmark?.length).toBeGreaterThan(0);

      await omni.resources.create(ConfigPatches, { metadata: { id: second }, spec: patch("2") });
      created.push([omni, ConfigPatches, second]);
      expect(summary(await next())).toEqual({
        type: "created",
        id: second,
        version: "1",
        phase: "running",
        data: patch("2").data,
      });

      const read = await omni.resources.get(ConfigPatches, second);
      await omni.resources.update(ConfigPatches, { ...read, spec: patch("3") });
      expect(summary(await next())).toEqual({
        type: "updated",
        id: second,
        version: "2",
        phase: "running",
        data: patch("3").data,
        oldVersion: "1",
        oldData: patch("2").data,
      });

      await omni.resources.destroy(ConfigPatches, first);
      // A destroyed event carries the resource as it was last stored.
      expect(summary(await next())).toEqual({
        type: "destroyed",
        id: first,
        version: "1",
        phase: "running",
        data: patch("1").data,
      });
    } finally {
      abort.abort();
    }
  });

  it("watches one ID: a destroyed event first while it does not exist, then its life", async () => {
    const id = uniqueName("sdk-watch-one");
    const abort = new AbortController();
    const events = omni.resources.watch(MachineLabels, { id, signal: abort.signal });
    const iterator = events[Symbol.asyncIterator]();
    try {
      const initial = await iterator.next();
      expect(initial.done).toBe(false);
      const placeholder = initial.value as WatchEvent<unknown>;
      expect(placeholder.type).toBe("destroyed");
      if (placeholder.type === "destroyed") {
        // COSI's placeholder for a missing resource: never stored, so its version is "undefined".
        expect(placeholder.resource.metadata).toMatchObject({
          id,
          version: "undefined",
          phase: "running",
        });
      }

      await omni.resources.create(MachineLabels, {
        metadata: { id, labels: { role: "watched" } },
        spec: {},
      });
      created.push([omni, MachineLabels, id]);
      const createdEvent = await iterator.next();
      expect(createdEvent.value).toMatchObject({
        type: "created",
        resource: { metadata: { id, version: "1", labels: { role: "watched" } } },
      });
      await omni.resources.destroy(MachineLabels, id);
      const destroyedEvent = await iterator.next();
      expect(destroyedEvent.value).toMatchObject({
        type: "destroyed",
        resource: { metadata: { id, version: "1" } },
      });
    } finally {
      abort.abort();
    }
  });

  it("only reports resources whose labels match the watch's selector", async () => {
    const run = uniqueName("sdk-watch-labels");
    const abort = new AbortController();
    const events = omni.resources.watch(MachineLabels, {
      labels: { "sdk-test/run": run, colour: "blue" },
      signal: abort.signal,
    });
    const iterator = events[Symbol.asyncIterator]();
    try {
      expect((await iterator.next()).value).toMatchObject({ type: "bootstrapped" });
      for (const colour of ["red", "blue"]) {
        const id = `${run}-${colour}`;
        await omni.resources.create(MachineLabels, {
          metadata: { id, labels: { "sdk-test/run": run, colour } },
          spec: {},
        });
        created.push([omni, MachineLabels, id]);
      }
      expect((await iterator.next()).value).toMatchObject({
        type: "created",
        resource: { metadata: { id: `${run}-blue` } },
      });
    } finally {
      abort.abort();
    }
  });

  it("tears down: phase tearingDown while a finalizer holds, destroyed by Omni once it goes", async () => {
    const id = uniqueName("sdk-teardown");
    await omni.resources.create(ConfigPatches, {
      metadata: { id, finalizers: ["sdk-test/hold"] },
      spec: patch("1"),
    });
    const held = await omni.resources.get(ConfigPatches, id);
    expect(held.metadata.finalizers).toEqual(["sdk-test/hold"]);

    const refused = await failure(omni.resources.destroy(ConfigPatches, id));
    expect(refused).toBeInstanceOf(FailedPreconditionError);
    expect(refused.rawMessage).toBe(
      `failed to destroy: resource ConfigPatches.omni.sidero.dev(default/${id}@1) has pending finalizers &[sdk-test/hold]`,
    );

    expect(await omni.resources.teardown(ConfigPatches, id)).toBe(false);
    const tearing = await omni.resources.get(ConfigPatches, id);
    expect(tearing.metadata).toMatchObject({
      phase: "tearingDown",
      version: "2",
      finalizers: ["sdk-test/hold"],
    });
    // Tearing down again is no error and changes nothing.
    expect(await omni.resources.teardown(ConfigPatches, id)).toBe(false);
    expect((await omni.resources.get(ConfigPatches, id)).metadata.version).toBe("2");

    // An update that expects the running phase cannot revive it.
    const revived = await failure(
      omni.resources.update(ConfigPatches, tearing, { expectedPhase: "running" }),
    );
    expect(revived).toBeInstanceOf(InvalidArgumentError);
    expect(revived.rawMessage).toBe(
      `failed to update: resource ConfigPatches.omni.sidero.dev(default/${id}@2) is not in phase running`,
    );

    // Removing the last finalizer of a tearing-down resource is enough: Omni destroys it.
    const gone = untilDestroyed(omni, ConfigPatches, id);
    const released = await omni.resources.update(ConfigPatches, {
      ...tearing,
      metadata: { ...tearing.metadata, finalizers: [] },
    });
    expect(released.metadata).toMatchObject({ phase: "tearingDown", version: "3" });
    await gone;
    expect(await failure(omni.resources.get(ConfigPatches, id))).toBeInstanceOf(NotFoundError);
  });

  it("teardownAndDestroy removes a resource that nothing holds", async () => {
    const id = uniqueName("sdk-teardown-destroy");
    await omni.resources.create(MachineLabels, { metadata: { id }, spec: {} });
    created.push([omni, MachineLabels, id]);
    // Omni destroys it as soon as the teardown lands, before COSI's destroy step: the raw RPC
    // then fails with NotFound, the SDK resolves.
    await omni.resources.teardownAndDestroy(MachineLabels, id);
    expect(await failure(omni.resources.get(MachineLabels, id))).toBeInstanceOf(NotFoundError);
    const never = await failure(omni.resources.teardownAndDestroy(MachineLabels, `${id}-never`));
    expect(never).toBeInstanceOf(NotFoundError);
    expect(never.method).toBe("/cosi.resource.State/Teardown");
  });

  it("a watch of an ID keeps the last state until the stream is aborted", async () => {
    const id = uniqueName("sdk-watch-abort");
    await omni.resources.create(MachineLabels, { metadata: { id }, spec: {} });
    created.push([omni, MachineLabels, id]);
    const abort = new AbortController();
    const [first] = await take(
      omni.resources.watch(MachineLabels, { id, signal: abort.signal }),
      1,
    );
    abort.abort();
    expect(first).toMatchObject({ type: "created", resource: { metadata: { id, version: "1" } } });
  });
});
