// The browser-safe entry of sidero-omni-client: nothing reachable from here may use Node built-ins.
export * from "./auth/index.js";
export { createOmniClient, type OmniClient, type OmniClientOptions } from "./client.js";
export { omniVersionsWith } from "./compatibility.js";
export * from "./errors.js";
export type { OmniLogFields, OmniLogger } from "./logging.js";
export * from "./management/index.js";
export {
  createOmniTransport,
  type OmniTransport,
  type OmniTransportOptions,
} from "./omni-transport.js";
export * from "./resources/index.js";
export type { RetryOptions } from "./retry.js";
export { type CallKind, classifyCall } from "./safety/classification.js";
export {
  createGatewayTransport,
  type GatewayTransportOptions,
} from "./transport/gateway-transport.js";
export { createGrpcWebTransport, type GrpcWebTransportOptions } from "./transport/grpc-web.js";
