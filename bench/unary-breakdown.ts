/**
 * Where the distinct-payload signed unary call spends its time over the raw one. Each case is a
 * step towards the SDK's signed call, measured against the same raw client in one run:
 *
 * - raw + fresh siderov1 headers: the raw client with three ready-made header values per call,
 *   the size of a real timestamp, payload and signature, and no work to make them (what the
 *   headers alone cost on the wire and on the server);
 * - SDK, unsigned: the facade, guard, retry wrapper and error mapping;
 * - SDK, prepared signature: all of the SDK's signing steps, with a signer that hands back
 *   ready-made bytes instead of doing the elliptic-curve arithmetic;
 * - SDK, ECDSA: the real call.
 *
 * It also times `sign` itself inside those live calls, against the same signer in a tight loop,
 * after the thread slept for 1 ms, and after a 16 MiB memory sweep.
 * Run with `npx vite-node bench/unary-breakdown.ts` (`BENCH_SERVER=process` for a child-process
 * server); it is not part of `npm run bench`.
 */
import { randomBytes } from "node:crypto";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport as createConnectGrpcTransport } from "@connectrpc/connect-node";
import type { OmniAuth, PayloadSigner } from "../src/auth/index.js";
import { ManagementService } from "../src/gen/omni/management/management_pb.js";
import { createKeys, rawClients, sdkClient } from "./clients.js";
import { startBenchServerInProcess, startBenchServerProcess } from "./server-client.js";
import { alternatingLatencies, median } from "./stats.js";

const REPETITIONS = 7;
const CALLS_PER_REPETITION = 300;
const WARM_UP_CALLS = 300;
const PREPARED = 4096;

const identity = "bench@example.org";
const keyId = `${"k".repeat(43)}=`;
const preparedSignatures = Array.from({ length: PREPARED }, () => new Uint8Array(randomBytes(64)));

function authWith(sign: PayloadSigner["sign"]): OmniAuth {
  const signer: PayloadSigner = { identity, keyId, sign };
  return { kind: "ecdsa", identity, signer: async () => signer };
}

const server =
  process.env.BENCH_SERVER === "process"
    ? await startBenchServerProcess()
    : await startBenchServerInProcess();
try {
  const keys = await createKeys();
  const ecdsaSigner = await keys.ecdsa.signer();
  const liveSignMs: number[] = [];
  const timedEcdsa = authWith((payload) => {
    const start = performance.now();
    const signature = ecdsaSigner.sign(payload);
    liveSignMs.push(performance.now() - start);
    return signature;
  });
  let prepared = 0;
  const preparedSignature = authWith(
    async () => preparedSignatures[prepared++ % PREPARED] as Uint8Array,
  );

  const freshHeaders = Array.from({ length: PREPARED }, (_, index) => ({
    payload: `{"headers":{"x-sidero-timestamp":["1764150000"],"cluster":["bench-${index}"]},"method":"/management.ManagementService/Kubeconfig"}`,
    signature: `siderov1 ${identity} ${keyId} ${Buffer.from(preparedSignatures[index] as Uint8Array).toString("base64")}`,
  }));
  let fresh = 0;
  const rawWithHeaders = createClient(
    ManagementService,
    createConnectGrpcTransport({
      baseUrl: server.grpcUrl,
      interceptors: [
        (next) => (req) => {
          const headers = freshHeaders[fresh++ % PREPARED];
          req.header.set("x-sidero-timestamp", "1764150000");
          req.header.set("x-sidero-payload", headers?.payload ?? "");
          req.header.set("x-sidero-signature", headers?.signature ?? "");
          return next(req);
        },
      ],
    }),
  );

  let sequence = 0;
  const cluster = () => `bench-${sequence++}`;
  const raw = rawClients(server, "grpc").management;
  const sdk = (auth: OmniAuth | undefined) => sdkClient(server, "grpc", auth).management;
  const unsigned = sdk(undefined);
  const withPrepared = sdk(preparedSignature);
  const withEcdsa = sdk(timedEcdsa);
  const cases = {
    raw: () => raw.kubeconfig({}, { headers: { cluster: cluster() } }),
    "raw + fresh siderov1 headers": () =>
      rawWithHeaders.kubeconfig({}, { headers: { cluster: cluster() } }),
    "SDK, unsigned": () => unsigned.kubeconfig({ cluster: cluster() }),
    "SDK, prepared signature": () => withPrepared.kubeconfig({ cluster: cluster() }),
    "SDK, ECDSA": () => withEcdsa.kubeconfig({ cluster: cluster() }),
  };
  for (const call of Object.values(cases)) {
    for (let index = 0; index < WARM_UP_CALLS; index++) {
      await call();
    }
  }
  liveSignMs.length = 0;
  const samples = await alternatingLatencies(REPETITIONS, CALLS_PER_REPETITION, cases);

  const rawMs = median(samples.raw);
  console.log(
    `distinct-payload unary calls over native gRPC, median of ${REPETITIONS} × ${CALLS_PER_REPETITION} (server ${process.env.BENCH_SERVER === "process" ? "in a child process" : "in this process"})`,
  );
  for (const [name, values] of Object.entries(samples)) {
    const ms = median(values);
    const over = name === "raw" ? "" : `  +${((ms - rawMs) * 1000).toFixed(0)} µs`;
    console.log(
      `  ${name.padEnd(30)} ${ms.toFixed(3)} ms  ratio ${(ms / rawMs).toFixed(3)}${over}`,
    );
  }

  const payload = new TextEncoder().encode(freshHeaders[0]?.payload ?? "");
  const signMicros = async (between: () => Promise<void> | void, count: number) => {
    const micros: number[] = [];
    for (let index = 0; index < count; index++) {
      await between();
      const start = performance.now();
      await ecdsaSigner.sign(payload);
      micros.push((performance.now() - start) * 1000);
    }
    return median(micros).toFixed(1);
  };
  const sweep = new Uint8Array(16 * 1024 * 1024);
  const touchSweep = () => {
    for (let offset = 0; offset < sweep.length; offset += 64) {
      sweep[offset] = (sweep[offset] ?? 0) + 1;
    }
  };
  await signMicros(() => undefined, 1000);
  console.log(`  ECDSA sign inside the calls: ${(median(liveSignMs) * 1000).toFixed(1)} µs median`);
  console.log(`  the same signer in a tight loop: ${await signMicros(() => undefined, 5000)} µs`);
  console.log(
    `  after a 1 ms sleep: ${await signMicros(() => new Promise((resolve) => setTimeout(resolve, 1)), 2000)} µs`,
  );
  console.log(`  after a 16 MiB memory sweep: ${await signMicros(touchSweep, 2000)} µs`);
} finally {
  await server.close();
}
