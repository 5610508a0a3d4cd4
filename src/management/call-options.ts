import type { CallOptions } from "@connectrpc/connect";
import { checkOptionKeys, optionKeys } from "../option-keys.js";
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
  /** Extra request metadata. */
  headers?: Record<string, string>;
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
  return { signal, timeoutMs, headers: metadata ? { ...headers, ...metadata } : headers };
}
