import { Code, ConnectError, type Interceptor, type Transport } from "@connectrpc/connect";
import { createGrpcWebTransport as createConnectGrpcWebTransport } from "@connectrpc/connect-web";
import { ValidationError } from "../errors.js";
import { checkOptionKeys, optionKeys } from "../option-keys.js";
import { optionalInterceptors, optionalTimeoutMs } from "../validation.js";
import { normalizeBaseUrl } from "./base-url.js";
import { errorMessage } from "./gateway-errors.js";

/** Options of `createGrpcWebTransport`. */
export interface GrpcWebTransportOptions {
  /**
   * The URL of the gRPC-Web proxy in front of Omni (for example Envoy with its `grpc_web`
   * filter), such as `https://omni-grpc-web.example.com`. Omni itself does not speak gRPC-Web.
   */
  baseUrl: string;
  /**
   * The fetch to use instead of `globalThis.fetch`, for example one that sets
   * `credentials: "include"` when the proxy authenticates with cookies.
   */
  fetch?: typeof globalThis.fetch;
  /** Interceptors run on every call, in the order given. */
  interceptors?: Interceptor[];
  /** Deadline for calls that give no `timeoutMs` of their own; none by default. */
  defaultTimeoutMs?: number;
}

export const grpcWebTransportOptionKeys = /*@__PURE__*/ optionKeys<GrpcWebTransportOptions>()({
  baseUrl: true,
  fetch: true,
  interceptors: true,
  defaultTimeoutMs: true,
});

/**
 * What a fetch that never got an answer fails with: connect-web would report it as Unknown, but a
 * refused or dropped connection is Unavailable in gRPC, which the SDK's retries act on, as they do
 * over native gRPC. An abort stays what it is.
 */
function unreachable(reason: unknown, signal: AbortSignal | null | undefined): unknown {
  if (signal?.aborted || !(reason instanceof TypeError)) {
    return reason;
  }
  return new ConnectError(
    `the gRPC-Web proxy could not be reached: ${errorMessage(reason)}`,
    Code.Unavailable,
    undefined,
    undefined,
    reason,
  );
}

/**
 * A Connect `Transport` speaking gRPC-Web, for browsers and Electron renderers that reach Omni
 * through a gRPC-Web proxy. Messages are always binary protobuf: a proxy hands the body to
 * Omni's gRPC server unchanged, and that server has no JSON codec.
 */
export function createGrpcWebTransport(options: GrpcWebTransportOptions): Transport {
  // The other errors name the options bare (`baseUrl`), so unknown keys are named the same way.
  checkOptionKeys("", options, grpcWebTransportOptionKeys);
  const baseUrl = normalizeBaseUrl(options.baseUrl);
  if (options.fetch !== undefined && typeof options.fetch !== "function") {
    throw new ValidationError("fetch", "must be a function compatible with globalThis.fetch");
  }
  const interceptors = optionalInterceptors<Interceptor>("interceptors", options.interceptors);
  const fetchImpl = options.fetch;
  return createConnectGrpcWebTransport({
    baseUrl,
    useBinaryFormat: true,
    fetch: (input, init) =>
      (fetchImpl ?? globalThis.fetch)(input, init).catch((reason: unknown) => {
        throw unreachable(reason, init?.signal);
      }),
    interceptors,
    defaultTimeoutMs: optionalTimeoutMs("defaultTimeoutMs", options.defaultTimeoutMs),
  });
}
