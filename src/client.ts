import type { Interceptor, Transport } from "@connectrpc/connect";
import { createSigningInterceptor } from "./auth/interceptor.js";
import { createAuthApi, type OmniAuthApi } from "./auth/login.js";
import type { OmniAuth } from "./auth/types.js";
import { omniVersionsWith } from "./compatibility.js";
import { ValidationError } from "./errors.js";
import { createLoggingInterceptor, type OmniLogger } from "./logging.js";
import { createManagementApi, type OmniManagementApi } from "./management/management-api.js";
import { checkOptionKeys, optionKeys } from "./option-keys.js";
import { createResourcesApi, type ResourcesApi } from "./resources/api.js";
import { createRetryInterceptor, type RetryOptions, resolveRetryOptions } from "./retry.js";
import { createReadOnlyGuard } from "./safety/read-only-guard.js";
import { createInterceptedTransport } from "./transport/intercepted.js";
import { optionalTimeoutMs } from "./validation.js";

/** Options of `createOmniClient`. */
export interface OmniClientOptions {
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
}

/** A client for one Omni instance. */
export interface OmniClient {
  readonly management: OmniManagementApi;
  /** Clusters, machines and every other COSI resource, through `cosi.resource.State`. */
  readonly resources: ResourcesApi;
  /**
   * The login flow for browser-style (ECDSA / PGP user) keys. Registering and confirming a key is
   * how a read-only dashboard gets to read at all, so these calls are not stopped by `readOnly`.
   */
  readonly auth: OmniAuthApi;
  readonly readOnly: boolean;
  /**
   * The wrapped transport, for raw generated clients (`createClient(Service, client.transport)`):
   * their calls are guarded, logged, signed and get `OmniError`s just like the facade's.
   */
  readonly transport: Transport;
}

const loggerMethods = ["debug", "info", "warn", "error"] as const;

export const clientOptionKeys = optionKeys<OmniClientOptions>()({
  transport: true,
  auth: true,
  readOnly: true,
  logger: true,
  timeoutMs: true,
  retry: true,
});

function checkOptions(options: OmniClientOptions): void {
  checkOptionKeys("options", options, clientOptionKeys);
  const { transport, auth, readOnly, logger, timeoutMs } = options;
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
function retryInterceptor(options: OmniClientOptions): Interceptor | undefined {
  const retry = resolveRetryOptions(options.retry);
  if (retry === undefined) {
    return undefined;
  }
  const { logger } = options;
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

/**
 * Creates a client for Omni on the given transport. The transport is wrapped once: the
 * read-only guard runs first (a refused write is never retried or logged as sent), then logging
 * (one line per call, however many attempts), then retries, then signing (last, so it signs every
 * header the others and the facade added, and signs each attempt afresh).
 */
export function createOmniClient(options: OmniClientOptions): OmniClient {
  checkOptions(options);
  const readOnly = options.readOnly ?? false;
  const retry = retryInterceptor(options);
  const sessionInterceptors: Interceptor[] = [];
  if (options.logger) {
    sessionInterceptors.push(createLoggingInterceptor(options.logger));
  }
  if (retry) {
    sessionInterceptors.push(retry);
  }
  if (options.auth) {
    sessionInterceptors.push(createSigningInterceptor(options.auth));
  }
  const wrap = (interceptors: Interceptor[]) =>
    createInterceptedTransport(options.transport, {
      interceptors,
      defaultTimeoutMs: options.timeoutMs,
      availableIn: omniVersionsWith,
    });
  const transport = wrap(
    readOnly ? [createReadOnlyGuard(), ...sessionInterceptors] : sessionInterceptors,
  );
  const client: OmniClient = {
    management: createManagementApi(transport),
    resources: createResourcesApi(transport),
    auth: createAuthApi(readOnly ? wrap(sessionInterceptors) : transport),
    readOnly,
    transport,
  };
  // The transport and the auth API hold the signer; keep them out of serialised output.
  Object.defineProperty(client, "toJSON", { value: () => ({ readOnly }), enumerable: false });
  return Object.freeze(client);
}
