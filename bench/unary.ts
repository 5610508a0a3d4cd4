/**
 * Unary latency: the SDK's `management.kubeconfig` against the raw generated client's
 * `kubeconfig`, one call at a time, on the same server and transport kind.
 *
 * Two request shapes: "distinct" names a different cluster on every call, so every SDK call is
 * signed afresh (the honest worst case); "repeated" sends the same call again and again, as a
 * polling dashboard does, where the signer reuses a signature within the same second.
 *
 * A second baseline, the raw client with the SDK's signing interceptor and nothing else, is the
 * least a siderov1 client has to do; the signed distinct case against it is the SDK's cost
 * beyond the protocol's.
 */
import { createSigningInterceptor, type OmniAuth } from "../src/auth/index.js";
import type { BenchEndpoints, BenchKeys, TransportKind } from "./clients.js";
import { rawClients, sdkClient } from "./clients.js";
import { alternatingLatencies, type Comparison, compare } from "./stats.js";

const CALLS_PER_REPETITION = 300;
const WARM_UP_CALLS = 200;
const REPETITIONS = 5;

type Shape = "distinct" | "repeated";
const clusterFor = (shape: Shape, index: number) =>
  shape === "distinct" ? `bench-${index}` : "bench";

interface SdkCase {
  readonly name: string;
  readonly auth: OmniAuth | undefined;
  readonly shape: Shape;
}

export interface UnaryComparisons {
  /** Each SDK case against the raw, unsigned client. */
  readonly cases: Comparison[];
  /** The ECDSA distinct case against the raw client that signs with the same key. */
  readonly againstSignedRaw: Comparison;
}

/** Median single-call latency of each SDK case over several repetitions, against raw. */
export async function measureUnary(
  server: BenchEndpoints,
  kind: TransportKind,
  keys: BenchKeys,
  cases: readonly SdkCase[],
): Promise<UnaryComparisons> {
  const raw = rawClients(server, kind).management;
  const signedRaw = rawClients(server, kind, [createSigningInterceptor(keys.ecdsa)]).management;
  let sequence = 0;
  const distinctCall = (client: typeof raw) => () =>
    client.kubeconfig({}, { headers: { cluster: clusterFor("distinct", sequence++) } });
  const rawCall = distinctCall(raw);
  const signedRawCall = distinctCall(signedRaw);
  const sdkCalls = cases.map(({ auth, shape }) => {
    const client = sdkClient(server, kind, auth);
    return () => client.management.kubeconfig({ cluster: clusterFor(shape, sequence++) });
  });
  for (const call of [rawCall, signedRawCall, ...sdkCalls]) {
    for (let index = 0; index < WARM_UP_CALLS; index++) {
      await call();
    }
  }
  const runs: Record<string, () => Promise<unknown>> = { raw: rawCall, signedRaw: signedRawCall };
  for (const [index, call] of sdkCalls.entries()) {
    runs[`sdk${index}`] = call;
  }
  const samples = await alternatingLatencies(REPETITIONS, CALLS_PER_REPETITION, runs);
  const ecdsaDistinct = cases.findIndex(
    (entry) => entry.auth === keys.ecdsa && entry.shape === "distinct",
  );
  return {
    cases: cases.map((entry, index) =>
      compare(`${entry.name} ${kind}`, "ms/call", samples[`sdk${index}`] ?? [], samples.raw ?? []),
    ),
    againstSignedRaw: compare(
      `ecdsa distinct ${kind} ÷ signed raw`,
      "ms/call",
      samples[`sdk${ecdsaDistinct}`] ?? [],
      samples.signedRaw ?? [],
    ),
  };
}

export function unaryCases(keys: BenchKeys, kind: TransportKind): SdkCase[] {
  const cases: SdkCase[] = [
    { name: "ecdsa distinct", auth: keys.ecdsa, shape: "distinct" },
    { name: "ecdsa repeated", auth: keys.ecdsa, shape: "repeated" },
  ];
  if (kind === "grpc") {
    cases.push(
      { name: "pgp distinct", auth: keys.pgp, shape: "distinct" },
      { name: "pgp repeated", auth: keys.pgp, shape: "repeated" },
      { name: "facade, unsigned", auth: undefined, shape: "distinct" },
    );
  }
  return cases;
}
