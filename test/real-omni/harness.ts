import type { Transport } from "@connectrpc/connect";
import { inject } from "vitest";
import { mintIdToken } from "../../scripts/real-omni/identity-provider.js";
import {
  createGatewayTransport,
  createGrpcWebTransport,
  createOmniClient,
  type OmniAuth,
  type OmniClient,
  serviceAccountAuth,
} from "../../src/index.js";
import { createGrpcTransport } from "../../src/node.js";

export { drain, failure, recordingTransport, take } from "../integration/harness.js";

/** The running real Omni, as the global setup started it or found it. */
export const realOmni = () => inject("realOmni");

export type TransportName = "native gRPC" | "gateway" | "gRPC-Web";

/** The three ways the SDK reaches a stock Omni: directly (h2c and the gateway) and via grpcwebproxy. */
export const transportNames: readonly TransportName[] = ["native gRPC", "gateway", "gRPC-Web"];

export function transportTo(name: TransportName): Transport {
  const omni = realOmni();
  switch (name) {
    case "native gRPC":
      return createGrpcTransport({ baseUrl: omni.endpoint });
    case "gateway":
      return createGatewayTransport({ baseUrl: omni.endpoint });
    case "gRPC-Web":
      return createGrpcWebTransport({ baseUrl: omni.grpcWebUrl });
  }
}

export interface RealClientSpec {
  /** Default: the initial Admin service account's key. `null` sends unsigned calls. */
  auth?: OmniAuth | null;
  readOnly?: boolean;
  transport?: Transport;
}

/** An SDK client of the real Omni over the named transport. */
export function realClient(name: TransportName, spec: RealClientSpec = {}): OmniClient {
  const auth =
    spec.auth === undefined ? serviceAccountAuth(realOmni().serviceAccountKey) : spec.auth;
  return createOmniClient({
    transport: spec.transport ?? transportTo(name),
    auth: auth ?? undefined,
    readOnly: spec.readOnly,
  });
}

/** An ID token for `email` from the identity-provider stand-in that Omni trusts. */
export function idTokenFor(email: string, options?: { emailVerified?: boolean }): Promise<string> {
  const { issuerUrl, caFile } = realOmni();
  return mintIdToken({ issuerUrl, caFile }, email, options);
}

/** A name no other test (or earlier run against the same Omni) uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`;
}
