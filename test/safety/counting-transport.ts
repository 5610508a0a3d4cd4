import {
  create,
  type DescMessage,
  type DescMethodStreaming,
  type DescMethodUnary,
  fromBinary,
  isMessage,
  type Message,
  type MessageInitShape,
  type MessageShape,
  toBinary,
} from "@bufbuild/protobuf";
import type { ConnectError, StreamResponse, Transport, UnaryResponse } from "@connectrpc/connect";

/** One call that reached the transport, with each request message as the server decodes it. */
export interface SentCall {
  readonly method: string;
  readonly stream: boolean;
  readonly messages: Message[];
}

/**
 * The bytes a gRPC or gRPC-Web transport would put on the wire for a message, decoded as the
 * server decodes them (`toBinary` is the encoder of both).
 */
export function onTheWire<I extends DescMessage>(
  schema: I,
  message: MessageInitShape<I>,
): MessageShape<I> {
  const shaped = isMessage(message, schema) ? message : create(schema, message);
  return fromBinary(schema, toBinary(schema, shaped));
}

/**
 * A Connect transport that stands for the network: it counts every unary and stream call, and
 * records each request message as the server would decode it. It encodes a message only after a
 * turn of the event loop, as a real transport does once its own work is done, so a request object
 * changed while the call is under way goes out changed. Unary calls answer with an empty message,
 * streams with no message, unless `failWith` is given: then every unary call fails with it.
 */
export function createCountingTransport(failWith?: ConnectError) {
  const calls: SentCall[] = [];
  const start = (method: { parent: { typeName: string }; name: string }, stream: boolean) => {
    const call: SentCall = {
      method: `/${method.parent.typeName}/${method.name}`,
      stream,
      messages: [],
    };
    calls.push(call);
    return call;
  };
  const networkTurn = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

  const transport: Transport = {
    async unary<I extends DescMessage, O extends DescMessage>(
      method: DescMethodUnary<I, O>,
      _signal: AbortSignal | undefined,
      _timeoutMs: number | undefined,
      _header: HeadersInit | undefined,
      input: MessageInitShape<I>,
    ): Promise<UnaryResponse<I, O>> {
      const call = start(method, false);
      await networkTurn();
      call.messages.push(onTheWire(method.input, input));
      if (failWith) {
        throw failWith;
      }
      return {
        stream: false,
        service: method.parent,
        method,
        header: new Headers(),
        message: create(method.output),
        trailer: new Headers(),
      };
    },

    async stream<I extends DescMessage, O extends DescMessage>(
      method: DescMethodStreaming<I, O>,
      _signal: AbortSignal | undefined,
      _timeoutMs: number | undefined,
      _header: HeadersInit | undefined,
      input: AsyncIterable<MessageInitShape<I>>,
    ): Promise<StreamResponse<I, O>> {
      const call = start(method, true);
      for await (const message of input) {
        await networkTurn();
        call.messages.push(onTheWire(method.input, message));
      }
      return {
        stream: true,
        service: method.parent,
        method,
        header: new Headers(),
        message: (async function* (): AsyncGenerator<MessageShape<O>> {})(),
        trailer: new Headers(),
      };
    },
  };

  return {
    transport,
    calls,
    /** How many unary and stream calls reached the transport. */
    count(): number {
      return calls.length;
    },
    reset(): void {
      calls.length = 0;
    },
  };
}

export type CountingTransport = ReturnType<typeof createCountingTransport>;
