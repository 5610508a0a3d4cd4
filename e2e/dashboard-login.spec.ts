import { expect, type Page, test } from "@playwright/test";
import { storedRecords } from "./support/browser-storage.js";
import { expectLiveTables, logInWithBrowserKey, openDashboard } from "./support/dashboard.js";
import { e2eEnvironment } from "./support/environment.js";
import { openHarness } from "./support/harness.js";

interface KeptBrowserKey {
  keyPair: CryptoKeyPair;
  publicKeyId: string;
  identity: string;
}

/**
 * Copies the dashboard's stored browser key into the harness page (same origin, so the same
 * IndexedDB), where the SDK bundle can sign with it after the dashboard has forgotten it.
 */
async function keepDashboardKey(harness: Page): Promise<void> {
  await harness.evaluate(async () => {
    const database = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open("omni-dashboard");
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    const request = database.transaction("browser-key").objectStore("browser-key").get("current");
    window.e2e.browserKey = await new Promise((resolve, reject) => {
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    database.close();
  });
}

/** A signed call with the kept key: "3 clusters", or "Unauthenticated" once Omni refuses it. */
function listClustersWithKeptKey(harness: Page, action: "list" | "revoke" = "list") {
  return harness.evaluate(
    async ({ baseUrl, action }) => {
      const { Clusters, createGrpcWebTransport, createOmniClient, ecdsaAuth } = window.omni;
      const key = window.e2e.browserKey as KeptBrowserKey;
      const client = createOmniClient({
        transport: createGrpcWebTransport({ baseUrl }),
        auth: ecdsaAuth({
          identity: key.identity,
          privateKey: key.keyPair.privateKey,
          publicKeyId: key.publicKeyId,
        }),
      });
      if (action === "revoke") {
        await client.auth.revokePublicKey(key.publicKeyId);
        return "revoked";
      }
      return client.resources.listAll(Clusters).then(
        (clusters) => `${clusters.length} clusters`,
        (error: unknown) =>
          error instanceof window.omni.UnauthenticatedError ? "Unauthenticated" : String(error),
      );
    },
    { baseUrl: e2eEnvironment().grpcWebUrl, action },
  );
}

test("a browser key stays logged in across a reload until Sign out revokes it", async ({
  page,
  context,
}) => {
  await openDashboard(page);
  await logInWithBrowserKey(page, context);
  await expectLiveTables(page);

  // What is stored: the key pair with its private half non-extractable, and no other secret.
  const records = await storedRecords(page);
  expect(records).toHaveLength(1);
  expect(records[0]).toContain('"privateKey":{"cryptoKey":"private","extractable":false}');
  expect(records[0]).toContain('"identity":"admin@example.org"');

  await page.reload();
  await expect(page.locator("#dashboard")).toBeVisible();
  await expect(page.locator("#login")).toBeHidden();
  await expect(page.locator("#identity")).toHaveText("admin@example.org");
  // The connection settings of the login come back with the key.
  await expect(page.locator("#transport-badge")).toHaveText("gRPC-Web");
  await expect(page.locator("#read-only-badge")).toBeVisible();
  await expectLiveTables(page);

  const harness = await context.newPage();
  await openHarness(harness);
  await keepDashboardKey(harness);
  expect(await listClustersWithKeptKey(harness)).toBe("3 clusters");

  await page.locator("#logout").click();
  await expect(page.locator("#login")).toBeVisible();
  await expect(page.locator("#login-error")).toBeHidden();
  await expect(page.locator("#session")).toBeHidden();
  expect(await storedRecords(page)).toEqual([]);
  // Revoked in Omni, not only forgotten here.
  expect(await listClustersWithKeptKey(harness)).toBe("Unauthenticated");

  await openDashboard(page, "login");
});

test("a stored key that Omni no longer accepts returns to the login form and is forgotten", async ({
  page,
  context,
}) => {
  await openDashboard(page);
  await page.locator("#transport").selectOption("gateway");
  await logInWithBrowserKey(page, context);
  await expectLiveTables(page);

  // Revoked elsewhere (another tab, an admin) while the dashboard was closed.
  const harness = await context.newPage();
  await openHarness(harness);
  await keepDashboardKey(harness);
  expect(await listClustersWithKeptKey(harness, "revoke")).toBe("revoked");

  await page.reload();
  await expect(page.locator("#login")).toBeVisible();
  await expect(page.locator("#login-error")).toContainText(
    "Omni no longer accepts the key of admin@example.org",
  );
  await expect(page.locator("#dashboard")).toBeHidden();
  await expect.poll(() => storedRecords(page)).toEqual([]);
});

test("a malformed service-account key is reported on the form and nothing is sent", async ({
  page,
}) => {
  const { grpcWebUrl, gatewayUrl } = e2eEnvironment();
  const sentToOmni: string[] = [];
  page.on("request", (request) => {
    if (request.url().startsWith(grpcWebUrl) || request.url().startsWith(gatewayUrl)) {
      sentToOmni.push(request.url());
    }
  });
  await openDashboard(page);

  const unreadableArmor = [
    "-----BEGIN PGP PRIVATE KEY BLOCK-----",
    "",
    "c2VjcmV0LWxvb2tpbmctYnV0LWJyb2tlbg==",
    "-----END PGP PRIVATE KEY BLOCK-----",
  ].join("\n");
  const cases = [
    {
      // Well-formed outside, so only parsing the key itself (signer()) finds the problem.
      key: btoa(JSON.stringify({ name: "ci-bot", pgp_key: unreadableArmor })),
      error: "serviceAccountKey.pgp_key: could not be parsed as an OpenPGP key",
    },
    {
      key: "this is not base64",
      error: "serviceAccountKey: is not valid standard (padded) base64",
    },
  ];
  for (const { key, error } of cases) {
    await page.locator("#service-account-key").fill(key);
    await page.locator("#service-account-submit").click();
    await expect(page.locator("#login-error")).toHaveText(error);
    await expect(page.locator("#service-account-submit")).toBeEnabled();
    await expect(page.locator("#login")).toBeVisible();
    await expect(page.locator("#dashboard")).toBeHidden();
    await expect(page.locator("#session")).toBeHidden();
  }
  expect(await storedRecords(page)).toEqual([]);
  expect(sentToOmni).toEqual([]);
});
