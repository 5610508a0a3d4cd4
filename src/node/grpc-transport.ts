import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { isIP } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { Code, ConnectError, type Interceptor, type Transport } from "@connectrpc/connect";
import { createGrpcTransport as createConnectGrpcTransport } from "@connectrpc/connect-node";
import { ValidationError } from "../errors.js";
import { checkOptionKeys, optionKeys } from "../option-keys.js";
import {
  brokenAnswer,
  createCallRules,
  type ErrorTranslator,
  raisedLocally,
  withCode,
} from "../transport/call-rules.js";
import { errorFromRedirect } from "../transport/gateway-errors.js";
import { responseTooLarge } from "../transport/limits.js";
import { resolveMaxResponseBytes } from "../transport/max-response-bytes.js";
import { describeScheme, parseUrlInput } from "../transport/url-input.js";
import { optionalInterceptors, optionalTimeoutMs } from "../validation.js";
import { useNodeSigning } from "./sync-signing.js";

/** How to check Omni's TLS certificate. */
export interface GrpcTlsOptions {
  /**
   * PEM certificate(s) of the CA that signed Omni's certificate, for an Omni behind a private
   * CA. They replace the system's trusted roots for this connection.
   */
  ca?: string | Uint8Array | ReadonlyArray<string | Uint8Array>;
  /**
   * Accept any certificate, like omnictl's `--insecure-skip-tls-verify`. Anyone on the path can
   * then read and change the traffic; use it only against a test instance.
   */
  insecureSkipVerify?: boolean;
}

/** Options of `createGrpcTransport`. */
export interface GrpcTransportOptions {
  /**
   * Omni's URL, read as Omni's Go client reads it: `https://host` is TLS on port 443 unless a port
   * is given; `http://host` and `grpc://host` are cleartext HTTP/2 (h2c) on port 80 unless a
   * port is given. A path in the URL is ignored, because gRPC calls go to the root.
   */
  baseUrl: string;
  /** Certificate checks for `https://` URLs. */
  tls?: GrpcTlsOptions;
  /** Interceptors run on every call, in the order given. */
  interceptors?: Interceptor[];
  /** Deadline for calls that give no `timeoutMs` of their own; none by default. */
  defaultTimeoutMs?: number;
  /**
   * The largest message read, in bytes, checked against each message's length prefix before it
   * is read: past it the call fails with `ResourceExhaustedError`. Default 32 MiB, the limit of
   * Omni and of its Go client.
   */
  maxResponseBytes?: number;
}

export const grpcTransportOptionKeys = /*@__PURE__*/ optionKeys<GrpcTransportOptions>()({
  baseUrl: true,
  tls: true,
  interceptors: true,
  defaultTimeoutMs: true,
  maxResponseBytes: true,
});

export const tlsOptionKeys = /*@__PURE__*/ optionKeys<GrpcTlsOptions>()({
  ca: true,
  insecureSkipVerify: true,
});

/** Where a gRPC connection goes and whether it is encrypted. */
export interface GrpcEndpoint {
  /** `https://host:port` or `http://host:port`, without a path. */
  baseUrl: string;
  secure: boolean;
}

// Omni's limit for a single message, in both directions (GRPCMaxMessageSize).
const maxMessageBytes = 32 * 1024 * 1024;
// The Go client pings an idle connection every minute, so proxies do not drop long watches.
const pingIntervalMs = 60_000;

const example = "https://omni.example.com or http://127.0.0.1:8080";

/**
 * Applies the Go client's URL rules to an Omni endpoint. `argument` names where the URL came
 * from (an option, an environment variable, an omniconfig key) in errors.
 */
export function resolveGrpcEndpoint(baseUrl: unknown, argument = "baseUrl"): GrpcEndpoint {
  if (typeof baseUrl !== "string" || baseUrl.trim() === "") {
    throw new ValidationError(
      argument,
      "must be the URL of Omni, such as https://omni.example.com",
    );
  }
  const url = parseUrlInput(baseUrl.trim(), argument, example);
  if (url.username !== "" || url.password !== "") {
    throw new ValidationError(argument, "must not carry credentials; authenticate with `auth`");
  }
  // `new URL` drops a port equal to the scheme's default, so the default is reapplied after.
  const host = url.hostname;
  switch (url.protocol) {
    case "https:":
      return { baseUrl: `https://${host}:${url.port || "443"}`, secure: true };
    case "http:":
    case "grpc:":
      return { baseUrl: `http://${host}:${url.port || "80"}`, secure: false };
    default:
      throw new ValidationError(
        argument,
        `${describeScheme(url)} is not supported; use https:// (TLS) or http:// / grpc:// (cleartext)`,
      );
  }
}

/**
 * A Connect `Transport` speaking native gRPC over HTTP/2 to Omni, the way omnictl does. Node
 * only (Electron main included). Idle connections do not keep the process alive. From the
 * first call on, keys in this process sign with `node:crypto` in-thread instead of through
 * WebCrypto's thread pool or openpgp.js (docs/performance.md has what each costs).
 */
export function createGrpcTransport(options: GrpcTransportOptions): Transport {
  // A Node process that builds a Node transport signs ECDSA with node:crypto from then on.
  useNodeSigning();
  // The other errors name the options bare (`baseUrl`, `tls.ca`), so unknown keys are too.
  checkOptionKeys("", options, grpcTransportOptionKeys);
  const endpoint = resolveGrpcEndpoint(options.baseUrl);
  const tls = options.tls;
  if (tls !== undefined) {
    checkOptionKeys("tls", tls, tlsOptionKeys);
  }
  if (tls !== undefined && !endpoint.secure) {
    throw new ValidationError(
      "tls",
      `applies only to https:// URLs; ${endpoint.baseUrl} is cleartext HTTP/2`,
    );
  }
  if (tls?.insecureSkipVerify !== undefined && typeof tls.insecureSkipVerify !== "boolean") {
    throw new ValidationError("tls.insecureSkipVerify", "must be true or false");
  }
  const ca = tls?.ca === undefined ? undefined : normalizeCa(tls.ca);
  const defaultTimeoutMs = optionalTimeoutMs("defaultTimeoutMs", options.defaultTimeoutMs);
  const rejectUnauthorized = tls?.insecureSkipVerify !== true;
  const interceptors = optionalInterceptors<Interceptor>("interceptors", options.interceptors);
  const maxResponseBytes = resolveMaxResponseBytes(options.maxResponseBytes);
  return createConnectGrpcTransport({
    baseUrl: endpoint.baseUrl,
    interceptors: [
      explainWrongProtocol(endpoint, { ca, rejectUnauthorized }),
      ...(interceptors ?? []),
      // The common rules run last, right before the network (see createCallRules).
      createCallRules(nativeErrors(endpoint)),
    ],
    defaultTimeoutMs,
    readMaxBytes: maxResponseBytes,
    writeMaxBytes: maxMessageBytes,
    pingIntervalMs,
    nodeOptions: endpoint.secure ? { ca, rejectUnauthorized } : undefined,
  });
}

function normalizeCa(ca: GrpcTlsOptions["ca"]): string[] {
  const entries: ReadonlyArray<unknown> = Array.isArray(ca) ? ca : [ca];
  if (entries.length === 0) {
    throw new ValidationError("tls.ca", "is empty; give at least one PEM certificate");
  }
  return entries.map((entry, index) => {
    const where = Array.isArray(ca) ? `tls.ca[${index}]` : "tls.ca";
    const pem =
      typeof entry === "string"
        ? entry
        : entry instanceof Uint8Array
          ? new TextDecoder().decode(entry)
          : undefined;
    if (pem === undefined) {
      throw new ValidationError(where, "must be a PEM certificate as a string or bytes");
    }
    if (!pem.includes("-----BEGIN CERTIFICATE-----")) {
      throw new ValidationError(
        where,
        "is not a PEM certificate (no -----BEGIN CERTIFICATE----- line); pass the file's contents, not its path",
      );
    }
    return pem;
  });
}

/** The status line and content type of the server's answer to a plain HTTP/1.1 request. */
interface Http1Answer {
  httpVersion: string;
  status: number;
  contentType: string | undefined;
}

const probeTimeoutMs = 2000;

/**
 * Asks the server for `/` over HTTP/1.1 (TLS for an https:// endpoint, checked as the transport
 * checks it), to learn what it speaks. Undefined when it does not answer HTTP at all.
 */
function probeHttp1(
  endpoint: GrpcEndpoint,
  tls: { ca: string[] | undefined; rejectUnauthorized: boolean },
): Promise<Http1Answer | undefined> {
  return new Promise((resolve) => {
    const request = endpoint.secure ? httpsRequest : httpRequest;
    const req = request(`${endpoint.baseUrl}/`, {
      method: "GET",
      agent: false,
      timeout: probeTimeoutMs,
      ...(endpoint.secure ? tls : {}),
    });
    req.on("response", (res) => {
      resolve({
        httpVersion: res.httpVersion,
        status: res.statusCode ?? 0,
        contentType: res.headers["content-type"]?.split(";")[0],
      });
      req.destroy();
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(undefined));
    req.on("close", () => resolve(undefined));
    req.end();
  });
}

/** Node's code for what broke the connection: an HTTP/2 protocol error, a TLS alert, ... */
function causeCode(error: unknown): string | undefined {
  const cause = error instanceof ConnectError ? error.cause : undefined;
  const code: unknown =
    typeof cause === "object" && cause !== null ? Reflect.get(cause, "code") : undefined;
  return typeof code === "string" ? code : undefined;
}

/**
 * A server that does not speak HTTP/2 breaks the connection with a bare "Protocol error" (its
 * HTTP/1.1 status line is no HTTP/2 frame) or, over TLS, with an ALPN alert. This names what the
 * server answered instead, and the likely mistake: the gRPC-Web or gateway port of Omni (or of
 * the emulator) given to the native gRPC transport.
 */
function explainWrongProtocol(
  endpoint: GrpcEndpoint,
  tls: { ca: string[] | undefined; rejectUnauthorized: boolean },
): Interceptor {
  return (next) => (req) =>
    next(req).catch(async (error: unknown) => {
      const code = causeCode(error);
      const noAlpn = code === "ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL";
      if (code !== "ERR_HTTP2_ERROR" && !noAlpn) {
        throw error;
      }
      const answer = await probeHttp1(endpoint, tls);
      const hint =
        "is this the gRPC-Web or gateway port? createGrpcTransport needs the port that serves gRPC over HTTP/2 (the emulator's `url`); that port takes createGrpcWebTransport or createGatewayTransport";
      let message: string;
      if (answer !== undefined) {
        const details = [`status ${answer.status}`];
        if (answer.contentType) {
          details.push(`content-type ${answer.contentType}`);
        }
        message = `the server at ${endpoint.baseUrl} answered HTTP/${answer.httpVersion} (${details.join(", ")}), not HTTP/2 gRPC: ${hint}`;
      } else if (noAlpn) {
        message = `the server at ${endpoint.baseUrl} does not offer HTTP/2 in its TLS handshake (ALPN), so it cannot take native gRPC: ${hint}`;
      } else {
        message = `the server at ${endpoint.baseUrl} did not answer in cleartext HTTP/2 (h2c) (${(error as ConnectError).rawMessage}): if it serves TLS, use an https:// URL`;
      }
      throw new ConnectError(message, Code.Unavailable, undefined, undefined, error);
    });
}

// Node's codes for a connection that went away under a call. Connect calls some of them ABORTED
// (its server-side reading: the client hung up) and the rest INTERNAL.
const lostConnectionCodes = new Set([
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ERR_STREAM_DESTROYED",
  "ERR_STREAM_PREMATURE_CLOSE",
  "ERR_HTTP2_INVALID_STREAM",
  "ERR_HTTP2_GOAWAY_SESSION",
  "ERR_HTTP2_STREAM_CANCEL",
]);

function nodeErrorCodes(error: unknown): string[] {
  const codes: string[] = [];
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    const code: unknown = Reflect.get(current, "code");
    if (typeof code === "string") {
      codes.push(code);
    }
    current = current.cause;
  }
  return codes;
}

/**
 * Native gRPC's reading of what connect-node reports, so that a case reads as it does on the
 * other transports: a redirect is FAILED_PRECONDITION, an answer that is not gRPC or is cut short
 * is INTERNAL, a connection lost under the call is UNAVAILABLE, and a cleartext connection that a
 * TLS server cut says so.
 */
function nativeErrors(endpoint: GrpcEndpoint): ErrorTranslator {
  const server = `the server at ${endpoint.baseUrl}`;
  return async (error) => {
    // Connect's words for the cap, in the words of the option that sets it.
    const tooLarge = /^message size (\d+ )?is larger than configured readMaxBytes (\d+)$/.exec(
      error.rawMessage,
    );
    if (tooLarge && error.code === Code.ResourceExhausted) {
      const size = tooLarge[1] === undefined ? undefined : Number(tooLarge[1]);
      return responseTooLarge("a message of the answer", size, Number(tooLarge[2]));
    }
    // Answer headers past what Node's HTTP/2 client takes (64 KiB, 128 fields).
    if (
      error.code === Code.Internal &&
      /CONTINUATION frames|NGHTTP2_ENHANCE_YOUR_CALM/.test(error.rawMessage)
    ) {
      return withCode(
        error,
        Code.ResourceExhausted,
        `the headers of the answer from ${server} are larger than Node's HTTP/2 client reads (64 KiB, 128 fields): ${error.rawMessage}`,
      );
    }
    const redirect = /^HTTP (3\d\d)$/.exec(error.rawMessage);
    if (redirect) {
      const status = Number(redirect[1]);
      return errorFromRedirect(status, error.metadata.get("location"), endpoint.baseUrl, server);
    }
    const contentType = /^unsupported content type (.*)$/.exec(error.rawMessage);
    if (contentType && error.code === Code.Unknown) {
      return withCode(
        error,
        Code.Internal,
        `${server} answered with content-type ${contentType[1]}, not gRPC; is baseUrl Omni's gRPC endpoint?`,
      );
    }
    if (
      (error.code === Code.Aborted ||
        error.code === Code.Internal ||
        error.code === Code.Unknown) &&
      nodeErrorCodes(error.cause).some((code) => lostConnectionCodes.has(code))
    ) {
      return withCode(
        error,
        Code.Unavailable,
        `the connection to ${server} was lost during the call (${error.rawMessage})`,
      );
    }
    // A TLS server given a cleartext HTTP/2 connection closes it without a word, which Node
    // reports as a stream closed with CANCEL, as if the caller had cancelled.
    if (
      error.code === Code.Canceled &&
      !endpoint.secure &&
      raisedLocally(error) &&
      (await speaksTls(endpoint))
    ) {
      const secure = endpoint.baseUrl.replace(/^http:/, "https:");
      return withCode(
        error,
        Code.Unavailable,
        `${server} seems to speak TLS: it completed a TLS handshake but closed the cleartext HTTP/2 connection (${error.rawMessage}); use ${secure}`,
      );
    }
    return brokenAnswer(error);
  };
}

/**
 * Whether the endpoint answers a TLS handshake: it completes one, or answers with a TLS alert.
 * Any certificate is accepted, since nothing is sent over the connection.
 */
function speaksTls(endpoint: GrpcEndpoint): Promise<boolean> {
  const url = new URL(endpoint.baseUrl);
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  return new Promise((resolve) => {
    const socket = tlsConnect({
      host,
      port: Number(url.port),
      servername: isIP(host) === 0 ? host : undefined,
      ALPNProtocols: ["h2"],
      rejectUnauthorized: false,
      timeout: probeTimeoutMs,
    });
    const settle = (tls: boolean) => {
      socket.destroy();
      resolve(tls);
    };
    socket.once("secureConnect", () => settle(true));
    socket.once("error", (error: unknown) => {
      settle(nodeErrorCodes(error).some((code) => /^ERR_SSL_(TLSV1|SSLV3)_ALERT/.test(code)));
    });
    socket.once("timeout", () => settle(false));
    socket.once("close", () => settle(false));
  });
}
