import { create } from "@bufbuild/protobuf";
import { Code, createRouterTransport } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { FailedPreconditionError, OmniError } from "../../src/errors.js";
import { EventType, State, WatchResponseSchema } from "../../src/gen/v1alpha1/state_pb.js";
import { createResourcesApi } from "../../src/resources/api.js";
import { Clusters } from "../../src/resources/registry.js";

/** A State service whose watch sends the ready marker, then one ERRORED event. */
function erroredWatch(error: string) {
  const transport = createRouterTransport(({ service }) =>
    service(State, {
      async *watch() {
        yield create(WatchResponseSchema);
        yield create(WatchResponseSchema, { event: [{ eventType: EventType.ERRORED, error }] });
      },
    }),
  );
  return createResourcesApi(transport);
}

async function failure(api: ReturnType<typeof erroredWatch>): Promise<unknown> {
  try {
    for await (const _ of api.watch(Clusters)) {
      // An ERRORED event ends the watch.
    }
  } catch (error) {
    return error;
  }
  return undefined;
}

describe("a watch that the server ends with an ERRORED event", () => {
  it("is FailedPrecondition when the bookmark is no longer known, so the caller can start over", async () => {
    const error = await failure(
      erroredWatch("failed to watch: invalid watch bookmark: revision 12 has been compacted"),
    );
    expect(error).toBeInstanceOf(FailedPreconditionError);
    expect((error as OmniError).method).toBe("/cosi.resource.State/Watch");
  });

  it("is Internal for any other failure", async () => {
    const error = await failure(erroredWatch("etcd: leader changed"));
    expect(error).toBeInstanceOf(OmniError);
    expect(error).not.toBeInstanceOf(FailedPreconditionError);
    expect((error as OmniError).code).toBe(Code.Internal);
    expect((error as OmniError).rawMessage).toBe("etcd: leader changed");
  });
});
