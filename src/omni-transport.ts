import type { Interceptor, Transport } from "@connectrpc/connect";
import { createSigningInterceptor } from "./auth/interceptor.js";
import { createNoAuthHintInterceptor } from "./auth/no-auth-hint.js";
import type { OmniAuth } from "./auth/types.js";
import { omniVersionsWith } from "./compatibility.js";
import { ValidationError } from "./errors.js";
import { createLoggingInterceptor, type OmniLogger, unfailingLogger } from "./logging.js";
import { checkOptionKeys, optionKeys } from "./option-keys.js";
import { createRetryInterceptor, type RetryOptions, resolveRetryOptions } from "./retry.js";
import { createReadOnlyGuard } from "./safety/read-only-guard.js";
import { createInterceptedTransport, isSharedUnaryCallSignal } from "./transport/intercepted.js";
import { optionalTimeoutMs } from "./validation.js";

/** Options of `createOmniTransport` and `createOmniClient`. */
export interface OmniTransportOptions {
  /** How to reach Omni: a gateway, gRPC-Web or native gRPC transport. */
  transport: Transport;
  /** Signs every call; without it calls go out unsigned (only the login flow works then). */
  auth?: OmniAuth;
  /** Every write throws `ReadOnlyModeError` before anything is sent. Default `false`. */
  readOnly?: boolean;
  /** Receives one debug line per call (method, duration, status code) and never a secret. */
  logger?: OmniLogger;
  /** Default deadline of unary calls, in milliseconds. Streams have none unless a call sets one. */
  timeoutMs?: number;
  /**
   * Retries of unary reads that fail with `UNAVAILABLE`: capped exponential backoff with full
   * jitter, within the call's deadline. Writes and streams are never retried. Default
   * `{ maxAttempts: 3, initialDelayMs: 100, maxDelayMs: 2000 }`; `false` turns retrying off.
   */
  retry?: RetryOptions | false;
  /**
   * Connect interceptors of your own. They run after the read-only guard and before signing, so
   * headers they set are signed. Interceptors of the base transport run after signing: there,
   * setting signed metadata (`nodes`, `cluster`, `context`, `authorization`, ...) makes Omni
   * answer "invalid signature".
   */
  interceptors?: readonly Interceptor[];
}

export const omniTransportOptionKeys = /*@__PURE__*/ optionKeys<OmniTransportOptions>()({
  transport: true,
  auth: true,
  readOnly: true,
  logger: true,
  timeoutMs: true,
  retry: true,
  interceptors: true,
});

const loggerMethods = ["debug", "info", "warn", "error"] as const;

function checkOptions(options: OmniTransportOptions): void {
  checkOptionKeys("options", options, omniTransportOptionKeys);
  const { transport, auth, readOnly, logger, timeoutMs, interceptors } = options;
  if (
    interceptors !== undefined &&
    (!Array.isArray(interceptors) || interceptors.some((each) => typeof each !== "function"))
  ) {
    throw new ValidationError("options.interceptors", "must be a list of Connect interceptors");
  }
  if (
    typeof transport !== "object" ||
    transport === null ||
    typeof transport.unary !== "function" ||
    typeof transport.stream !== "function"
  ) {
    throw new ValidationError(
      "options.transport",
      "must be a Connect transport (with unary and stream)",
    );
  }
  if (
    auth !== undefined &&
    (typeof auth !== "object" || auth === null || typeof auth.signer !== "function")
  ) {
    throw new ValidationError(
      "options.auth",
      "must come from serviceAccountAuth, pgpAuth or ecdsaAuth",
    );
  }
  if (readOnly !== undefined && typeof readOnly !== "boolean") {
    throw new ValidationError("options.readOnly", "must be a boolean");
  }
  if (
    logger !== undefined &&
    (typeof logger !== "object" ||
      logger === null ||
      loggerMethods.some((name) => typeof logger[name] !== "function"))
  ) {
    throw new ValidationError("options.logger", "must have debug, info, warn and error functions");
  }
  optionalTimeoutMs("options.timeoutMs", timeoutMs);
}

/** Retries show in the log as their own lines, between the one line per call. */
function retryInterceptor(
  options: OmniTransportOptions,
  logger: OmniLogger | undefined,
): Interceptor | undefined {
  const retry = resolveRetryOptions(options.retry);
  if (retry === undefined) {
    return undefined;
  }
  return createRetryInterceptor(retry, {
    onRetry: logger
      ? (notice) =>
          logger.debug(
            `omni retry ${notice.method} after ${notice.code}, attempt ${notice.attempt} in ${notice.delayMs}ms`,
            { ...notice },
          )
      : undefined,
  });
}

declare const omniTransportBrand: unique symbol;

/**
 * A transport of `createOmniTransport`, or an `OmniClient`'s: it signs, guards, retries, logs and
 * turns failures into `OmniError`s. The call functions take only this kind.
 */
export interface OmniTransport extends Transport {
  readonly [omniTransportBrand]: true;
}

// A registered symbol, so a transport made by one copy of the package is known to another.
const omniTransportMark = Symbol.for("sidero-omni-client.OmniTransport");

function markAsOmniTransport(transport: Transport): OmniTransport {
  Object.defineProperty(transport, omniTransportMark, { value: true });
  return transport as OmniTransport;
}

/**
 * The transport every call function requires: one that `createOmniTransport` made, or an
 * `OmniClient`'s `transport`. A plain Connect transport would send unsigned, unguarded calls
 * whose failures are not `OmniError`s, so it is refused before anything is sent.
 */
export function requireOmniTransport(transport: OmniTransport): OmniTransport {
  if (
    typeof transport !== "object" ||
    transport === null ||
    (transport as unknown as Record<symbol, unknown>)[omniTransportMark] !== true
  ) {
    throw new ValidationError(
      "transport",
      "must come from createOmniTransport() or be an OmniClient's transport; a plain Connect transport neither signs, guards nor maps errors",
    );
  }
  return transport;
}

/**
 * Unary calls without a signal share one that never aborts, which only the SDK's own
 * interceptors, which leave no listener behind, may see; the caller's get one of their own.
 */
const ownSignalForCallerInterceptors: Interceptor = (next) => (req) =>
  isSharedUnaryCallSignal(req.signal)
    ? next({ ...req, signal: new AbortController().signal })
    : next(req);

/** The transport of a client, and the one its login flow uses, which a read-only guard never stops. */
export interface OmniTransports {
  readonly guarded: OmniTransport;
  readonly login: OmniTransport;
}

/**
 * Wraps the given transport once: the read-only guard runs first (a refused write is never
 * retried or logged as sent), then the caller's interceptors, then logging (one line per call,
 * however many attempts), then retries, then signing (last, so it signs every header the others
 * and the caller added, and signs each attempt afresh).
 */
export function createOmniTransports(options: OmniTransportOptions): OmniTransports {
  checkOptions(options);
  const logger = options.logger && unfailingLogger(options.logger);
  const retry = retryInterceptor(options, logger);
  const sessionInterceptors: Interceptor[] =
    options.interceptors === undefined || options.interceptors.length === 0
      ? []
      : [ownSignalForCallerInterceptors, ...options.interceptors];
  if (logger) {
    sessionInterceptors.push(createLoggingInterceptor(logger));
  }
  if (retry) {
    sessionInterceptors.push(retry);
  }
  sessionInterceptors.push(
    options.auth ? createSigningInterceptor(options.auth) : createNoAuthHintInterceptor(),
  );
  const wrap = (interceptors: Interceptor[]) =>
    markAsOmniTransport(
      createInterceptedTransport(options.transport, {
        interceptors,
        defaultTimeoutMs: options.timeoutMs,
        availableIn: omniVersionsWith,
      }),
    );
  if (!options.readOnly) {
    const transport = wrap(sessionInterceptors);
    return { guarded: transport, login: transport };
  }
  return {
    guarded: wrap([createReadOnlyGuard(), ...sessionInterceptors]),
    login: wrap(sessionInterceptors),
  };
}

/**
 * The signing, guarded, logging and retrying transport of `createOmniClient`, without the
 * client's facades: pass it to the call functions of `sidero-omni-client/resources` and
 * `sidero-omni-client/management`, so an app's bundle holds only the calls it makes, or to raw
 * generated clients (`createClient(Service, transport)`).
 */
export function createOmniTransport(options: OmniTransportOptions): OmniTransport {
  return createOmniTransports(options).guarded;
}
