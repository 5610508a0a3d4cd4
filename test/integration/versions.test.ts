import { describe, expect, it } from "vitest";
import { NotFoundError, UnimplementedError } from "../../src/errors.js";
import { Clusters } from "../../src/resources/registry.js";
import { clientOver, failure, transportNames, useEmulator } from "./harness.js";

// An Omni v1.2 server: it has TearDownLockedCluster and none of the RPCs added after v1.2.
const emulator = useEmulator({ omniVersion: "1.2" });

describe.each(transportNames)("against Omni 1.2 over %s", (transport) => {
  const admin = () => clientOver(emulator(), transport);

  it("a newer RPC is Unimplemented and names the versions that have it", async () => {
    const error = await failure(admin().management.listUsers());
    expect(error).toBeInstanceOf(UnimplementedError);
    expect((error as UnimplementedError).availableIn).toBe("v1.6.0 and later");
    expect(error.message).toContain("(available in Omni v1.6.0 and later)");
    const power = await failure(admin().management.machinePowerOn({ machineId: "m-1" }));
    expect((power as UnimplementedError).availableIn).toBe("v1.8.0 and later");
  });

  it("tearDownLockedCluster is served there", async () => {
    await expect(
      admin().management.tearDownLockedCluster({ clusterId: "dev" }),
    ).resolves.toBeUndefined();
    const error = await failure(admin().management.tearDownLockedCluster({ clusterId: "nope" }));
    expect(error).toBeInstanceOf(NotFoundError);
  });

  it("COSI teardown, which came with Omni v1.8, is Unimplemented and says so", async () => {
    const error = await failure(admin().resources.teardown(Clusters, "dev"));
    expect(error).toBeInstanceOf(UnimplementedError);
    expect((error as UnimplementedError).availableIn).toBe("v1.8.0 and later");
    expect((await admin().resources.get(Clusters, "dev")).metadata.phase).toBe("running");
  });

  it("RPCs every release has keep working", async () => {
    expect(await admin().management.omniconfig()).toContain("contexts:");
  });
});
