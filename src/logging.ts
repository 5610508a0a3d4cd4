import { Code, type Interceptor, type StreamResponse } from "@connectrpc/connect";
import { returnFrom } from "./iteration.js";
import { statusCode } from "./status-code.js";

/** Structured fields of a log line; the SDK only ever puts method names, durations and codes here. */
export type OmniLogFields = Record<string, string | number | boolean | undefined>;

/**
 * Where the SDK reports what it does. `console` fits, as do pino, winston or a browser logger.
 * The SDK never passes key material, tokens, request bodies or server messages to it.
 */
export interface OmniLogger {
  debug(message: string, fields?: OmniLogFields): void;
  info(message: string, fields?: OmniLogFields): void;
  warn(message: string, fields?: OmniLogFields): void;
  error(message: string, fields?: OmniLogFields): void;
}

/**
 * The logger with every method made safe to call: a logger that throws (a closed sink) must not
 * fail a call that succeeded, nor crash the process from inside an abort listener.
 */
export function unfailingLogger(logger: OmniLogger): OmniLogger {
  const guard =
    (method: keyof OmniLogger) =>
    (message: string, fields?: OmniLogFields): void => {
      try {
        logger[method](message, fields);
      } catch {
        // Nothing is to be done about a logger that fails; the call goes on.
      }
    };
  return { debug: guard("debug"), info: guard("info"), warn: guard("warn"), error: guard("error") };
}

function codeName(error: unknown): string {
  return Code[statusCode(error)] ?? "Unknown";
}

function logCall(logger: OmniLogger, method: string, startedAt: number, code: string): void {
  const durationMs = Math.round(performance.now() - startedAt);
  logger.debug(`omni call ${method} ${code} in ${durationMs}ms`, { method, durationMs, code });
}

/**
 * Streams end when the caller stops reading, so the line is written on the first of: the last
 * message, an error, `return()`, or the call's signal aborting (a `for await` that breaks out).
 */
function logStreamEnd(
  logger: OmniLogger,
  method: string,
  startedAt: number,
  signal: AbortSignal,
  res: StreamResponse,
): StreamResponse {
  let logged = false;
  const finish = (code: string) => {
    if (!logged) {
      logged = true;
      signal.removeEventListener("abort", onAbort);
      logCall(logger, method, startedAt, code);
    }
  };
  const onAbort = () => finish(Code[Code.Canceled]);
  signal.addEventListener("abort", onAbort, { once: true });
  const messages = res.message;
  return {
    ...res,
    message: {
      [Symbol.asyncIterator]() {
        const iterator = messages[Symbol.asyncIterator]();
        return {
          next: () =>
            iterator.next().then(
              (result) => {
                if (result.done) {
                  finish("OK");
                }
                return result;
              },
              (error: unknown) => {
                finish(codeName(error));
                throw error;
              },
            ),
          return: (value?: unknown) => {
            finish(Code[Code.Canceled]);
            return returnFrom(iterator, value);
          },
        };
      },
    },
  };
}

/** Writes one debug line per call: the gRPC method, how long it took and the status code. */
export function createLoggingInterceptor(logger: OmniLogger): Interceptor {
  return (next) => async (req) => {
    const method = `/${req.service.typeName}/${req.method.name}`;
    const startedAt = performance.now();
    let res: Awaited<ReturnType<typeof next>>;
    try {
      res = await next(req);
    } catch (error) {
      logCall(logger, method, startedAt, codeName(error));
      throw error;
    }
    if (!res.stream) {
      logCall(logger, method, startedAt, "OK");
      return res;
    }
    return logStreamEnd(logger, method, startedAt, req.signal, res);
  };
}
