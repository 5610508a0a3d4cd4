import type { PlaywrightTestConfig } from "@playwright/test";

/**
 * Debian's Chromium (never a downloaded browser), headless, with the background traffic this
 * machine's closed network would refuse switched off. Shared by both Playwright configs.
 */
export const systemChromium: PlaywrightTestConfig["use"] = {
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
};
