import { rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildDashboard } from "../../examples/dashboard/build.js";
import { useRealOmni } from "../../scripts/real-omni/facts.js";
import { startSameOriginProxy } from "../../scripts/real-omni/same-origin-proxy.js";
import { type RealOmniE2eEnvironment, realOmniEnvironmentVariable } from "./environment.js";

const root = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
// Outside Playwright's outputDir (which it empties) and inside test-results/ (git-ignored).
const site = join(root, "test-results/real-omni-site");

/**
 * Builds the demo dashboard and serves it with Omni's gateway from one nginx origin, the way
 * Omni's own web UI reaches Omni. Returns the teardown.
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const omni = await useRealOmni({
    onStep: (step) => process.stderr.write(`real Omni: ${step}\n`),
  });
  try {
    await rm(site, { recursive: true, force: true });
    await buildDashboard(site);
    const proxy = await startSameOriginProxy({ siteDir: site, omniEndpoint: omni.facts.endpoint });
    await writeFile(
      join(site, "config.json"),
      JSON.stringify({
        gatewayUrl: proxy.url,
        grpcWebUrl: omni.facts.grpcWebUrl,
        identity: omni.facts.adminUser,
      }),
    );
    const environment: RealOmniE2eEnvironment = { appOrigin: proxy.url, omni: omni.facts };
    process.env[realOmniEnvironmentVariable] = JSON.stringify(environment);
    return async () => {
      await proxy.stop();
      await omni.stop();
    };
  } catch (error) {
    await omni.stop();
    throw error;
  }
}
