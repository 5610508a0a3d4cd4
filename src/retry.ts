import { Code, ConnectError, type Interceptor, type UnaryRequest } from "@connectrpc/connect";
import { abortableDelay } from "./abortable-delay.js";
import { ValidationError } from "./errors.js";
import { checkOptionKeys, optionKeys } from "./option-keys.js";
import { classifyCall } from "./safety/classification.js";
import { statusCode } from "./status-code.js";
import {
  callTimeoutMs,
  isSharedUnaryCallSignal,
  withCallTimeoutMs,
} from "./transport/intercepted.js";
import { isFieldObject, MAX_TIMEOUT_MS } from "./validation.js";

/**
 * How unary reads are retried. Only calls the classification table marks as reads are retried:
 * a write, or a method the table does not know, is sent once whatever happens, because Omni
 * may have applied it before the connection dropped.
 *
 * Streams are never retried: by the time one fails the caller may already hold some of its
 * messages, and starting over would repeat or skip them. A watch resumes from a bookmark
 * (`startFromBookmark`) instead, which only the caller knows how to use.
 */
export interface RetryOptions {
  /** Attempts in all, the first one included. Default 3; 1 sends every call once. */
  maxAttempts?: number;
  /** Backoff cap before the first retry, in milliseconds; it doubles on each retry. Default 100. */
  initialDelayMs?: number;
  /** Ceiling of the backoff cap, in milliseconds. Default 2000. */
  maxDelayMs?: number;
  /**
   * Status codes that mean "try again". Default `[Code.Unavailable]`, what a dropped connection,
   * a restarting Omni or an overloaded proxy answer with.
   */
  codes?: readonly Code[];
}

export const retryOptionKeys = /*@__PURE__*/ optionKeys<RetryOptions>()({
  maxAttempts: true,
  initialDelayMs: true,
  maxDelayMs: true,
  codes: true,
});

/** Retry settings after defaults and checks. */
export interface ResolvedRetryOptions {
  readonly maxAttempts: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly codes: ReadonlySet<Code>;
}

/** What the client reports, through its logger, before each retry. */
export interface RetryNotice {
  method: string;
  /** The attempt about to start, 2 for the first retry. */
  attempt: number;
  delayMs: number;
  code: string;
}

/** Hooks for the client and for tests; not part of the public options. */
export interface RetryHooks {
  onRetry?: (notice: RetryNotice) => void;
  /** Uniform in [0, 1); `Math.random` unless a test pins the jitter. */
  random?: () => number;
}

const defaults = { maxAttempts: 3, initialDelayMs: 100, maxDelayMs: 2000 } as const;

function checkMilliseconds(value: unknown, argument: string, fallback: number): number {
  if (value === undefined) {
    return fallback;
  }
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new ValidationError(argument, "must be a non-negative number of milliseconds");
  }
  if (value > MAX_TIMEOUT_MS) {
    throw new ValidationError(argument, `must be at most ${MAX_TIMEOUT_MS} milliseconds`);
  }
  return value;
}

/** Checks the `retry` option of `createOmniClient`; `undefined` when retrying is turned off. */
export function resolveRetryOptions(
  value: unknown,
  argument = "options.retry",
): ResolvedRetryOptions | undefined {
  if (value === false) {
    return undefined;
  }
  if (value === undefined) {
    return { ...defaults, codes: new Set([Code.Unavailable]) };
  }
  if (!isFieldObject(value)) {
    throw new ValidationError(argument, "must be false or an object of retry options");
  }
  checkOptionKeys(argument, value, retryOptionKeys);
  const options = value as RetryOptions;
  // `undefined` takes the default; `null` is refused like any other wrong value.
  const maxAttempts =
    options.maxAttempts === undefined ? defaults.maxAttempts : options.maxAttempts;
  if (typeof maxAttempts !== "number" || !Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new ValidationError(`${argument}.maxAttempts`, "must be a whole number of at least 1");
  }
  const initialDelayMs = checkMilliseconds(
    options.initialDelayMs,
    `${argument}.initialDelayMs`,
    defaults.initialDelayMs,
  );
  const maxDelayMs = checkMilliseconds(
    options.maxDelayMs,
    `${argument}.maxDelayMs`,
    Math.max(defaults.maxDelayMs, initialDelayMs),
  );
  if (maxDelayMs < initialDelayMs) {
    throw new ValidationError(`${argument}.maxDelayMs`, "must not be less than initialDelayMs");
  }
  const codes = options.codes === undefined ? [Code.Unavailable] : options.codes;
  if (
    !Array.isArray(codes) ||
    codes.some(
      (code) =>
        typeof code !== "number" ||
        !Number.isInteger(code) ||
        code < Code.Canceled ||
        code > Code.Unauthenticated ||
        code === Code.Canceled,
    )
  ) {
    throw new ValidationError(
      `${argument}.codes`,
      "must be a list of status codes (Connect's Code, except Canceled)",
    );
  }
  return { maxAttempts, initialDelayMs, maxDelayMs, codes: new Set(codes) };
}

/** Waits `ms`, or rejects with `Canceled` as soon as the caller aborts. */
function backoff(ms: number, signal: AbortSignal): Promise<void> {
  // The shared signal of calls without one never aborts; listening to it would only pile up
  // listeners while many calls wait at once.
  return abortableDelay(
    ms,
    isSharedUnaryCallSignal(signal) ? undefined : signal,
    () =>
      new ConnectError(
        "the call was canceled while waiting to retry",
        Code.Canceled,
        undefined,
        undefined,
        signal.reason,
      ),
  );
}

/**
 * Retries unary reads that fail with a retryable code, with capped exponential backoff and full
 * jitter (each wait is uniform between 0 and the current cap, so clients that failed together do
 * not come back together). It must run before signing in the chain, so that every attempt is
 * signed afresh with a current timestamp, and each attempt gets a fresh copy of the headers.
 *
 * A retry never outlives the caller: the call's deadline covers all attempts and waits (each
 * attempt is sent with only the time that is left), no retry starts when the wait would pass
 * the deadline, and an aborted signal ends the call at once with `Canceled`.
 */
export function createRetryInterceptor(
  options: ResolvedRetryOptions,
  hooks: RetryHooks = {},
): Interceptor {
  const random = hooks.random ?? Math.random;
  return (next) => async (req) => {
    if (
      req.stream ||
      options.maxAttempts === 1 ||
      classifyCall(req.method, req.message) !== "read"
    ) {
      return next(req);
    }
    const method = `/${req.service.typeName}/${req.method.name}`;
    const timeoutMs = callTimeoutMs(req);
    // 0 is a call the caller wants without any deadline.
    const deadline =
      timeoutMs === undefined || timeoutMs <= 0 ? undefined : performance.now() + timeoutMs;
    for (let attempt = 1; ; attempt++) {
      const remainingMs = deadline === undefined ? undefined : deadline - performance.now();
      const attemptReq: UnaryRequest = withCallTimeoutMs(
        { ...req, header: new Headers(req.header) },
        remainingMs === undefined ? timeoutMs : Math.max(1, Math.floor(remainingMs)),
      );
      try {
        return await next(attemptReq);
      } catch (error) {
        const code = statusCode(error);
        if (attempt >= options.maxAttempts || !options.codes.has(code) || req.signal.aborted) {
          throw error;
        }
        const capMs = Math.min(options.maxDelayMs, options.initialDelayMs * 2 ** (attempt - 1));
        const delayMs = Math.floor(random() * capMs);
        if (deadline !== undefined && performance.now() + delayMs >= deadline) {
          throw error;
        }
        hooks.onRetry?.({ method, attempt: attempt + 1, delayMs, code: Code[code] });
        await backoff(delayMs, req.signal);
      }
    }
  };
}
