import { expect, test } from "@playwright/test";
import { e2eEnvironment } from "./support/environment.js";
import { browserTransports, openHarness } from "./support/harness.js";
import { recordNetwork } from "./support/network-log.js";

/** The siderov1 headers as each transport puts them on the wire. */
const signingHeaders = {
  "grpc-web": ["x-sidero-payload", "x-sidero-signature", "x-sidero-timestamp"],
  gateway: [
    "grpc-metadata-x-sidero-payload",
    "grpc-metadata-x-sidero-signature",
    "grpc-metadata-x-sidero-timestamp",
  ],
} as const;

const splitList = (value: string | undefined) =>
  (value ?? "").split(",").map((name) => name.trim().toLowerCase());

for (const { transport, baseUrl } of browserTransports()) {
  test(`the signing headers survive the CORS preflight over ${transport}`, async ({ page }) => {
    const { appOrigin, keys } = e2eEnvironment();
    await openHarness(page);
    const network = await recordNetwork(page);

    const clusters = await page.evaluate(
      async (spec) => {
        const client = window.clientFor(spec);
        return (await client.resources.listAll(window.omni.Clusters)).length;
      },
      { transport, baseUrl, key: keys.reader },
    );
    expect(clusters).toBe(3);

    const calls = [...network.values()].filter((request) => request.url.endsWith("State/List"));
    const preflight = calls.find((request) => request.method === "OPTIONS");
    const call = calls.find((request) => request.method === "POST");
    expect(preflight, "the browser sent a preflight").toBeDefined();
    expect(call, "the browser sent the call").toBeDefined();

    const asked = splitList(preflight?.requestHeaders["access-control-request-headers"]);
    const allowed = splitList(preflight?.responseHeaders["access-control-allow-headers"]);
    for (const header of signingHeaders[transport]) {
      expect(asked).toContain(header);
      expect(allowed).toContain(header);
    }
    expect(preflight?.responseHeaders["access-control-allow-origin"]).toBe(appOrigin);

    const signature = signingHeaders[transport][1];
    expect(call?.requestHeaders[signature]).toMatch(/^siderov1 emulator-reader \S+ \S+$/);
    expect(call?.requestHeaders.origin).toBe(appOrigin);
    expect(call?.status).toBe(200);
  });

  test(`a page on an origin the emulator does not allow is refused over ${transport}`, async ({
    page,
  }) => {
    const { foreignOrigin, keys } = e2eEnvironment();
    await openHarness(page, foreignOrigin);
    const outcome = await page.evaluate(
      async (spec) => {
        const client = window.clientFor(spec);
        try {
          await client.resources.listAll(window.omni.Clusters);
          return "the call went through";
        } catch (error) {
          return error instanceof window.omni.OmniError ? "OmniError" : String(error);
        }
      },
      { transport, baseUrl, key: keys.reader },
    );
    expect(outcome).toBe("OmniError");
  });
}
