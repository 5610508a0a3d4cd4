import type {
  DescMessage,
  DescMethodServerStreaming,
  DescMethodUnary,
  MessageInitShape,
  MessageShape,
} from "@bufbuild/protobuf";
import type { Transport } from "@connectrpc/connect";

/** The per-call settings the SDK's own calls pass down to a transport. */
export interface DirectCallOptions {
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
  readonly headers?: HeadersInit;
}

/**
 * One unary call on the transport itself. The SDK's calls go through these two functions rather
 * than a generated client from `createClient`: that client builds a function for every method of
 * the service, streaming kinds included, so its code (about 600 B gzip) stays in every app's
 * bundle, and its stream wrapper adds an async generator per message.
 */
export async function callUnary<I extends DescMessage, O extends DescMessage>(
  transport: Transport,
  method: DescMethodUnary<I, O>,
  request: MessageInitShape<I>,
  options: DirectCallOptions | undefined,
): Promise<MessageShape<O>> {
  const response = await transport.unary(
    method,
    options?.signal,
    options?.timeoutMs,
    options?.headers,
    request,
  );
  return response.message;
}

/**
 * Opens a server stream on the transport itself. Its messages come straight from the transport's
 * iterator, so a consumer that stops early reaches the transport's `return()`.
 */
export async function openServerStream<I extends DescMessage, O extends DescMessage>(
  transport: Transport,
  method: DescMethodServerStreaming<I, O>,
  request: MessageInitShape<I>,
  options: DirectCallOptions | undefined,
): Promise<AsyncIterable<MessageShape<O>>> {
  const response = await transport.stream(
    method,
    options?.signal,
    options?.timeoutMs,
    options?.headers,
    only(request),
  );
  return response.message;
}

// A native generator: Connect's `createAsyncIterable` is compiled down to helpers that would
// come into every app's bundle with it.
async function* only<T>(message: T): AsyncGenerator<T> {
  yield message;
}
