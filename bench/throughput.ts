/**
 * Throughput: calls per second with 64 callers running at once on one client, SDK with ECDSA
 * signing (every call signed: each names its own cluster) against the raw generated client, and
 * against the raw client with the SDK's signing interceptor and nothing else.
 */
import { createSigningInterceptor } from "../src/auth/index.js";
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

export interface ThroughputComparisons {
  readonly againstRaw: Comparison;
  readonly againstSignedRaw: Comparison;
}

export async function measureThroughput(
  server: BenchEndpoints,
  keys: BenchKeys,
): Promise<ThroughputComparisons> {
  const raw = rawClients(server, "grpc").management;
  const signedRaw = rawClients(server, "grpc", [createSigningInterceptor(keys.ecdsa)]).management;
  const sdk = sdkClient(server, "grpc", keys.ecdsa).management;
  const cases = {
    raw: () =>
      callsPerSecond((index) => raw.kubeconfig({}, { headers: { cluster: `bench-${index}` } })),
    signedRaw: () =>
      callsPerSecond((index) =>
        signedRaw.kubeconfig({}, { headers: { cluster: `bench-${index}` } }),
      ),
    sdk: () => callsPerSecond((index) => sdk.kubeconfig({ cluster: `bench-${index}` })),
  };
  for (const run of Object.values(cases)) {
    await run();
  }
  const samples = await interleave(REPETITIONS, cases);
  const name = `throughput ecdsa grpc, ${CALLERS} callers`;
  return {
    againstRaw: compare(name, "calls/s", samples.sdk, samples.raw),
    againstSignedRaw: compare(`${name} ÷ signed raw`, "calls/s", samples.sdk, samples.signedRaw),
  };
}
