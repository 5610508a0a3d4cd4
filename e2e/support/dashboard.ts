import { type BrowserContext, expect, type Page } from "@playwright/test";
import { e2eEnvironment } from "./environment.js";

/** Opens the demo dashboard on the allowed origin; `expected` is what it shows once started. */
export async function openDashboard(page: Page, expected: "login" | "dashboard" = "login") {
  await page.goto(`${e2eEnvironment().appOrigin}/dashboard/`);
  await expect(page.locator(`#${expected}`)).toBeVisible();
}

/** Both tables have had their first full load, with the seeded clusters in them. */
export async function expectLiveTables(page: Page): Promise<void> {
  await expect(page.locator("#clusters[data-loaded=true]")).toBeAttached();
  await expect(page.locator("#machines[data-loaded=true]")).toBeAttached();
  await expect(page.locator("#clusters tbody tr")).toHaveCount(3);
  await expect(page.locator("#clusters tr[data-cluster=production]")).toContainText("running");
}

/**
 * Registers a browser key from the login form and approves it the way a user does: the
 * grant-access page it links to, opened in another tab of the same browser.
 */
export async function logInWithBrowserKey(page: Page, context: BrowserContext): Promise<void> {
  await expect(page.locator("#email")).toHaveValue("admin@example.org");
  await page.locator("#key-login button").click();
  const grantLink = page.locator("#grant-link");
  await expect(grantLink).toBeVisible();
  const grantPage = await context.newPage();
  await grantPage.goto((await grantLink.getAttribute("href")) ?? "");
  await grantPage.locator("#grant").click();
  await expect(grantPage.locator("#result")).toContainText("is confirmed");
  await grantPage.close();
  await expect(page.locator("#identity")).toHaveText("admin@example.org");
}
