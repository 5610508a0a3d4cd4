import type { IncomingMessage, ServerResponse } from "node:http";
import { cors as connectCors } from "@connectrpc/connect";
import { signedHeaderKeys } from "./signature.js";

/** Headers browsers may send: Connect's and gRPC-Web's, the siderov1 and routing metadata, any `Grpc-Metadata-*`. */
const allowedHeaders = new Set(
  [
    ...connectCors.allowedHeaders,
    ...signedHeaderKeys,
    "x-sidero-payload",
    "x-sidero-signature",
    "saml-session",
    "grpc-timeout",
  ].map((name) => name.toLowerCase()),
);
const exposedHeaders = [...connectCors.exposedHeaders, "WWW-Authenticate"].join(", ");

function headerAllowed(name: string): boolean {
  return allowedHeaders.has(name) || name.startsWith("grpc-metadata-");
}

/**
 * Adds CORS headers for allowed origins and answers preflights. Returns true when the request
 * was a preflight and is fully answered.
 */
export function handleCors(
  req: IncomingMessage,
  res: ServerResponse,
  origins: readonly string[] | "*",
): boolean {
  const origin = req.headers.origin;
  const allowed = origin !== undefined && (origins === "*" || origins.includes(origin));
  if (allowed) {
    res.setHeader("Access-Control-Allow-Origin", origins === "*" ? "*" : origin);
    res.setHeader("Access-Control-Expose-Headers", exposedHeaders);
    if (origins !== "*") {
      res.setHeader("Vary", "Origin");
    }
  }
  if (req.method !== "OPTIONS" || req.headers["access-control-request-method"] === undefined) {
    return false;
  }
  if (allowed) {
    const requested = (req.headers["access-control-request-headers"] ?? "")
      .split(",")
      .map((name) => name.trim().toLowerCase())
      .filter((name) => name !== "" && headerAllowed(name));
    res.setHeader("Access-Control-Allow-Methods", connectCors.allowedMethods.join(", "));
    res.setHeader("Access-Control-Allow-Headers", requested.join(", "));
    res.setHeader("Access-Control-Max-Age", "7200");
  }
  res.statusCode = 204;
  res.end();
  return true;
}
