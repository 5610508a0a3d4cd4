import type { DescMethod, Message } from "@bufbuild/protobuf";
import type { Interceptor, StreamRequest, UnaryRequest } from "@connectrpc/connect";
import { ReadOnlyModeError } from "../errors.js";
import { callKindRule, type InspectedCall, inspectCall } from "./classification.js";

function methodPath(method: DescMethod): string {
  return `/${method.parent.typeName}/${method.name}`;
}

function refusal(method: DescMethod, { kind }: InspectedCall): ReadOnlyModeError | undefined {
  return kind === "read" ? undefined : new ReadOnlyModeError(methodPath(method), kind);
}

/**
 * Judges each request message of a stream whose kind depends on its flags before the transport
 * may send it, and hands the transport the copy that was judged. The first message is read before
 * the call is passed on, so a stream that would open with a write is never opened.
 */
async function guardStream(
  req: StreamRequest,
  next: Parameters<Interceptor>[0],
): ReturnType<ReturnType<Interceptor>> {
  const iterator = req.message[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) {
    const refused = refusal(req.method, inspectCall(req.method, undefined));
    if (refused) {
      throw refused;
    }
    return next(req);
  }
  const judged = inspectCall(req.method, first.value);
  const refused = refusal(req.method, judged);
  if (refused) {
    await iterator.return?.();
    throw refused;
  }
  const method = req.method;
  async function* judgedMessages(): AsyncGenerator<Message> {
    yield judged.message ?? first.value;
    for (let result = await iterator.next(); !result.done; result = await iterator.next()) {
      const each = inspectCall(method, result.value);
      const refusedLater = refusal(method, each);
      if (refusedLater) {
        await iterator.return?.();
        throw refusedLater;
      }
      yield each.message ?? result.value;
    }
  }
  return next({ ...req, message: judgedMessages() });
}

/**
 * Rejects every write with `ReadOnlyModeError` before the request goes further down the chain,
 * so nothing is signed or sent. Runs first in the SDK's chain. A request whose kind depends on its
 * flags is judged as the server will decode it, and goes on as the decoded copy that was judged.
 */
export function createReadOnlyGuard(): Interceptor {
  return (next) => (req) => {
    const rule = callKindRule(req.method);
    if (rule !== undefined && typeof rule !== "string") {
      if (req.stream) {
        return guardStream(req, next);
      }
      const judged = inspectCall(req.method, req.message);
      const refused = refusal(req.method, judged);
      if (refused) {
        return Promise.reject(refused);
      }
      return next({ ...req, message: judged.message ?? req.message } as UnaryRequest);
    }
    const refused = refusal(req.method, { kind: rule ?? "update" });
    return refused ? Promise.reject(refused) : next(req);
  };
}
