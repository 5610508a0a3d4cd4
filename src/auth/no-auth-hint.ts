import { Code, ConnectError, type Interceptor, type StreamResponse } from "@connectrpc/connect";
import { OmniError } from "../errors.js";
import { SIGNATURE_HEADER, UNSIGNED_METHODS } from "./interceptor.js";

const hint =
  "this client has no auth, so its calls go unsigned: pass auth: serviceAccountAuth(...), pgpAuth(...) or ecdsaAuth(...)";

/** The server's `UNAUTHENTICATED`, saying why: the call carried no signature at all. */
function withHint(error: unknown): unknown {
  if (
    !(error instanceof ConnectError) ||
    error.code !== Code.Unauthenticated ||
    error.cause instanceof OmniError
  ) {
    return error;
  }
  return new ConnectError(
    `${error.rawMessage} (${hint})`,
    Code.Unauthenticated,
    error.metadata,
    undefined,
    error,
  );
}

async function* hinting<T>(messages: AsyncIterable<T>): AsyncIterable<T> {
  try {
    yield* messages;
  } catch (error) {
    throw withHint(error);
  }
}

/**
 * For a client made without `auth`: an `UNAUTHENTICATED` answer ("invalid signature") to a call
 * that went out unsigned says so, and how to give the client a key. The login flow's own calls,
 * which Omni takes unsigned, and calls a caller's interceptor signed keep the server's message.
 */
export function createNoAuthHintInterceptor(): Interceptor {
  return (next) => (req) => {
    const method = `/${req.service.typeName}/${req.method.name}`;
    if (UNSIGNED_METHODS.has(method) || req.header.has(SIGNATURE_HEADER)) {
      return next(req);
    }
    const response = next(req).catch((error: unknown) => {
      throw withHint(error);
    });
    if (!req.stream) {
      return response;
    }
    return response.then((res) => {
      const stream = res as StreamResponse;
      return { ...stream, message: hinting(stream.message) };
    });
  };
}
