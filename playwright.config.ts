import { defineConfig } from "@playwright/test";

/**
 * Browser end-to-end tests in Debian's Chromium (never a downloaded browser), against the
 * emulator on loopback. The global setup bundles the browser entry and serves the test pages from
 * their own origins, so every call from a page is cross-origin and goes through real CORS.
 */
export default defineConfig({
  testDir: "e2e",
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
  use: {
    browserName: "chromium",
    headless: true,
    screenshot: "only-on-failure",
    trace: "retain-on-failure",
    viewport: { width: 1280, height: 900 },
    launchOptions: {
      executablePath: "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-default-apps",
        "--disable-extensions",
        "--no-first-run",
        "--headless=new",
      ],
    },
  },
});
