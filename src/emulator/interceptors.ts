import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { callerKey } from "./caller.js";
import type { IdentityStore } from "./identities.js";
import { verifySignedCall } from "./signature.js";
import { methodAvailable, type OmniVersion } from "./versions.js";

/** Verifies the siderov1 signature of every call and puts the caller into the context values. */
export function createAuthInterceptor(identities: IdentityStore, now: () => Date): Interceptor {
  return (next) => async (req) => {
    const method = `/${req.service.typeName}/${req.method.name}`;
    const caller = await verifySignedCall(
      method,
      (key) => req.header.get(key) ?? undefined,
      identities,
      now,
    );
    if (caller) {
      req.contextValues.set(callerKey, caller);
    }
    return next(req);
  };
}

/**
 * Answers methods the emulated Omni version lacks the way grpc-go answers an unknown method,
 * before any auth check runs.
 */
export function createVersionGate(version: OmniVersion): Interceptor {
  return (next) => async (req) => {
    if (!methodAvailable(version, req.service.typeName, req.method.name)) {
      throw new ConnectError(
        `unknown method ${req.method.name} for service ${req.service.typeName}`,
        Code.Unimplemented,
      );
    }
    return next(req);
  };
}
