import { Code, ConnectError } from "@connectrpc/connect";
import { boundMessage, excerptOf } from "./limits.js";

/**
 * What a status code means when the body says nothing better: a proxy's HTML page, an empty
 * body, a load balancer's plain text. grpc-gateway itself always answers errors with JSON.
 */
export function codeFromHttpStatus(status: number): Code {
  switch (status) {
    // gRPC's mapping for a status without a gRPC status of its own: a 400 from a proxy says
    // the request never reached Omni intact (plain HTTP sent to an HTTPS port, say).
    case 400:
      return Code.Internal;
    case 401:
      return Code.Unauthenticated;
    case 403:
      return Code.PermissionDenied;
    // Omni's handlers report a missing resource in JSON; a page that is not JSON comes from a
    // router or proxy that has no such path, so the RPC is not there.
    case 404:
      return Code.Unimplemented;
    // Omni's web UI handler answers 405 to a POST on a path outside `/api`: no such RPC there.
    case 405:
    case 501:
      return Code.Unimplemented;
    case 408:
      return Code.DeadlineExceeded;
    case 409:
      return Code.AlreadyExists;
    case 429:
      return Code.ResourceExhausted;
    case 502:
    case 503:
    case 504:
      return Code.Unavailable;
    default:
      return Code.Unknown;
  }
}

/**
 * grpc-gateway's own answer when no route matches: `{"code": 5, "message": "Not Found"}` with
 * HTTP 404. An Omni handler that reports a missing resource always says which one, so this exact
 * body means the RPC does not exist on this server.
 */
function isRoutingMiss(status: number, code: Code, message: string): boolean {
  return status === 404 && code === Code.NotFound && message === "Not Found";
}

interface GatewayStatus {
  /** Undefined when the body has no gRPC error code (1 to 16) of its own. */
  code: Code | undefined;
  message: string;
}

/**
 * Reads a `google.rpc.Status` as grpc-gateway writes it (`{code, message, details}`), or as the
 * value of an `{"error": ...}` stream line. Returns undefined for anything else.
 */
export function readGatewayStatus(value: unknown): GatewayStatus | undefined {
  if (typeof value !== "object" || value === null) {
    return undefined;
  }
  const { code, message } = value as { code?: unknown; message?: unknown };
  if (typeof code !== "number" && typeof message !== "string") {
    return undefined;
  }
  return {
    code: isErrorCode(code) ? code : undefined,
    message: typeof message === "string" ? message : "",
  };
}

function isErrorCode(value: unknown): value is Code {
  return (
    typeof value === "number" &&
    Number.isInteger(value) &&
    value >= Code.Canceled &&
    value <= Code.Unauthenticated
  );
}

/** The error carried by an `{"error": {...}}` line in the middle of a stream. */
export function errorFromStreamLine(error: unknown, metadata: Headers): ConnectError {
  const status = readGatewayStatus(error);
  if (status === undefined) {
    return new ConnectError(
      "protocol error: the gateway stream sent an error line without a status",
      Code.Internal,
      metadata,
    );
  }
  return new ConnectError(boundMessage(status.message), status.code ?? Code.Unknown, metadata);
}

/**
 * The error for a non-2xx gateway response. A gRPC status body (grpc-gateway always writes one,
 * with a code from 1 to 16) wins; otherwise the HTTP status decides the code, since the answer
 * comes from a proxy or load balancer in front of Omni, and the message quotes the body's
 * message or the start of the body, so its complaint stays visible without a whole HTML page.
 * A status message is bounded too (`MAX_ERROR_MESSAGE_CHARS`).
 */
export function errorFromHttpResponse(
  status: number,
  statusText: string,
  body: string,
  metadata: Headers,
): ConnectError {
  const json = tryParseJson(body);
  // A stream that fails before its first message is answered with the HTTP status of the code
  // and the stream's own `{"error": status}` line as the body (grpc-gateway's stream handler).
  const parsed = readGatewayStatus(json) ?? readGatewayStatus(streamErrorOf(json));
  if (parsed?.code !== undefined) {
    if (isRoutingMiss(status, parsed.code, parsed.message)) {
      return new ConnectError(
        "the server has no such method (HTTP 404 from the gateway router)",
        Code.Unimplemented,
        metadata,
      );
    }
    return new ConnectError(boundMessage(parsed.message), parsed.code, metadata);
  }
  const shown = excerptOf(parsed?.message || body);
  const statusLine = statusText ? `HTTP ${status} ${statusText}` : `HTTP ${status}`;
  return new ConnectError(
    shown ? `${statusLine}: ${shown}` : statusLine,
    codeFromHttpStatus(status),
    metadata,
  );
}

function streamErrorOf(value: unknown): unknown {
  return typeof value === "object" && value !== null && "error" in value
    ? (value as { error: unknown }).error
    : undefined;
}

function tryParseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * The error for a redirect, on every transport. Omni never sends one: it comes from something in
 * front of it (an http-to-https hop, a moved host, a login page). Following it could replay a
 * signed request elsewhere, so the call fails, and it fails for good with `FAILED_PRECONDITION`:
 * retrying meets the same redirect until baseUrl is fixed. The target is shown only when it is a
 * plain URL, never one carrying credentials or a query.
 */
export function errorFromRedirect(
  status: number,
  location: string | null,
  requestUrl: string,
  server = "the Omni gateway",
): ConnectError {
  // A browser hides a redirect that was not followed: status 0, no headers.
  const answer = status === 0 ? "a redirect" : `a redirect (HTTP ${status})`;
  const target = plainRedirectTarget(location, requestUrl);
  return new ConnectError(
    `${server} answered with ${answer}${target ? ` to ${target}` : ""}; set baseUrl to the address Omni answers at directly`,
    Code.FailedPrecondition,
  );
}

function plainRedirectTarget(location: string | null, requestUrl: string): string | undefined {
  if (location === null) {
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(location, requestUrl);
  } catch {
    return undefined;
  }
  const plain =
    (url.protocol === "https:" || url.protocol === "http:") &&
    url.username === "" &&
    url.password === "" &&
    url.search === "" &&
    url.hash === "";
  return plain ? url.href : undefined;
}

/**
 * What fetch or a body read failed with, followed by the low-level reason it wraps, as in
 * `terminated: other side closed`.
 */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
    return `${error.message}${cause}`;
  }
  return String(error);
}
