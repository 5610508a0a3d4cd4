import {
  create,
  type DescMessage,
  type DescMethodStreaming,
  type DescMethodUnary,
  isMessage,
  type MessageInitShape,
  type MessageShape,
} from "@bufbuild/protobuf";
import {
  Code,
  ConnectError,
  type ContextValues,
  createContextValues,
  type Interceptor,
  type StreamRequest,
  type StreamResponse,
  type Transport,
  type UnaryRequest,
  type UnaryResponse,
} from "@connectrpc/connect";
import { toOmniError } from "../errors.js";
import { returnFrom } from "../iteration.js";
import { optionalTimeoutMs } from "../validation.js";
import { abortedCall } from "./call-rules.js";
import { requestHeaders } from "./request-headers.js";

/** How `createInterceptedTransport` wraps a transport. */
export interface InterceptedTransportOptions {
  /** Run in this order, outermost first, before the wrapped transport sees the call. */
  interceptors: readonly Interceptor[];
  /**
   * Deadline for unary calls that set none. Streams only ever get the one their caller sets, and
   * never the wrapped transport's own default.
   */
  defaultTimeoutMs?: number;
  /** Names the Omni versions that have an RPC, for errors with code `UNIMPLEMENTED`. */
  availableIn?: (method: string) => string | undefined;
}

// The deadline travels with the request through the interceptors, which may copy the request
// object (`{ ...req }` keeps symbol keys), to the step that hands it to the wrapped transport.
const timeoutKey = Symbol("sidero-omni-client.timeoutMs");

/**
 * The signal of unary calls whose caller gave none. One `AbortController` per call was the largest
 * single cost of this wrapper; a unary call's interceptors (all the SDK's own) remove every
 * listener they add, and the wrapped transport is given no signal, as the caller gave none.
 * Streams keep a signal of their own: a stream the caller abandons may keep its listeners.
 */
const neverAborted = new AbortController().signal;

type TimedRequest = (UnaryRequest | StreamRequest) & { readonly [timeoutKey]?: number };
type AnyResponse = UnaryResponse | StreamResponse;

/** The deadline, in milliseconds, that the wrapped transport will give this call. */
export function callTimeoutMs(req: UnaryRequest | StreamRequest): number | undefined {
  return (req as TimedRequest)[timeoutKey];
}

/** A copy of the request whose call the wrapped transport gives this deadline instead. */
export function withCallTimeoutMs<R extends UnaryRequest | StreamRequest>(
  req: R,
  timeoutMs: number | undefined,
): R {
  return { ...req, [timeoutKey]: timeoutMs };
}

/** Whether a signal is the shared one of unary calls whose caller gave none: it never aborts. */
export function isSharedUnaryCallSignal(signal: AbortSignal): boolean {
  return signal === neverAborted;
}

/**
 * A caller's deadline as the wrapped transport can carry it: whole milliseconds (Connect writes
 * `grpc-timeout` as given, and a fraction is no valid header), none for zero, less or Infinity
 * (Connect's "no deadline"), and a `ValidationError` for what no header can say.
 */
function callerDeadline(timeoutMs: number | undefined): number | undefined {
  if (timeoutMs === undefined) {
    return undefined;
  }
  if (timeoutMs <= 0 || timeoutMs === Number.POSITIVE_INFINITY) {
    return 0;
  }
  // What is left must be a deadline the SDK's own options would take.
  return Math.ceil(optionalTimeoutMs("timeoutMs", timeoutMs) ?? 0);
}

function normalize<I extends DescMessage>(
  schema: I,
  message: MessageInitShape<I>,
): MessageShape<I> {
  return isMessage(message, schema) ? message : create(schema, message);
}

async function* normalizeAll<I extends DescMessage>(
  schema: I,
  messages: AsyncIterable<MessageInitShape<I>>,
): AsyncIterable<MessageShape<I>> {
  for await (const message of messages) {
    yield normalize(schema, message);
  }
}

/**
 * Wraps a Connect transport so every unary and streaming call, from the SDK's facade or from a
 * raw `createClient(Service, transport)`, runs through the given interceptors first, and every
 * failure surfaces as an `OmniError`. The interceptor chain is built once, here.
 */
export function createInterceptedTransport(
  transport: Transport,
  options: InterceptedTransportOptions,
): Transport {
  const { defaultTimeoutMs, availableIn } = options;

  const forward = (req: TimedRequest): Promise<AnyResponse> => {
    // The interceptors may have taken a while (a signer, a retry's wait): a call aborted
    // meanwhile must not reach the wrapped transport, which may send before it looks.
    if (req.signal.aborted) {
      return Promise.reject(abortedCall(req.signal));
    }
    return req.stream
      ? transport.stream(
          req.method,
          req.signal,
          // 0 keeps the wrapped transport's own default deadline off streams the caller left
          // without one: a watch or a followed log runs until it is stopped.
          req[timeoutKey] ?? 0,
          req.header,
          req.message,
          req.contextValues,
        )
      : transport.unary(
          req.method,
          req.signal === neverAborted ? undefined : req.signal,
          req[timeoutKey],
          req.header,
          req.message,
          req.contextValues,
        );
  };
  const chain = options.interceptors.reduceRight<
    (req: UnaryRequest | StreamRequest) => Promise<AnyResponse>
  >((next, interceptor) => interceptor(next), forward);

  function fail(method: string): (error: unknown) => never {
    return (error) => {
      throw toOmniError(error, method, availableIn);
    };
  }

  return {
    unary<I extends DescMessage, O extends DescMessage>(
      method: DescMethodUnary<I, O>,
      signal: AbortSignal | undefined,
      timeoutMs: number | undefined,
      header: HeadersInit | undefined,
      input: MessageInitShape<I>,
      contextValues?: ContextValues,
    ): Promise<UnaryResponse<I, O>> {
      const path = `/${method.parent.typeName}/${method.name}`;
      let req: UnaryRequest<I, O> & { [timeoutKey]?: number };
      try {
        const deadline = callerDeadline(timeoutMs);
        req = {
          stream: false,
          service: method.parent,
          method,
          requestMethod: "POST",
          url: path,
          signal: signal ?? neverAborted,
          header: requestHeaders(header),
          contextValues: contextValues ?? createContextValues(),
          message: normalize(method.input, input),
          [timeoutKey]: deadline ?? defaultTimeoutMs,
        };
      } catch (error) {
        // A transport's calls fail by rejecting, never by throwing, as Connect's own do.
        return Promise.reject(toOmniError(error, path, availableIn));
      }
      return (chain(req as UnaryRequest) as Promise<UnaryResponse<I, O>>).catch(fail(path));
    },

    stream<I extends DescMessage, O extends DescMessage>(
      method: DescMethodStreaming<I, O>,
      signal: AbortSignal | undefined,
      timeoutMs: number | undefined,
      header: HeadersInit | undefined,
      input: AsyncIterable<MessageInitShape<I>>,
      contextValues?: ContextValues,
    ): Promise<StreamResponse<I, O>> {
      const path = `/${method.parent.typeName}/${method.name}`;
      const onError = fail(path);
      let req: StreamRequest<I, O> & { [timeoutKey]?: number };
      try {
        const deadline = callerDeadline(timeoutMs);
        req = {
          stream: true,
          service: method.parent,
          method,
          requestMethod: "POST",
          url: path,
          signal: signal ?? new AbortController().signal,
          header: requestHeaders(header),
          contextValues: contextValues ?? createContextValues(),
          message: normalizeAll(method.input, input),
          [timeoutKey]: deadline,
        };
      } catch (error) {
        return Promise.reject(toOmniError(error, path, availableIn));
      }
      return (chain(req as StreamRequest) as Promise<StreamResponse<I, O>>).then((res) => {
        const messages = res.message;
        return {
          ...res,
          message: {
            [Symbol.asyncIterator]() {
              const iterator = messages[Symbol.asyncIterator]();
              let finished = false;
              return {
                // A transport may still hold messages it read before the caller aborted
                // (connect-web does); the caller asked to stop, so it gets Canceled, not them.
                // Plain promise chaining, not an async function: this runs once per message.
                next: () => {
                  if (!finished && req.signal.aborted) {
                    return Promise.reject(
                      toOmniError(
                        ConnectError.from(req.signal.reason, Code.Canceled),
                        path,
                        availableIn,
                      ),
                    );
                  }
                  return iterator.next().then((result) => {
                    finished = result.done === true;
                    return result;
                  }, onError);
                },
                return: (value?: unknown) => returnFrom(iterator, value),
              };
            },
          },
        };
      }, onError);
    },
  };
}
