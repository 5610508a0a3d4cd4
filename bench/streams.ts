/**
 * Server-stream throughput in MB/s, SDK against raw, 64 KiB messages over native gRPC:
 * `machineLogs` (log chunks) and `getSupportBundle` (bundle data); then peak RSS growth while
 * the SDK consumes a 1 GiB support bundle.
 */
import { performance } from "node:perf_hooks";
import type { BenchKeys } from "./clients.js";
import { rawClients, sdkClient } from "./clients.js";
import { STREAM_MESSAGE_BYTES } from "./server.js";
import type { BenchServerHandle } from "./server-client.js";
import { type Comparison, compare, interleave } from "./stats.js";

const STREAM_BYTES = 64 * 1024 * 1024;
const RSS_BUNDLE_BYTES = 1024 * 1024 * 1024;
const REPETITIONS = 5;
const MIB = 1024 * 1024;

async function megabytesPerSecond(consume: () => Promise<number>): Promise<number> {
  const start = performance.now();
  const bytes = await consume();
  if (bytes !== STREAM_BYTES) {
    throw new Error(`the stream delivered ${bytes} bytes, expected ${STREAM_BYTES}`);
  }
  return bytes / 1e6 / ((performance.now() - start) / 1000);
}

export async function measureStreams(
  server: BenchServerHandle,
  keys: BenchKeys,
): Promise<Comparison[]> {
  const raw = rawClients(server, "grpc").management;
  const sdk = sdkClient(server, "grpc", keys.ecdsa).management;
  const logRequest = { machineId: "bench", tailLines: STREAM_BYTES / STREAM_MESSAGE_BYTES };
  await server.setSupportBundleBytes(STREAM_BYTES);

  const logs = {
    raw: () =>
      megabytesPerSecond(async () => {
        let bytes = 0;
        for await (const data of raw.machineLogs(logRequest)) {
          bytes += data.bytes.length;
        }
        return bytes;
      }),
    sdk: () =>
      megabytesPerSecond(async () => {
        let bytes = 0;
        for await (const chunk of sdk.machineLogs(logRequest)) {
          bytes += chunk.length;
        }
        return bytes;
      }),
  };
  const bundle = {
    raw: () =>
      megabytesPerSecond(async () => {
        let bytes = 0;
        for await (const response of raw.getSupportBundle({ cluster: "bench" })) {
          bytes += response.bundleData.length;
        }
        return bytes;
      }),
    sdk: () =>
      megabytesPerSecond(async () => {
        let bytes = 0;
        for await (const event of sdk.getSupportBundle({ cluster: "bench" })) {
          if (event.type === "data") {
            bytes += event.bytes.length;
          }
        }
        return bytes;
      }),
  };
  for (const run of [logs.raw, logs.sdk, bundle.raw, bundle.sdk]) {
    await run();
  }
  const logSamples = await interleave(REPETITIONS, logs);
  const bundleSamples = await interleave(REPETITIONS, bundle);
  return [
    compare("machineLogs grpc, 64 KiB", "MB/s", logSamples.sdk, logSamples.raw),
    compare("getSupportBundle grpc, 64 KiB", "MB/s", bundleSamples.sdk, bundleSamples.raw),
  ];
}

/**
 * Peak RSS growth in MiB of this process while the SDK reads a 1 GiB bundle, sampled at every
 * chunk. With `BENCH_SERVER=process` that is the client's memory alone.
 */
export async function measureBundleRss(
  server: BenchServerHandle,
  keys: BenchKeys,
): Promise<{ growthMib: number; bytes: number; seconds: number }> {
  const sdk = sdkClient(server, "grpc", keys.ecdsa).management;
  await server.setSupportBundleBytes(RSS_BUNDLE_BYTES);
  const before = process.memoryUsage.rss();
  let peak = before;
  let bytes = 0;
  const start = performance.now();
  for await (const event of sdk.getSupportBundle({ cluster: "bench" })) {
    if (event.type === "data") {
      bytes += event.bytes.length;
      peak = Math.max(peak, process.memoryUsage.rss());
    }
  }
  if (bytes !== RSS_BUNDLE_BYTES) {
    throw new Error(`the bundle had ${bytes} bytes, expected ${RSS_BUNDLE_BYTES}`);
  }
  return {
    growthMib: (peak - before) / MIB,
    bytes,
    seconds: (performance.now() - start) / 1000,
  };
}
