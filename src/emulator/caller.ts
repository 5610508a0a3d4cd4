import { Code, ConnectError, createContextKey, type HandlerContext } from "@connectrpc/connect";
import { type Role, requireRole } from "./roles.js";
import type { Caller } from "./signature.js";

/** Set by the auth interceptor once a call's signature checks out. */
export const callerKey = createContextKey<Caller | undefined>(undefined, {
  description: "siderov1 caller",
});

/** The signed caller of this call, or Omni's answer for a handler that needs one. */
export function signedCaller(context: HandlerContext): Caller {
  const caller = context.values.get(callerKey);
  if (!caller) {
    throw new ConnectError("unauthenticated: missing valid signature", Code.Unauthenticated);
  }
  return caller;
}

/** The signed caller, after checking that its role is at least `role`. */
export function callerWithRole(context: HandlerContext, role: Role): Caller {
  const caller = signedCaller(context);
  requireRole(caller.role, role);
  return caller;
}
