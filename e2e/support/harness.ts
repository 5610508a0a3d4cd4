import type { Page } from "@playwright/test";
import type * as Sdk from "../../src/index.js";
import { createOmniClient, type OmniClient, serviceAccountAuth } from "../../src/index.js";
import type * as ManagementCalls from "../../src/management/calls.js";
import { createGrpcTransport } from "../../src/node.js";
import type * as ResourceCalls from "../../src/resources/calls.js";
import { e2eEnvironment } from "./environment.js";

export type BrowserTransport = "grpc-web" | "gateway";

export interface ClientSpec {
  readonly transport: BrowserTransport;
  readonly baseUrl: string;
  readonly key?: string;
  readonly readOnly?: boolean;
}

declare global {
  interface Window {
    /** The SDK's browser bundle, loaded by the harness page. */
    omni: typeof Sdk;
    /** The call-function entries, `sidero-omni-client/management` and `/resources`. */
    omniCalls: { management: typeof ManagementCalls; resources: typeof ResourceCalls };
    clientFor(spec: ClientSpec): Sdk.OmniClient;
    /** Scratch space for state that outlives one `page.evaluate`. */
    e2e: Record<string, unknown>;
  }
}

/** Both browser transports with the emulator URL each one takes. */
export function browserTransports(): Array<{ transport: BrowserTransport; baseUrl: string }> {
  const environment = e2eEnvironment();
  return [
    { transport: "grpc-web", baseUrl: environment.grpcWebUrl },
    { transport: "gateway", baseUrl: environment.gatewayUrl },
  ];
}

/** Opens the harness page on the allowed origin (or another one) and waits for the bundle. */
export async function openHarness(page: Page, origin = e2eEnvironment().appOrigin): Promise<void> {
  await page.goto(`${origin}/index.html`);
  await page.locator("body[data-ready=true]").waitFor({ state: "attached" });
}

/** An admin client in the test process, over native gRPC: the "someone else" that changes data. */
export function nodeAdminClient(): OmniClient {
  const environment = e2eEnvironment();
  return createOmniClient({
    transport: createGrpcTransport({ baseUrl: environment.grpcUrl }),
    auth: serviceAccountAuth(environment.keys.admin),
  });
}
