/**
 * Listing 10,000 machines from the emulator (native gRPC, signed with the admin service-account
 * key) and decoding every spec, against the raw generated State client, which gets the same
 * envelopes signed by the same interceptor but leaves the specs undecoded.
 */
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport as createConnectGrpcTransport } from "@connectrpc/connect-node";
import { createSigningInterceptor, serviceAccountAuth } from "../src/auth/index.js";
import { createOmniClient } from "../src/client.js";
import { startOmniEmulator } from "../src/emulator/index.js";
import { State } from "../src/gen/v1alpha1/state_pb.js";
import { createGrpcTransport } from "../src/node/grpc-transport.js";
import { Machines } from "../src/resources/registry.js";
import { putMachines } from "./fleet.js";
import { type Comparison, compare, interleave, timed } from "./stats.js";

export const LISTED_MACHINES = 10_000;
const REPETITIONS = 5;

export async function measureList(): Promise<Comparison> {
  const emulator = await startOmniEmulator({ seed: 7 });
  try {
    putMachines(
      emulator.store,
      LISTED_MACHINES - emulator.store.list(Machines.namespace, Machines.type).length,
    );
    const auth = serviceAccountAuth(emulator.keys.admin);
    const sdk = createOmniClient({
      transport: createGrpcTransport({ baseUrl: emulator.url }),
      auth,
    });
    const raw = createClient(
      State,
      createConnectGrpcTransport({
        baseUrl: emulator.url,
        interceptors: [createSigningInterceptor(auth)],
        readMaxBytes: 32 * 1024 * 1024,
      }),
    );
    const count = (items: number) => {
      if (items !== LISTED_MACHINES) {
        throw new Error(`listed ${items} machines, expected ${LISTED_MACHINES}`);
      }
    };
    const cases = {
      raw: () =>
        timed(async () => {
          let items = 0;
          for await (const response of raw.list({
            namespace: Machines.namespace,
            type: Machines.type,
          })) {
            items += response.resource ? 1 : 0;
          }
          count(items);
        }),
      sdk: () => timed(async () => count((await sdk.resources.listAll(Machines)).length)),
    };
    await cases.raw();
    await cases.sdk();
    const samples = await interleave(REPETITIONS, cases);
    return compare(`list ${LISTED_MACHINES} machines (emulator)`, "ms", samples.sdk, samples.raw);
  } finally {
    await emulator.close();
  }
}
