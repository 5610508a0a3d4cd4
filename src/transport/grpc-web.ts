import { Code, ConnectError, type Interceptor, type Transport } from "@connectrpc/connect";
import { createGrpcWebTransport as createConnectGrpcWebTransport } from "@connectrpc/connect-web";
import { ValidationError } from "../errors.js";
import { checkOptionKeys, optionKeys } from "../option-keys.js";
import { optionalInterceptors, optionalTimeoutMs } from "../validation.js";
import { normalizeBaseUrl } from "./base-url.js";
import { brokenAnswer, createCallRules } from "./call-rules.js";
import {
  bodyFailure,
  discardBody,
  fetchFailure,
  isRedirect,
  readBodyUpTo,
} from "./fetch-answer.js";
import { errorFromRedirect } from "./gateway-errors.js";
import { excerptOf, MAX_EXCERPT_CHARS, responseTooLarge } from "./limits.js";
import { resolveMaxResponseBytes } from "./max-response-bytes.js";

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
  /**
   * The largest message read, in bytes, counted from each message's length prefix before it is
   * read: past it the call fails with `ResourceExhaustedError`. Default 32 MiB, Omni's own limit.
   */
  maxResponseBytes?: number;
}

export const grpcWebTransportOptionKeys = /*@__PURE__*/ optionKeys<GrpcWebTransportOptions>()({
  baseUrl: true,
  fetch: true,
  interceptors: true,
  defaultTimeoutMs: true,
  maxResponseBytes: true,
});

const server = "the gRPC-Web proxy";

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
  const maxResponseBytes = resolveMaxResponseBytes(options.maxResponseBytes);
  return createConnectGrpcWebTransport({
    baseUrl,
    useBinaryFormat: true,
    fetch: grpcWebFetch(options.fetch, maxResponseBytes),
    // The common rules run last, right before the network (see createCallRules).
    interceptors: [...(interceptors ?? []), createCallRules(brokenAnswer)],
    defaultTimeoutMs: optionalTimeoutMs("defaultTimeoutMs", options.defaultTimeoutMs),
  });
}

/**
 * The fetch connect-web calls. It asks for `redirect: "manual"`: connect-web asks for "error",
 * and Node 20's fetch (undici) stops honouring the abort signal of such a request once a garbage
 * collection has run while it waits for data, so neither a deadline nor `abort()` could end the
 * call, and the server kept the stream open. A redirect is then refused as on every transport.
 * The answer's body is handed on through `limitMessages`, and an answer that is not gRPC-Web
 * (an HTML page with status 200) fails before connect-web reads it as messages.
 */
function grpcWebFetch(
  fetchImpl: typeof globalThis.fetch | undefined,
  maxResponseBytes: number,
): typeof globalThis.fetch {
  return async (input, init) => {
    const signal = init?.signal ?? undefined;
    // Looked up at call time, so a fetch patched after the transport was made is used.
    const fetch = fetchImpl ?? globalThis.fetch;
    let response: Response;
    try {
      response = await fetch(input, { ...init, redirect: "manual" });
    } catch (reason) {
      throw fetchFailure(reason, signal, server);
    }
    if (isRedirect(response)) {
      discardBody(response);
      throw errorFromRedirect(
        response.status,
        response.headers.get("location"),
        requestUrl(input),
        server,
      );
    }
    if (response.status < 200 || response.status >= 300) {
      // connect-web reads the status and headers only; the body would hold the connection.
      discardBody(response);
      return new Response(null, {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      });
    }
    const contentType = response.headers.get("content-type");
    if (!isGrpcWebContentType(contentType)) {
      throw await notGrpcWeb(response, contentType, signal);
    }
    if (response.body === null) {
      return response;
    }
    return new Response(limitMessages(response.body, maxResponseBytes, signal), {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}

function requestUrl(input: Parameters<typeof globalThis.fetch>[0]): string {
  if (typeof input === "string") {
    return input;
  }
  return input instanceof URL ? input.href : input.url;
}

/** What the transport asks for (binary protobuf), with or without its `+proto` suffix. */
function isGrpcWebContentType(contentType: string | null): boolean {
  return contentType !== null && /^application\/grpc-web(\+proto)?\s*(;|$)/i.test(contentType);
}

/** A 2xx answer that is not gRPC-Web: a login page, a web server's index, a JSON API. */
async function notGrpcWeb(
  response: Response,
  contentType: string | null,
  signal: AbortSignal | undefined,
): Promise<ConnectError> {
  // The start of the page shows whose it is; the rest is left unread.
  const { bytes } = await readBodyUpTo(response, MAX_EXCERPT_CHARS * 4, signal, server);
  const excerpt = excerptOf(new TextDecoder().decode(bytes));
  const type = contentType === null ? "no content-type" : `content-type ${contentType}`;
  return new ConnectError(
    `${server} answered HTTP ${response.status} with ${type}, not gRPC-Web${excerpt ? `: ${excerpt}` : ""}; is baseUrl the gRPC-Web proxy?`,
    Code.Internal,
  );
}

const envelopeHeaderBytes = 5;

/**
 * Hands the body on chunk by chunk, unchanged, reading each message's five-byte prefix as it
 * passes: a message longer than `maxBytes` fails with `RESOURCE_EXHAUSTED` before any of it is
 * buffered (connect-web would allocate what the prefix says, up to 4 GiB). A body that ends in
 * the middle of a message is a broken answer (`INTERNAL`); one that fails to read means the
 * connection was lost (`UNAVAILABLE`).
 */
function limitMessages(
  body: ReadableStream<Uint8Array>,
  maxBytes: number,
  signal: AbortSignal | undefined,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  const header = new Uint8Array(envelopeHeaderBytes);
  let headerFill = 0;
  // Bytes of the current message still to come.
  let remaining = 0;
  let messageLength = 0;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let result: ReadableStreamReadResult<Uint8Array>;
        try {
          result = await reader.read();
        } catch (reason) {
          controller.error(bodyFailure(reason, signal, server));
          return;
        }
        if (result.done) {
          if (headerFill > 0 || remaining > 0) {
            const got =
              headerFill > 0
                ? `${headerFill} of the ${envelopeHeaderBytes} bytes of a message prefix`
                : `${messageLength - remaining} of ${messageLength} bytes`;
            controller.error(
              new ConnectError(
                `protocol error: the answer ended in the middle of a message (${got})`,
                Code.Internal,
              ),
            );
            return;
          }
          controller.close();
          return;
        }
        const chunk = result.value;
        let offset = 0;
        while (offset < chunk.byteLength) {
          if (remaining > 0) {
            const take = Math.min(remaining, chunk.byteLength - offset);
            remaining -= take;
            offset += take;
            continue;
          }
          const take = Math.min(envelopeHeaderBytes - headerFill, chunk.byteLength - offset);
          header.set(chunk.subarray(offset, offset + take), headerFill);
          headerFill += take;
          offset += take;
          if (headerFill === envelopeHeaderBytes) {
            headerFill = 0;
            messageLength = new DataView(header.buffer).getUint32(1);
            if (messageLength > maxBytes) {
              reader.cancel().catch(() => {});
              controller.error(
                responseTooLarge("a message of the answer", messageLength, maxBytes),
              );
              return;
            }
            remaining = messageLength;
          }
        }
        controller.enqueue(chunk);
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}
