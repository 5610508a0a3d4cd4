import { Code, ConnectError } from "@connectrpc/connect";

/** The phases COSI gives a resource: alive, or being torn down until its finalizers are gone. */
export type CosiPhase = "running" | "tearingDown";

/**
 * COSI's phase parser: only `running` and `tearingDown` exist, and anything else (the empty string
 * included) fails. COSI's gRPC server returns that failure as a plain error, which gRPC sends
 * with the code Unknown.
 */
export function parsePhase(phase: string): CosiPhase {
  if (phase !== "running" && phase !== "tearingDown") {
    throw new ConnectError(`unknown phase: ${phase}`, Code.Unknown);
  }
  return phase;
}
