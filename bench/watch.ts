/**
 * Watch throughput: events per second through `resources.watch` against the raw generated
 * State client's `watch`, both bootstrapping 10,000 machines (one event per response, as Omni
 * sends them) until the "bootstrapped" marker.
 */
import { EventType } from "../src/gen/v1alpha1/state_pb.js";
import { Machines } from "../src/resources/registry.js";
import type { BenchKeys } from "./clients.js";
import { rawClients, sdkClient } from "./clients.js";
import type { BenchServerHandle } from "./server-client.js";
import { type Comparison, compare, interleave, timed } from "./stats.js";

const WATCHED_MACHINES = 10_000;
const REPETITIONS = 5;

export async function measureWatch(
  server: BenchServerHandle,
  keys: BenchKeys,
): Promise<Comparison> {
  await server.putMachines(WATCHED_MACHINES);
  const raw = rawClients(server, "grpc").state;
  const sdk = sdkClient(server, "grpc", keys.ecdsa).resources;
  const eventsPerSecond = async (watchUntilBootstrapped: () => Promise<number>) => {
    let events = 0;
    const ms = await timed(async () => {
      events = await watchUntilBootstrapped();
    });
    if (events !== WATCHED_MACHINES) {
      throw new Error(`got ${events} events, expected ${WATCHED_MACHINES}`);
    }
    return (events * 1000) / ms;
  };
  const cases = {
    raw: () =>
      eventsPerSecond(async () => {
        const abort = new AbortController();
        let events = 0;
        try {
          for await (const response of raw.watch(
            {
              namespace: Machines.namespace,
              type: Machines.type,
              apiVersion: 1,
              options: { bootstrapContents: true },
            },
            { signal: abort.signal },
          )) {
            for (const event of response.event) {
              if (event.eventType === EventType.BOOTSTRAPPED) {
                return events;
              }
              events++;
            }
          }
        } finally {
          abort.abort();
        }
        return events;
      }),
    sdk: () =>
      eventsPerSecond(async () => {
        let events = 0;
        for await (const event of sdk.watch(Machines)) {
          if (event.type === "bootstrapped") {
            break;
          }
          events++;
        }
        return events;
      }),
  };
  await cases.raw();
  await cases.sdk();
  const samples = await interleave(REPETITIONS, cases);
  return compare(
    `watch bootstrap ${WATCHED_MACHINES} machines`,
    "events/s",
    samples.sdk,
    samples.raw,
  );
}
