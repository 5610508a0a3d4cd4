/**
 * Throughput: calls per second with 64 callers running at once on one client, SDK with ECDSA
 * signing (every call signed: each names its own cluster) against the raw generated client.
 */
import type { BenchEndpoints, BenchKeys } from "./clients.js";
import { rawClients, sdkClient } from "./clients.js";
import { type Comparison, compare, interleave, timed } from "./stats.js";

const CALLERS = 64;
const CALLS_PER_CALLER = 25;
const REPETITIONS = 5;

async function callsPerSecond(call: (index: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const caller = async () => {
    for (let index = 0; index < CALLS_PER_CALLER; index++) {
      await call(next++);
    }
  };
  const ms = await timed(() => Promise.all(Array.from({ length: CALLERS }, caller)));
  return (CALLERS * CALLS_PER_CALLER * 1000) / ms;
}

export async function measureThroughput(
  server: BenchEndpoints,
  keys: BenchKeys,
): Promise<Comparison> {
  const raw = rawClients(server, "grpc").management;
  const sdk = sdkClient(server, "grpc", keys.ecdsa).management;
  const cases = {
    raw: () =>
      callsPerSecond((index) => raw.kubeconfig({}, { headers: { cluster: `bench-${index}` } })),
    sdk: () => callsPerSecond((index) => sdk.kubeconfig({ cluster: `bench-${index}` })),
  };
  await cases.raw();
  await cases.sdk();
  const samples = await interleave(REPETITIONS, cases);
  return compare(`throughput ecdsa grpc, ${CALLERS} callers`, "calls/s", samples.sdk, samples.raw);
}
