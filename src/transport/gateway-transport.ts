import {
  type DescMessage,
  type DescMethodStreaming,
  type DescMethodUnary,
  fromJson,
  type JsonValue,
  type MessageInitShape,
  type MessageShape,
  type Registry,
  toJson,
} from "@bufbuild/protobuf";
import {
  Code,
  ConnectError,
  type ContextValues,
  createContextValues,
  type Interceptor,
  type StreamResponse,
  type Transport,
  type UnaryResponse,
} from "@connectrpc/connect";
import { runStreamingCall, runUnaryCall } from "@connectrpc/connect/protocol";
import { ValidationError } from "../errors.js";
import { checkOptionKeys, optionKeys } from "../option-keys.js";
import { optionalInterceptors, optionalTimeoutMs } from "../validation.js";
import { normalizeBaseUrl } from "./base-url.js";
import { createCallRules } from "./call-rules.js";
import {
  discardBody,
  fetchFailure,
  isRedirect,
  readBodyUpTo,
  readWholeBody,
} from "./fetch-answer.js";
import {
  errorFromHttpResponse,
  errorFromRedirect,
  errorFromStreamLine,
  errorMessage,
} from "./gateway-errors.js";
import { gatewayRequestHeaders, gatewayResponseMetadata } from "./gateway-metadata.js";
import { createMethodRegistry } from "./json-registry.js";
import { resolveMaxResponseBytes } from "./max-response-bytes.js";
import { parseNdjson } from "./ndjson.js";

/** Options of `createGatewayTransport`. */
export interface GatewayTransportOptions {
  /**
   * The Omni URL, the one its web UI is served from (`https://omni.example.com`). Requests go to
   * `<baseUrl>/api/<package.Service>/<Method>`; a base URL that already ends in `/api` is used
   * as it is. In a page on the Omni origin, `"/"` works too.
   */
  baseUrl: string;
  /**
   * The fetch to use instead of `globalThis.fetch`, for example one that sets
   * `credentials: "include"` for a proxy that authenticates with cookies.
   */
  fetch?: typeof globalThis.fetch;
  /** Interceptors run on every call, in the order given, as on Connect's own transports. */
  interceptors?: Interceptor[];
  /** Deadline for calls that give no `timeoutMs` of their own; none by default. */
  defaultTimeoutMs?: number;
  /**
   * The largest answer read, in bytes: the whole body of a unary answer, each line of a stream,
   * an error body. Counted while reading (after gzip is undone); past it the call fails with
   * `ResourceExhaustedError`. Default 32 MiB, Omni's own limit for one message.
   */
  maxResponseBytes?: number;
  /**
   * More message types for `google.protobuf.Any` fields. The types of the called service's proto
   * file and of everything it imports are always known; add others with `createRegistry(...)`.
   */
  registry?: Registry;
}

export const gatewayTransportOptionKeys = /*@__PURE__*/ optionKeys<GatewayTransportOptions>()({
  baseUrl: true,
  fetch: true,
  interceptors: true,
  defaultTimeoutMs: true,
  maxResponseBytes: true,
  registry: true,
});

/**
 * A Connect `Transport` over Omni's HTTP/JSON gateway (grpc-gateway), the API that Omni's own
 * web UI uses. It needs nothing but `fetch`, so it works in browsers on the Omni origin and in
 * Node. It supports unary and server-streaming calls: request metadata travel as
 * `Grpc-Metadata-<key>` headers, streams are read line by line as they arrive.
 */
export function createGatewayTransport(options: GatewayTransportOptions): Transport {
  // The other errors name the options bare (`baseUrl`), so unknown keys are named the same way.
  checkOptionKeys("", options, gatewayTransportOptionKeys);
  const apiUrl = gatewayApiUrl(normalizeBaseUrl(options.baseUrl));
  if (options.fetch !== undefined && typeof options.fetch !== "function") {
    throw new ValidationError("fetch", "must be a function compatible with globalThis.fetch");
  }
  const defaultTimeoutMs = optionalTimeoutMs("defaultTimeoutMs", options.defaultTimeoutMs);
  // The common rules run last, right before the network (see createCallRules).
  const interceptors = [
    ...(optionalInterceptors<Interceptor>("interceptors", options.interceptors) ?? []),
    createCallRules(),
  ];
  const maxResponseBytes = resolveMaxResponseBytes(options.maxResponseBytes);
  const registry = options.registry;
  if (
    registry !== undefined &&
    (typeof registry !== "object" || registry === null || typeof registry.getMessage !== "function")
  ) {
    throw new ValidationError("registry", "must be a protobuf-es Registry from createRegistry()");
  }
  const registryFor = createMethodRegistry(registry);
  const server = "the Omni gateway";
  const decoder = new TextDecoder();

  function effectiveTimeout(timeoutMs: number | undefined): number | undefined {
    // Connect's rule: undefined means the transport default, zero or less means no deadline.
    if (timeoutMs === undefined) {
      return defaultTimeoutMs;
    }
    return timeoutMs <= 0 ? undefined : timeoutMs;
  }

  async function post(
    url: string,
    metadata: Headers,
    timeoutMs: number | undefined,
    signal: AbortSignal,
    body: string,
  ): Promise<Response> {
    const fetch = options.fetch ?? globalThis.fetch;
    let response: Response;
    try {
      // "manual" hands the redirect back instead of failing like an unreachable server.
      response = await fetch(url, {
        method: "POST",
        headers: gatewayRequestHeaders(metadata, timeoutMs),
        body,
        signal,
        redirect: "manual",
      });
    } catch (cause) {
      // fetch rejects only when no HTTP answer came: refused, reset, DNS, TLS.
      throw fetchFailure(cause, signal, server);
    }
    if (isRedirect(response)) {
      discardBody(response);
      throw errorFromRedirect(response.status, response.headers.get("location"), url);
    }
    return response;
  }

  async function failure(
    response: Response,
    metadata: Headers,
    signal: AbortSignal,
  ): Promise<ConnectError> {
    let body = "";
    // grpc-gateway writes its statuses as JSON, which is read whole up to the cap; of anything
    // else (a proxy's page) only the start is quoted, so only the start is read.
    const json = /json/i.test(response.headers.get("content-type") ?? "");
    try {
      const limit = json ? maxResponseBytes : Math.min(maxResponseBytes, foreignBodyBytes);
      body = decoder.decode((await readBodyUpTo(response, limit, signal, server)).bytes);
    } catch (error) {
      if (signal.aborted) {
        throw error;
      }
      // The status line alone still says what happened.
    }
    return errorFromHttpResponse(response.status, response.statusText, body, metadata);
  }

  /**
   * The body of a successful answer, at most `maxResponseBytes` of it. A read that fails after
   * the status line came means the connection went away (a proxy timed out, Omni restarted),
   * which is UNAVAILABLE, rather than fetch's bare "terminated" that Connect would call UNKNOWN.
   */
  async function answerText(response: Response, signal: AbortSignal): Promise<string> {
    return decoder.decode(await readWholeBody(response, maxResponseBytes, signal, server));
  }

  return {
    async unary<I extends DescMessage, O extends DescMessage>(
      method: DescMethodUnary<I, O>,
      signal: AbortSignal | undefined,
      timeoutMs: number | undefined,
      header: HeadersInit | undefined,
      message: MessageInitShape<I>,
      contextValues?: ContextValues,
    ): Promise<UnaryResponse<I, O>> {
      const deadline = effectiveTimeout(timeoutMs);
      return await runUnaryCall<I, O>({
        interceptors,
        signal,
        timeoutMs: deadline,
        req: {
          stream: false,
          service: method.parent,
          method,
          requestMethod: "POST",
          url: `${apiUrl}/${method.parent.typeName}/${method.name}`,
          header: new Headers(header),
          contextValues: contextValues ?? createContextValues(),
          message,
        },
        next: async (req) => {
          const response = await post(
            req.url,
            req.header,
            deadline,
            req.signal,
            JSON.stringify(toJson(method.input, req.message, { registry: registryFor(method) })),
          );
          const metadata = gatewayResponseMetadata(response.headers);
          if (!response.ok) {
            throw await failure(response, metadata.header, req.signal);
          }
          return {
            stream: false,
            service: method.parent,
            method,
            header: metadata.header,
            message: parseMessage(
              method.output,
              await answerText(response, req.signal),
              registryFor(method),
            ),
            trailer: metadata.trailer,
          };
        },
      });
    },

    async stream<I extends DescMessage, O extends DescMessage>(
      method: DescMethodStreaming<I, O>,
      signal: AbortSignal | undefined,
      timeoutMs: number | undefined,
      header: HeadersInit | undefined,
      input: AsyncIterable<MessageInitShape<I>>,
      contextValues?: ContextValues,
    ): Promise<StreamResponse<I, O>> {
      const deadline = effectiveTimeout(timeoutMs);
      return await runStreamingCall<I, O>({
        interceptors,
        signal,
        timeoutMs: deadline,
        req: {
          stream: true,
          service: method.parent,
          method,
          requestMethod: "POST",
          url: `${apiUrl}/${method.parent.typeName}/${method.name}`,
          header: new Headers(header),
          contextValues: contextValues ?? createContextValues(),
          message: input,
        },
        next: async (req) => {
          if (method.methodKind !== "server_streaming") {
            throw new ConnectError(
              `the gateway transport cannot send a request stream (${method.methodKind}); use the native gRPC transport from sidero-omni-client/node`,
              Code.Unimplemented,
            );
          }
          const request = await onlyMessage(req.message);
          const response = await post(
            req.url,
            req.header,
            deadline,
            req.signal,
            JSON.stringify(toJson(method.input, request, { registry: registryFor(method) })),
          );
          const metadata = gatewayResponseMetadata(response.headers);
          if (!response.ok) {
            throw await failure(response, metadata.header, req.signal);
          }
          if (response.body === null) {
            throw new ConnectError("protocol error: the gateway sent no body", Code.Internal);
          }
          return {
            ...req,
            header: metadata.header,
            trailer: metadata.trailer,
            message: readStream(
              method.output,
              registryFor(method),
              response.body,
              metadata.header,
              req.signal,
              maxResponseBytes,
            ),
          };
        },
      });
    },
  };
}

/** How much of an error body that is not JSON is read: more than its quoted start needs. */
const foreignBodyBytes = 64 * 1024;

/** `<baseUrl>/api`, unless the user already pointed at the gateway prefix. */
function gatewayApiUrl(baseUrl: string): string {
  return /\/api$/.test(baseUrl) ? baseUrl : `${baseUrl}/api`;
}

async function onlyMessage<T>(input: AsyncIterable<T>): Promise<T> {
  const first = await input[Symbol.asyncIterator]().next();
  if (first.done === true) {
    throw new ConnectError("missing request message", Code.Internal);
  }
  return first.value;
}

function parseMessage<O extends DescMessage>(
  schema: O,
  text: string,
  registry: Registry,
): MessageShape<O> {
  // grpc-gateway leaves the body out for google.protobuf.Empty only and writes `{}` for any
  // other message, however empty; an empty body for one of those came from something else.
  if (text.trim() === "" && schema.typeName !== "google.protobuf.Empty") {
    throw new ConnectError(
      `protocol error: the gateway answered with an empty body where ${schema.typeName} belongs`,
      Code.Internal,
    );
  }
  let json: JsonValue;
  try {
    json = text.trim() === "" ? {} : (JSON.parse(text) as JsonValue);
  } catch (cause) {
    throw new ConnectError(
      "protocol error: the gateway answered with a body that is not JSON",
      Code.Internal,
      undefined,
      undefined,
      cause,
    );
  }
  return decodeMessage(schema, json, registry);
}

function decodeMessage<O extends DescMessage>(
  schema: O,
  json: JsonValue,
  registry: Registry,
): MessageShape<O> {
  try {
    // Omni's gateway rejects unknown request fields; answers may carry fields newer than this SDK.
    return fromJson(schema, json, { ignoreUnknownFields: true, registry });
  } catch (cause) {
    throw new ConnectError(
      `protocol error: cannot decode ${schema.typeName} from the gateway: ${errorMessage(cause)}`,
      Code.Internal,
      undefined,
      undefined,
      cause,
    );
  }
}

async function* readStream<O extends DescMessage>(
  schema: O,
  registry: Registry,
  body: ReadableStream<Uint8Array>,
  metadata: Headers,
  signal: AbortSignal,
  maxLineBytes: number,
): AsyncGenerator<MessageShape<O>> {
  for await (const line of parseNdjson(body, maxLineBytes, signal)) {
    if (typeof line !== "object" || line === null || Array.isArray(line)) {
      throw new ConnectError(
        "protocol error: a gateway stream line is not an object",
        Code.Internal,
      );
    }
    if ("error" in line) {
      throw errorFromStreamLine(line.error, metadata);
    }
    // Omni's web UI reads `line.result ?? line`; do the same for servers that send bare messages.
    const payload = "result" in line ? line.result : line;
    yield decodeMessage(schema, payload as JsonValue, registry);
  }
  // Some fetch implementations end the body quietly instead of failing the read when the call is
  // aborted; an aborted call must not look like a stream that finished.
  signal.throwIfAborted();
}
