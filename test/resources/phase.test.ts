import { create } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { seedDemoData } from "../../src/emulator/cosi/index.js";
import { ValidationError } from "../../src/errors.js";
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
