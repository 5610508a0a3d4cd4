/**
 * `sidero-omni-client/node`: what only Node (and Electron's main process) can do. Native gRPC
 * over HTTP/2, and clients configured the way omnictl is, from the environment or omniconfig.
 */
export {
  createOmniClientFromEnv,
  createOmniClientFromOmniconfig,
  type OmniClientFromEnvOptions,
  type OmniClientFromOmniconfigOptions,
  type OmniClientSettings,
} from "./node/clients.js";
export {
  type Environment,
  readServiceAccountEnvironment,
  type ServiceAccountEnvironment,
} from "./node/env.js";
export {
  createGrpcTransport,
  type GrpcEndpoint,
  type GrpcTlsOptions,
  type GrpcTransportOptions,
  resolveGrpcEndpoint,
} from "./node/grpc-transport.js";
export { userKeyFileCandidates } from "./node/key-files.js";
export {
  defaultOmniconfigPath,
  loadOmniconfig,
  type Omniconfig,
  type OmniconfigContext,
  selectOmniconfigContext,
} from "./node/omniconfig.js";
