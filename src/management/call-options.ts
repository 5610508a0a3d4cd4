import type { CallOptions } from "@connectrpc/connect";
import { checkOptionKeys, optionKeys } from "../option-keys.js";
import { requestHeaders } from "../transport/request-headers.js";
import { optionalSignal, optionalTimeoutMs } from "../validation.js";

/** Per-call options, the optional last argument of every management method. */
export interface OmniCallOptions {
  /** Cancels the call; a stream stops with a `CanceledError`. */
  signal?: AbortSignal;
  /**
   * Deadline in milliseconds. Unary calls default to the client's `timeoutMs`; streams have no
   * deadline unless one is given here.
   */
  timeoutMs?: number;
  /**
   * Extra request metadata: a record of strings, a `Headers` object or a list of
   * `[name, value]` pairs. Values must be strings; nothing is converted.
   */
  headers?: HeadersInit;
}

export const callOptionKeys = /*@__PURE__*/ optionKeys<OmniCallOptions>()({
  signal: true,
  timeoutMs: true,
  headers: true,
});

/** Checks call options and turns them into Connect's, adding the metadata a method needs. */
export function toCallOptions(
  options: OmniCallOptions | undefined,
  metadata?: Record<string, string>,
): CallOptions | undefined {
  if (options === undefined) {
    return metadata ? { headers: metadata } : undefined;
  }
  checkOptionKeys("callOptions", options, callOptionKeys);
  const { signal, timeoutMs, headers } = options;
  optionalTimeoutMs("callOptions.timeoutMs", timeoutMs);
  optionalSignal("callOptions.signal", signal);
  if (headers === undefined) {
    return { signal, timeoutMs, headers: metadata };
  }
  // Checked here, to be named as the caller named them; the method's metadata wins over a header
  // of the same name in any letter case (spreading a record would keep both, and a Headers
  // object or a list of pairs would not spread at all).
  const merged = requestHeaders(headers, "callOptions.headers");
  for (const [key, value] of Object.entries(metadata ?? {})) {
    merged.set(key, value);
  }
  return { signal, timeoutMs, headers: merged };
}
