import type { DescMethod } from "@bufbuild/protobuf";
import type { Interceptor, StreamRequest } from "@connectrpc/connect";
import { ReadOnlyModeError } from "../errors.js";
import { callKindRule, classifyCall } from "./classification.js";

function methodPath(method: DescMethod): string {
  return `/${method.parent.typeName}/${method.name}`;
}

/**
 * Reads the first request message of a stream so a conditional rule can look at it, and hands
 * back an iterable that replays it, so the transport still sends every message.
 */
async function peekFirst<T>(
  messages: AsyncIterable<T>,
): Promise<[T | undefined, AsyncIterable<T>]> {
  const iterator = messages[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) {
    return [undefined, messages];
  }
  async function* replay(): AsyncGenerator<T> {
    yield first.value;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      yield next.value;
    }
  }
  return [first.value, replay()];
}

async function guardStream(
  req: StreamRequest,
  next: Parameters<Interceptor>[0],
): ReturnType<ReturnType<Interceptor>> {
  const [first, replay] = await peekFirst(req.message);
  const kind = classifyCall(req.method, first);
  if (kind !== "read") {
    throw new ReadOnlyModeError(methodPath(req.method), kind);
  }
  return next({ ...req, message: replay });
}

/**
 * Rejects every write with `ReadOnlyModeError` before the request goes further down the chain,
 * so nothing is signed or sent. Runs first in the SDK's chain.
 */
export function createReadOnlyGuard(): Interceptor {
  return (next) => (req) => {
    const rule = callKindRule(req.method);
    if (req.stream && typeof rule === "function") {
      return guardStream(req, next);
    }
    const kind = classifyCall(req.method, req.stream ? undefined : req.message);
    if (kind !== "read") {
      return Promise.reject(new ReadOnlyModeError(methodPath(req.method), kind));
    }
    return next(req);
  };
}
