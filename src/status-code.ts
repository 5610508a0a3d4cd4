import { type Code, ConnectError } from "@connectrpc/connect";
import { OmniError } from "./errors.js";

// Kept out of errors.ts, whose exports are all public: this is the SDK's own helper.
/** The gRPC status code of anything a call failed with: an `OmniError`'s own, or Connect's reading of it. */
export function statusCode(error: unknown): Code {
  return error instanceof OmniError ? error.code : ConnectError.from(error).code;
}
