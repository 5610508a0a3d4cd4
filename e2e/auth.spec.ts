import { expect, test } from "@playwright/test";
import { e2eEnvironment } from "./support/environment.js";
import { browserTransports, openHarness } from "./support/harness.js";

test("ECDSA login through key registration and the grant-access page", async ({
  page,
  context,
}) => {
  const { grpcWebUrl } = e2eEnvironment();
  await openHarness(page);

  const { loginUrl, signedBeforeGrant } = await page.evaluate(
    async ({ baseUrl }) => {
      const { createGrpcWebTransport, createOmniClient, ecdsaAuth, generateEcdsaKey } = window.omni;
      const transport = createGrpcWebTransport({ baseUrl });
      const unsigned = createOmniClient({ transport });
      const identity = "admin@example.org";
      const key = await generateEcdsaKey();
      const registered = await unsigned.auth.registerPublicKey({ identity, ecdsaKey: key });
      window.e2e.login = {
        identity,
        privateKey: key.privateKey,
        publicKeyId: registered.publicKeyId,
        confirmed: unsigned.auth.awaitPublicKeyConfirmation(registered.publicKeyId),
      };
      const early = createOmniClient({
        transport,
        auth: ecdsaAuth({
          identity,
          privateKey: key.privateKey,
          publicKeyId: registered.publicKeyId,
        }),
      });
      const signedBeforeGrant = await early.resources.listAll(window.omni.Clusters).then(
        () => "accepted",
        (error: unknown) =>
          error instanceof window.omni.UnauthenticatedError ? "Unauthenticated" : String(error),
      );
      return { loginUrl: registered.loginUrl, signedBeforeGrant };
    },
    { baseUrl: grpcWebUrl },
  );
  expect(signedBeforeGrant).toBe("Unauthenticated");

  // What the user does: open the login URL in another tab and grant access.
  const grantPage = await context.newPage();
  await grantPage.goto(loginUrl);
  await expect(grantPage.locator("#identity")).toHaveText("admin@example.org");
  await grantPage.locator("#grant").click();
  await expect(grantPage.locator("#result")).toContainText("is confirmed");
  await grantPage.close();

  const clustersPerTransport = await page.evaluate(async (transports) => {
    const login = window.e2e.login as {
      identity: string;
      privateKey: CryptoKey;
      publicKeyId: string;
      confirmed: Promise<void>;
    };
    await login.confirmed;
    const { createGatewayTransport, createGrpcWebTransport, createOmniClient, ecdsaAuth } =
      window.omni;
    const counts: Record<string, number> = {};
    for (const { transport, baseUrl } of transports) {
      const client = createOmniClient({
        transport:
          transport === "gateway"
            ? createGatewayTransport({ baseUrl })
            : createGrpcWebTransport({ baseUrl }),
        auth: ecdsaAuth(login),
      });
      counts[transport] = (await client.resources.listAll(window.omni.Clusters)).length;
    }
    return counts;
  }, browserTransports());
  expect(clustersPerTransport).toEqual({ "grpc-web": 3, gateway: 3 });
});

test("a wrong service-account key is refused, not sent", async ({ page }) => {
  const { gatewayUrl } = e2eEnvironment();
  await openHarness(page);
  const outcome = await page.evaluate(async (baseUrl) => {
    try {
      window.clientFor({ transport: "gateway", baseUrl, key: "bm90IGEga2V5" });
      return "accepted";
    } catch (error) {
      return error instanceof window.omni.KeyError ? "KeyError" : String(error);
    }
  }, gatewayUrl);
  expect(outcome).toBe("KeyError");
});
