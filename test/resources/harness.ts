import { createRouterTransport } from "@connectrpc/connect";
import {
  allowAllCosiAccess,
  CosiStore,
  createCosiStateImpl,
} from "../../src/emulator/cosi/index.js";
import { State } from "../../src/gen/v1alpha1/state_pb.js";
import { createResourcesApi } from "../../src/resources/api.js";

/** An API wired to an in-memory emulator store through Connect's router transport. */
export function inMemoryResources(store = new CosiStore()) {
  let calls = 0;
  const transport = createRouterTransport(
    ({ service }) => service(State, createCosiStateImpl(store, allowAllCosiAccess)),
    {
      transport: {
        interceptors: [
          (next) => (request) => {
            calls++;
            return next(request);
          },
        ],
      },
    },
  );
  return { store, api: createResourcesApi(transport), calls: () => calls };
}
