import { create } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { seedDemoData } from "../../src/emulator/cosi/index.js";
import { InvalidArgumentError, ValidationError } from "../../src/errors.js";
import { ClusterSpecSchema } from "../../src/gen/omni/specs/omni_pb.js";
import type { Resource as ResourceMessage } from "../../src/gen/v1alpha1/resource_pb.js";
import type { CreateRequest, UpdateRequest } from "../../src/gen/v1alpha1/state_pb.js";
import { Clusters } from "../../src/resources/registry.js";
import { inMemoryResources } from "./harness.js";

const seeded = () => {
  const harness = inMemoryResources();
  seedDemoData(harness.store, { seed: 7 });
  return harness;
};

const sentPhase = (request: unknown, field: "resource" | "newResource") =>
  ((request as CreateRequest & UpdateRequest)[field] as ResourceMessage).metadata?.phase;

describe("resource phase on writes", () => {
  it("creates in phase running", async () => {
    const { api, sent } = seeded();
    const created = await api.create(Clusters, {
      metadata: { id: "qa" },
      spec: { talosVersion: "v1.10.5" },
    });
    expect(sentPhase(sent("Create")[0], "resource")).toBe("running");
    expect(created.metadata.phase).toBe("running");
  });

  it("sends the creation time as created and updated, which Omni keeps as sent", async () => {
    const { api, raw, sent } = seeded();
    const before = Date.now();
    const created = await api.create(Clusters, { metadata: { id: "qa" }, spec: {} });
    const metadata = ((sent("Create")[0] as CreateRequest).resource as ResourceMessage).metadata;
    expect(Number(metadata?.updated?.seconds) * 1000).toBeGreaterThanOrEqual(before - 1000);
    expect(created.metadata.updated?.getTime()).toBeGreaterThanOrEqual(before - 1000);
    // A client that sends no `updated` gets the Unix epoch, as from Omni's store.
    const bare = await raw.create({
      resource: {
        metadata: {
          namespace: "default",
          type: Clusters.type,
          id: "bare",
          version: "undefined",
          phase: "running",
        },
        spec: { protoSpec: new Uint8Array() },
      },
    });
    expect(bare.resource?.metadata?.updated?.seconds).toBe(0n);
    expect(Number(bare.resource?.metadata?.created?.seconds)).toBeGreaterThan(0);
  });

  it("writes back the phase it read, so an update does not revive a resource being torn down", async () => {
    const { api, sent } = seeded();
    await api.teardown(Clusters, "dev");
    const tearing = await api.get(Clusters, "dev");
    const updated = await api.update(Clusters, {
      metadata: { ...tearing.metadata, labels: { note: "draining" } },
      spec: tearing.spec,
    });
    expect(sentPhase(sent("Update")[0], "newResource")).toBe("tearingDown");
    expect(updated.metadata.phase).toBe("tearingDown");
    expect((await api.get(Clusters, "dev")).metadata.phase).toBe("tearingDown");
  });

  it("sends running for an update whose metadata has no phase", async () => {
    const { api, sent } = seeded();
    const read = await api.get(Clusters, "staging");
    await api.update(Clusters, {
      metadata: { id: "staging", version: read.metadata.version },
      spec: read.spec,
    });
    expect(sentPhase(sent("Update")[0], "newResource")).toBe("running");
    expect((sent("Update")[0] as UpdateRequest).options?.expectedPhase).toBe("running");
  });

  it("refuses an update without a phase once the resource is being torn down, as Go's client does", async () => {
    const { api } = seeded();
    const read = await api.get(Clusters, "dev");
    await api.teardown(Clusters, "dev");
    const tearing = await api.get(Clusters, "dev");
    const error = await api
      .update(Clusters, {
        metadata: { id: "dev", version: tearing.metadata.version },
        spec: read.spec,
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error).not.toBeInstanceOf(ValidationError);
    expect((await api.get(Clusters, "dev")).metadata.phase).toBe("tearingDown");
  });

  it("refuses a phase COSI does not know before any call", async () => {
    const { api, calls } = seeded();
    for (const phase of ["", "deleting", "Running"]) {
      const error = await api
        .update(Clusters, {
          metadata: { id: "dev", version: "1", phase },
          spec: create(ClusterSpecSchema),
        })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).argument).toBe("resource.metadata.phase");
    }
    await expect(
      api.update(
        Clusters,
        { metadata: { id: "dev", version: "1" }, spec: {} },
        { expectedPhase: "gone" as never },
      ),
    ).rejects.toMatchObject({ argument: "options.expectedPhase" });
    expect(calls()).toBe(0);
  });
});

describe("the emulator reads phases as COSI does", () => {
  const resourceWithPhase = (
    store: ReturnType<typeof seeded>["store"],
    id: string,
    phase: string,
  ): ResourceMessage => {
    const stored = store.get(Clusters.namespace, Clusters.type, "production");
    if (!stored?.metadata) {
      throw new Error("the seed has no production cluster");
    }
    return { ...stored, metadata: { ...stored.metadata, id, phase } };
  };

  it("refuses an empty or unknown phase on create and update with Unknown", async () => {
    const { raw, store } = seeded();
    for (const phase of ["", "paused"]) {
      await expect(
        raw.create({ resource: { ...resourceWithPhase(store, "new", phase) } }),
      ).rejects.toMatchObject({ code: Code.Unknown, rawMessage: `unknown phase: ${phase}` });
      await expect(
        raw.update({ newResource: resourceWithPhase(store, "production", phase) }),
      ).rejects.toMatchObject({ code: Code.Unknown, rawMessage: `unknown phase: ${phase}` });
    }
    await expect(
      raw.update({
        newResource: resourceWithPhase(store, "production", "running"),
        options: { expectedPhase: "later" },
      }),
    ).rejects.toMatchObject({ code: Code.Unknown, rawMessage: "unknown phase: later" });
  });

  it("stores the phase it is sent", async () => {
    const { raw, store } = seeded();
    await raw.update({ newResource: resourceWithPhase(store, "production", "tearingDown") });
    expect(store.get(Clusters.namespace, Clusters.type, "production")?.metadata?.phase).toBe(
      "tearingDown",
    );
  });
});
