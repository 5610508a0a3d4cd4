/**
 * `npm run bench`: every benchmark, ours and its baseline in this one process run, several
 * repetitions each. Prints min / median / max of both and the ratio, and writes the medians to
 * bench/results.json, or with `BENCH_SERVER=process` (the server in a child process) to
 * bench/results-server-process.json. docs/performance.md explains each number and keeps the
 * last tables.
 */
import { writeFile } from "node:fs/promises";
import { cpus } from "node:os";
import { measureBundles } from "./bundle-size.js";
import { createKeys, type TransportKind } from "./clients.js";
import { measureList } from "./list.js";
import { startBenchServerInProcess, startBenchServerProcess } from "./server-client.js";
import { type Comparison, printComparison } from "./stats.js";
import { measureBundleRss, measureStreams } from "./streams.js";
import { measureThroughput } from "./throughput.js";
import { measureUnary, unaryCases } from "./unary.js";
import { measureWatch } from "./watch.js";

const results: Record<string, number> = {};
const round = (value: number, digits = 3) => Number(value.toFixed(digits));

function record(key: string, comparison: Comparison, target?: string): void {
  printComparison(comparison, target);
  results[key] = round(comparison.ratio);
}

const started = Date.now();
console.log(
  `sidero-omni-client benchmarks: Node ${process.version}, ${cpus().length} cores, ${cpus()[0]?.model ?? "unknown CPU"}`,
);
const separateServer = process.env.BENCH_SERVER === "process";
const server = separateServer ? await startBenchServerProcess() : await startBenchServerInProcess();
console.log(
  separateServer
    ? `bench server: a separate Node process, pid ${server.pid} (BENCH_SERVER=process)`
    : "bench server: in this process (BENCH_SERVER=process runs it in a child process)",
);
try {
  const keys = await createKeys();

  console.log("\nunary latency, one call at a time (ms per call; ratio = ours ÷ raw)");
  for (const kind of ["grpc", "grpcweb", "gateway"] as TransportKind[]) {
    const cases = unaryCases(keys, kind);
    const comparisons = await measureUnary(server, kind, keys, cases);
    for (const [index, comparison] of comparisons.cases.entries()) {
      const entry = cases[index];
      if (!entry) {
        continue;
      }
      const signer = entry.auth?.kind === "pgp" ? "pgp" : entry.auth ? "ecdsa" : "facade";
      const suffix = entry.shape === "repeated" ? "_repeated" : "";
      const target = signer === "pgp" ? "≤ 1.5" : signer === "facade" ? "≤ 1.05" : "≤ 1.15";
      record(`unary_ratio_${signer}_${kind}${suffix}`, comparison, suffix ? undefined : target);
    }
    record(`unary_ratio_ecdsa_${kind}_vs_signed_raw`, comparisons.againstSignedRaw);
  }

  console.log("\nthroughput");
  const throughput = await measureThroughput(server, keys);
  record("throughput_ratio_ecdsa_grpc", throughput.againstRaw, "≥ 0.87");
  record("throughput_ratio_ecdsa_grpc_vs_signed_raw", throughput.againstSignedRaw);

  console.log("\nserver streams");
  const [logs, bundle] = await measureStreams(server, keys);
  if (logs && bundle) {
    record("stream_ratio_logs_grpc", logs, "≥ 0.95");
    record("stream_ratio_bundle_grpc", bundle, "≥ 0.95");
  }
  const rss = await measureBundleRss(server, keys);
  results.stream_rss_growth_mib = round(rss.growthMib, 1);
  console.log(
    `  1 GiB support bundle through the SDK: ${rss.seconds.toFixed(1)} s, peak RSS growth ${rss.growthMib.toFixed(1)} MiB (target < 64)`,
  );

  console.log("\nwatch");
  record("watch_ratio", await measureWatch(server, keys), "≥ 0.9");
} finally {
  await server.close();
}

console.log("\nlist");
const list = await measureList();
printComparison(list, "ours < 1000 ms");
results.list_10k_machines_ms = round(list.ours.median, 0);

console.log("\nbrowser bundle (esbuild, minified, gzip -9, initial chunks only)");
const bundles = await measureBundles();
results.bundle_ecdsa_gzip_ratio = round(
  bundles.sdk.initialGzipBytes / bundles.bare.initialGzipBytes,
);
results.bundle_ecdsa_calls_gzip_ratio = round(
  bundles.sdkCalls.initialGzipBytes / bundles.bare.initialGzipBytes,
);
results.pgp_loaded_on_demand =
  bundles.sdk.initialHasOpenPgp || bundles.sdkCalls.initialHasOpenPgp ? 0 : 1;
const openPgpNote = (bundle: { initialHasOpenPgp: boolean }) =>
  `openpgp in the initial bundle: ${bundle.initialHasOpenPgp ? "yes" : "no"}`;
console.log(
  `  bare connect-web app ${bundles.bare.initialGzipBytes} B\n` +
    `  SDK app on createOmniClient (ECDSA) ${bundles.sdk.initialGzipBytes} B, ratio ${results.bundle_ecdsa_gzip_ratio} (target ≤ 1.2); ${openPgpNote(bundles.sdk)}\n` +
    `  SDK app on the call functions (ECDSA) ${bundles.sdkCalls.initialGzipBytes} B, ratio ${results.bundle_ecdsa_calls_gzip_ratio} (target ≤ 1.2); ${openPgpNote(bundles.sdkCalls)}`,
);

const resultsFile = separateServer ? "results-server-process.json" : "results.json";
await writeFile(
  new URL(`./${resultsFile}`, import.meta.url),
  `${JSON.stringify(results, null, 2)}\n`,
);
console.log(`\nwrote bench/${resultsFile} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
