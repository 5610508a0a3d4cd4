import { expect, test } from "@playwright/test";
import { MachineLabels } from "../src/index.js";
import { storedRecords } from "./support/browser-storage.js";
import { expectLiveTables, logInWithBrowserKey, openDashboard } from "./support/dashboard.js";
import { e2eEnvironment } from "./support/environment.js";
import { nodeAdminClient } from "./support/harness.js";

/** Set to refresh the README's screenshot from this run (`UPDATE_README_SCREENSHOT=1 npm run test:e2e`). */
const readmeScreenshot = process.env.UPDATE_README_SCREENSHOT
  ? "docs/images/dashboard.png"
  : undefined;

test("a service-account key shows live clusters, machines, labels and logs, read-only", async ({
  page,
}, testInfo) => {
  await openDashboard(page);
  await page.locator("#service-account-key").fill(e2eEnvironment().keys.reader);
  await page.locator("#service-account-login button").click();

  await expect(page.locator("#read-only-badge")).toBeVisible();
  await expect(page.locator("#identity")).toHaveText("emulator-reader");
  await expectLiveTables(page);
  expect(await page.locator("#machines tbody tr").count()).toBeGreaterThan(5);
  // The key is not left in the form once used, nor kept anywhere in the browser.
  await expect(page.locator("#service-account-key")).toHaveValue("");
  expect(await storedRecords(page)).toEqual([]);

  // A change made elsewhere reaches the table through the watch, without a reload.
  const node = nodeAdminClient();
  const row = page.locator("#machines tbody tr").first();
  const machineId = (await row.getAttribute("data-machine")) ?? "";
  const current = await node.resources.get(MachineLabels, machineId);
  await node.resources.update(MachineLabels, {
    metadata: { ...current.metadata, labels: { ...current.metadata.labels, tier: "gold" } },
    spec: current.spec,
  });
  await expect(
    page.locator(`#machines tr[data-machine="${machineId}"] [data-label=tier]`),
  ).toHaveText("tier=gold");

  // The log viewer follows the machine's log as lines arrive.
  await row.locator("button.show-logs").click();
  await expect(page.locator("#logs")).toBeVisible();
  await expect
    .poll(async () => ((await page.locator("#log-lines").textContent()) ?? "").split("\n").length)
    .toBeGreaterThan(55);

  const screenshot = testInfo.outputPath("dashboard.png");
  await page.screenshot({ path: screenshot, fullPage: true });
  await testInfo.attach("dashboard", { path: screenshot, contentType: "image/png" });
  if (readmeScreenshot) {
    // The first screenful keeps the committed image small; the artifact above has everything.
    await page.screenshot({ path: readmeScreenshot });
  }

  await page.locator("#log-stop").click();
  await page.locator("#logout").click();
  await expect(page.locator("#login")).toBeVisible();
});

test("a browser key registered through the grant-access page, over the gateway", async ({
  page,
  context,
}, testInfo) => {
  await openDashboard(page);
  await page.locator("#transport").selectOption("gateway");
  await expect(page.locator("#endpoint")).toHaveValue(e2eEnvironment().gatewayUrl);
  await page.locator("#read-only").uncheck();
  await logInWithBrowserKey(page, context);
  await expect(page.locator("#transport-badge")).toHaveText("gateway");
  await expect(page.locator("#read-only-badge")).toBeHidden();
  await expectLiveTables(page);
  await page.screenshot({ path: testInfo.outputPath("dashboard-browser-key.png"), fullPage: true });
});
