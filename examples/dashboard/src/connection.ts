import { createGatewayTransport, createGrpcWebTransport, type OmniClientOptions } from "./sdk.js";

export type TransportKind = "grpc-web" | "gateway";

/** How the dashboard reaches Omni; not secret, so a stored browser key keeps it beside the key. */
export interface ConnectionSettings {
  readonly transport: TransportKind;
  readonly endpoint: string;
  readonly readOnly: boolean;
}

export function isTransportKind(value: unknown): value is TransportKind {
  return value === "grpc-web" || value === "gateway";
}

export function transportFor(settings: ConnectionSettings): OmniClientOptions["transport"] {
  return settings.transport === "gateway"
    ? createGatewayTransport({ baseUrl: settings.endpoint })
    : createGrpcWebTransport({ baseUrl: settings.endpoint });
}
