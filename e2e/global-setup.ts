import { mkdir, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { buildDashboard } from "../examples/dashboard/build.js";
import { type StaticOrigin, startStaticOrigin } from "../examples/dashboard/static-server.js";
import { defaultUser, startOmniEmulator } from "../src/emulator/index.js";
import { type E2eEnvironment, environmentVariable } from "./support/environment.js";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
// Outside Playwright's outputDir (which it empties) and inside test-results/ (git- and lint-ignored).
const site = join(root, "test-results/e2e-site");

/**
 * The browser entries as an application bundles them: ESM, split so that openpgp.js loads on
 * demand and the call-function entries share the core with the main one.
 */
async function bundleSdk(outdir: string): Promise<void> {
  await build({
    entryPoints: {
      index: join(root, "src/index.ts"),
      management: join(root, "src/management/calls.ts"),
      resources: join(root, "src/resources/calls.ts"),
    },
    outdir,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    sourcemap: true,
    logLevel: "warning",
  });
}

/**
 * Bundles the SDK and the dashboard, serves them from two loopback origins and starts the
 * emulator, whose CORS allows only the first. Returns the teardown.
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  await rm(site, { recursive: true, force: true });
  await mkdir(site, { recursive: true });
  await Promise.all([bundleSdk(join(site, "sdk")), buildDashboard(join(site, "dashboard"))]);

  const mounts = {
    "/sdk/": join(site, "sdk"),
    "/dashboard/": join(site, "dashboard"),
    "/": join(root, "e2e/harness"),
  };
  const origins: StaticOrigin[] = [];
  try {
    const app = await startStaticOrigin({ mounts });
    origins.push(app);
    const foreign = await startStaticOrigin({ mounts });
    origins.push(foreign);
    const emulator = await startOmniEmulator({
      seed: 7,
      corsOrigins: [app.url],
      timings: { followLogIntervalMs: 50 },
    });
    const dashboardConfig = JSON.stringify({
      grpcWebUrl: emulator.grpcWebUrl,
      gatewayUrl: emulator.gatewayUrl,
      identity: defaultUser.email,
    });
    for (const origin of origins) {
      origin.setDocument("/dashboard/config.json", dashboardConfig);
    }
    const environment: E2eEnvironment = {
      appOrigin: app.url,
      foreignOrigin: foreign.url,
      grpcUrl: emulator.url,
      grpcWebUrl: emulator.grpcWebUrl,
      gatewayUrl: emulator.gatewayUrl,
      keys: emulator.keys,
    };
    process.env[environmentVariable] = JSON.stringify(environment);
    return async () => {
      await Promise.all([emulator.close(), ...origins.map((origin) => origin.close())]);
    };
  } catch (error) {
    await Promise.all(origins.map((origin) => origin.close()));
    throw error;
  }
}
