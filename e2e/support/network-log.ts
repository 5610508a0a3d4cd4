import type { Page } from "@playwright/test";

/** One request as Chromium's network stack saw it, preflights included. */
export interface LoggedRequest {
  method: string;
  url: string;
  requestHeaders: Record<string, string>;
  status?: number;
  responseHeaders: Record<string, string>;
}

function lowerCaseKeys(headers: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name.toLowerCase(), String(value)]),
  );
}

/**
 * Records requests through the DevTools protocol. Playwright's own request events leave CORS
 * preflights out; the protocol reports them, with the headers actually sent and received.
 */
export async function recordNetwork(page: Page): Promise<Map<string, LoggedRequest>> {
  const requests = new Map<string, LoggedRequest>();
  const entry = (id: string): LoggedRequest => {
    let found = requests.get(id);
    if (!found) {
      found = { method: "", url: "", requestHeaders: {}, responseHeaders: {} };
      requests.set(id, found);
    }
    return found;
  };
  const session = await page.context().newCDPSession(page);
  session.on("Network.requestWillBeSent", (event) => {
    Object.assign(entry(event.requestId), { method: event.request.method, url: event.request.url });
  });
  session.on("Network.requestWillBeSentExtraInfo", (event) => {
    entry(event.requestId).requestHeaders = lowerCaseKeys(event.headers);
  });
  session.on("Network.responseReceivedExtraInfo", (event) => {
    Object.assign(entry(event.requestId), {
      status: event.statusCode,
      responseHeaders: lowerCaseKeys(event.headers),
    });
  });
  await session.send("Network.enable");
  return requests;
}
