import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { boundMessage, MAX_ERROR_MESSAGE_CHARS } from "./limits.js";

/** A transport's own reading of an error, before the common rules apply. */
export type ErrorTranslator = (error: ConnectError) => ConnectError | Promise<ConnectError>;

/**
 * The rules every transport of the SDK keeps, as the innermost interceptor, right before the
 * network:
 *
 * - a call whose signal is already aborted fails with its abort reason, and nothing is sent;
 * - `CANCELED` means the caller cancelled: a call the server or the network ended (a dropped
 *   connection, an RST_STREAM with CANCEL, a proxy's cancelled status) is `UNAVAILABLE`, which
 *   reads retry, as on every transport;
 * - a message from the other side is bounded (`MAX_ERROR_MESSAGE_CHARS`).
 *
 * `translate` is the transport's own reading, run first (a native gRPC error from Node, ...).
 */
export function createCallRules(translate?: ErrorTranslator): Interceptor {
  return (next) => async (req) => {
    if (req.signal.aborted) {
      throw abortedCall(req.signal);
    }
    const revise = (error: unknown) => reviseError(error, req.signal, translate);
    let res: Awaited<ReturnType<typeof next>>;
    try {
      res = await next(req);
    } catch (error) {
      throw await revise(error);
    }
    if (!res.stream) {
      return res;
    }
    return { ...res, message: revising(res.message, revise) };
  };
}

/** What a call whose signal was aborted before it started fails with. */
export function abortedCall(signal: AbortSignal): ConnectError {
  return ConnectError.from(signal.reason, Code.Canceled);
}

async function* revising<T>(
  messages: AsyncIterable<T>,
  revise: (error: unknown) => Promise<unknown>,
): AsyncGenerator<T> {
  try {
    yield* messages;
  } catch (error) {
    throw await revise(error);
  }
}

async function reviseError(
  error: unknown,
  signal: AbortSignal,
  translate: ErrorTranslator | undefined,
): Promise<unknown> {
  if (signal.aborted) {
    // The caller cancelled or the deadline passed: Connect reports the signal's reason.
    return error;
  }
  let revised = ConnectError.from(error);
  if (translate) {
    revised = await translate(revised);
  }
  if (revised.code === Code.Canceled) {
    revised = withCode(
      revised,
      Code.Unavailable,
      `the server or the network ended the call, this client did not cancel it (${revised.rawMessage})`,
    );
  }
  if (revised.rawMessage.length > MAX_ERROR_MESSAGE_CHARS) {
    revised = withCode(revised, revised.code, boundMessage(revised.rawMessage));
  }
  return revised;
}

/** A copy of `error` with another code and message, keeping its metadata and details. */
export function withCode(error: ConnectError, code: Code, message: string): ConnectError {
  const revised = new ConnectError(message, code, error.metadata, undefined, error);
  revised.details = error.details;
  return revised;
}

/** Whether no header or trailer came with the error: Connect's own protocol code raised it. */
export function raisedLocally(error: ConnectError): boolean {
  return error.metadata.keys().next().done === true;
}

/**
 * A broken answer (cut short, not gRPC at all, a stream without its status) is the server's or
 * the network's fault. Connect's protocol code reports some of those as `INVALID_ARGUMENT`
 * ("incomplete envelope"), which reads as "your argument was bad", or `UNKNOWN`; gRPC's own
 * clients call them `INTERNAL`. A status the server sent always comes with its metadata, and
 * keeps its code.
 */
export function brokenAnswer(error: ConnectError): ConnectError {
  if (
    (error.code !== Code.InvalidArgument && error.code !== Code.Unknown) ||
    !raisedLocally(error)
  ) {
    return error;
  }
  const message = error.rawMessage.startsWith("protocol error")
    ? error.rawMessage
    : `protocol error: ${error.rawMessage}`;
  return withCode(error, Code.Internal, message);
}
