import { defineConfig } from "@playwright/test";
import { systemChromium } from "./e2e/support/chromium.js";

/**
 * Browser end-to-end tests in Debian's Chromium (never a downloaded browser), against the
 * emulator on loopback. The global setup bundles the browser entry and serves the test pages from
 * their own origins, so every call from a page is cross-origin and goes through real CORS.
 */
export default defineConfig({
  testDir: "e2e",
  // The real-Omni browser tests have their own config (`npm run test:e2e:real-omni`).
  testIgnore: "real-omni/**",
  outputDir: "test-results/e2e",
  globalSetup: "./e2e/global-setup.ts",
  // The reporter stays overridable: `.ci/run` passes `--reporter=list,json`.
  reporter: "list",
  fullyParallel: false,
  workers: 2,
  retries: 0,
  forbidOnly: Boolean(process.env.CI),
  timeout: 60_000,
  expect: { timeout: 15_000 },
  use: systemChromium,
});
