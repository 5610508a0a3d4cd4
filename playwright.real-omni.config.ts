import { defineConfig } from "@playwright/test";
import { systemChromium } from "./e2e/support/chromium.js";

/**
 * The demo dashboard against a real Omni: the global setup starts Omni (or uses the one
 * `npm run omni:real` started when its OMNI_* variables are set) and serves the dashboard and
 * Omni's gateway from one origin through nginx, as a deployment of Omni's own web UI does.
 */
export default defineConfig({
  testDir: "e2e/real-omni",
  outputDir: "test-results/e2e-real-omni",
  globalSetup: "./e2e/real-omni/global-setup.ts",
  reporter: "list",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: Boolean(process.env.CI),
  // Building Omni on a fresh machine, when no running one is given, takes minutes.
  globalTimeout: 0,
  timeout: 90_000,
  expect: { timeout: 20_000 },
  use: systemChromium,
});
