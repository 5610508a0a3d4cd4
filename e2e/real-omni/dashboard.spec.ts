import { expect, type Page, test } from "@playwright/test";
import { mintIdToken } from "../../scripts/real-omni/identity-provider.js";
import { Clusters, createOmniClient, serviceAccountAuth } from "../../src/index.js";
import { createGrpcTransport } from "../../src/node.js";
import { type RealOmniE2eEnvironment, realOmniE2eEnvironment } from "./environment.js";

async function openDashboard(page: Page, transport: "gateway" | "grpc-web"): Promise<void> {
  await page.goto(`${realOmniE2eEnvironment().appOrigin}/`);
  await expect(page.locator("#login")).toBeVisible();
  await page.locator("#transport").selectOption(transport);
}

/** Both tables finished their first load from real Omni, which has no clusters or machines. */
async function expectLoadedFromOmni(page: Page): Promise<void> {
  await expect(page.locator("#clusters[data-loaded=true]")).toBeAttached();
  await expect(page.locator("#machines[data-loaded=true]")).toBeAttached();
  await expect(page.locator("#stream-error")).toBeHidden();
}

function adminClient(environment: RealOmniE2eEnvironment) {
  const { omni } = environment;
  return createOmniClient({
    transport: createGrpcTransport({ baseUrl: omni.endpoint }),
    auth: serviceAccountAuth(omni.serviceAccountKey),
  });
}

/** Confirms a key as Omni's web UI does for a logged-in user: ConfirmPublicKey with an ID token. */
async function confirmAsLoggedInUser(environment: RealOmniE2eEnvironment, publicKeyId: string) {
  const { omni } = environment;
  const idToken = await mintIdToken(omni, omni.adminUser);
  const unsigned = createOmniClient({ transport: createGrpcTransport({ baseUrl: omni.endpoint }) });
  await unsigned.auth.confirmPublicKey(publicKeyId, { idToken });
}

for (const transport of ["gateway", "grpc-web"] as const) {
  test(`a service-account key reads real Omni over the ${transport} from the browser`, async ({
    page,
  }) => {
    const environment = realOmniE2eEnvironment();
    await openDashboard(page, transport);
    if (transport === "gateway") {
      // Same origin as the page: nginx passes /api/ to Omni, which sends no CORS headers.
      await expect(page.locator("#endpoint")).toHaveValue(environment.appOrigin);
    }
    await page.locator("#service-account-key").fill(environment.omni.serviceAccountKey);
    await page.locator("#service-account-login button").click();

    await expect(page.locator("#identity")).toHaveText(environment.omni.serviceAccountName);
    await expect(page.locator("#read-only-badge")).toBeVisible();
    await expectLoadedFromOmni(page);
    await expect(page.locator("#service-account-key")).toHaveValue("");

    // A cluster created elsewhere reaches the table through the watch, with the status Omni's
    // controllers write for it, and leaves it when it is torn down.
    const admin = adminClient(environment);
    const id = `e2e-${transport}-${Date.now().toString(36)}`;
    await admin.resources.create(Clusters, {
      metadata: { id },
      spec: { talosVersion: "1.13.5", kubernetesVersion: "1.36.2" },
    });
    const row = page.locator(`#clusters tr[data-cluster="${id}"]`);
    await expect(row).toContainText("1.13.5");
    await expect(row).toContainText("1.36.2");
    await expect(row.locator("td.status")).not.toHaveText("pending");
    await admin.resources.teardownAndDestroy(Clusters, id);
    await expect(row).toHaveCount(0);
  });
}

test("a browser key is registered, confirmed by a logged-in user and signs calls to real Omni", async ({
  page,
}) => {
  const environment = realOmniE2eEnvironment();
  await openDashboard(page, "gateway");
  await expect(page.locator("#email")).toHaveValue(environment.omni.adminUser);
  await page.locator("#key-login button").click();

  const grantLink = page.locator("#grant-link");
  await expect(grantLink).toBeVisible();
  // Real Omni's login URL: its own web UI at /authenticate, naming the key to approve.
  const loginUrl = new URL((await grantLink.getAttribute("href")) ?? "");
  expect(loginUrl.pathname).toBe("/authenticate");
  const publicKeyId = loginUrl.searchParams.get("public-key-id") ?? "";
  expect(publicKeyId).not.toBe("");

  await confirmAsLoggedInUser(environment, publicKeyId);

  await expect(page.locator("#identity")).toHaveText(environment.omni.adminUser);
  await expectLoadedFromOmni(page);

  await page.locator("#logout").click();
  await expect(page.locator("#login")).toBeVisible();
});
