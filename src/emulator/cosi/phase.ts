import { Code, ConnectError } from "@connectrpc/connect";
import type { ResourcePhase } from "../../resources/types.js";

/**
 * COSI's phase parser: only `running` and `tearingDown` exist, and anything else (the empty string
 * included) fails. COSI's gRPC server returns that failure as a plain error, which gRPC sends
 * with the code Unknown.
 */
export function parsePhase(phase: string): ResourcePhase {
  if (phase !== "running" && phase !== "tearingDown") {
    throw new ConnectError(`unknown phase: ${phase}`, Code.Unknown);
  }
  return phase;
}
