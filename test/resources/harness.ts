import { createClient, createRouterTransport } from "@connectrpc/connect";
import {
  allowAllCosiAccess,
  CosiStore,
  createCosiStateImpl,
} from "../../src/emulator/cosi/index.js";
import { State } from "../../src/gen/v1alpha1/state_pb.js";
import { createResourcesApi } from "../../src/resources/api.js";

/** An API wired to an in-memory emulator store through Connect's router transport. */
export function inMemoryResources(store = new CosiStore()) {
  const requests: { method: string; message: unknown }[] = [];
  const transport = createRouterTransport(
    ({ service }) => service(State, createCosiStateImpl(store, allowAllCosiAccess)),
    {
      transport: {
        interceptors: [
          (next) => (request) => {
            const message = request.stream ? undefined : request.message;
            requests.push({ method: request.method.name, message });
            return next(request);
          },
        ],
      },
    },
  );
  return {
    store,
    api: createResourcesApi(transport),
    /** A plain generated client, to send what the SDK never would. */
    raw: createClient(State, transport),
    calls: () => requests.length,
    /** The request messages of unary calls, by method name, in the order they were sent. */
    sent: (method: string) => requests.filter((r) => r.method === method).map((r) => r.message),
  };
}
