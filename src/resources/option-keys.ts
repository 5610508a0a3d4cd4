import { checkOptionKeys, optionKeys } from "../option-keys.js";
import { requestHeaders } from "../transport/request-headers.js";
import { optionalSignal } from "../validation.js";
import type { ListOptions, NamespaceOption, UpdateOptions, WatchOptions } from "./api.js";
import type { LabelTermInput } from "./labels.js";
import type { ResourceCallOptions } from "./types.js";

// The keys each options type of the resources API allows; the compiler holds every list to its type.

export const resourceCallOptionKeys = /*@__PURE__*/ optionKeys<ResourceCallOptions>()({
  signal: true,
  timeoutMs: true,
  headers: true,
});

/** The options of `get`, `destroy`, `teardown` and `teardownAndDestroy`. */
export const lookupOptionKeys = /*@__PURE__*/ optionKeys<ResourceCallOptions & NamespaceOption>()({
  signal: true,
  timeoutMs: true,
  headers: true,
  namespace: true,
});

export const listOptionKeys = /*@__PURE__*/ optionKeys<ListOptions>()({
  signal: true,
  timeoutMs: true,
  headers: true,
  namespace: true,
  labels: true,
  idRegex: true,
});

export const watchOptionKeys = /*@__PURE__*/ optionKeys<WatchOptions>()({
  signal: true,
  headers: true,
  namespace: true,
  id: true,
  labels: true,
  idRegex: true,
  bootstrap: true,
  tailEvents: true,
  startFromBookmark: true,
});

export const updateOptionKeys = /*@__PURE__*/ optionKeys<UpdateOptions>()({
  signal: true,
  timeoutMs: true,
  headers: true,
  expectedPhase: true,
});

type LabelTermOf<Op extends LabelTermInput["op"]> = Extract<LabelTermInput, { op: Op }>;

export const existsTermKeys = /*@__PURE__*/ optionKeys<LabelTermOf<"exists">>()({
  key: true,
  op: true,
  not: true,
});

export const equalTermKeys = /*@__PURE__*/ optionKeys<LabelTermOf<"equal">>()({
  key: true,
  op: true,
  value: true,
  not: true,
});

export const inTermKeys = /*@__PURE__*/ optionKeys<LabelTermOf<"in">>()({
  key: true,
  op: true,
  values: true,
  not: true,
});

/** The keys of an `lt` or `lte` term. */
export const lessThanTermKeys = /*@__PURE__*/ optionKeys<LabelTermOf<"lt" | "lte">>()({
  key: true,
  op: true,
  value: true,
  numeric: true,
  not: true,
});

/** The keys of a `gt` or `gte` term, which cannot be inverted. */
export const greaterThanTermKeys = /*@__PURE__*/ optionKeys<LabelTermOf<"gt" | "gte">>()({
  key: true,
  op: true,
  value: true,
  numeric: true,
});

/** Checks the optional options argument of a resources call; leaving it out is fine. */
export function checkResourceOptions(options: unknown, known: ReadonlySet<string>): void {
  if (options === undefined) {
    return;
  }
  checkOptionKeys("options", options, known);
  const { signal, headers } = options as { signal?: unknown; headers?: unknown };
  optionalSignal("options.signal", signal);
  if (headers !== undefined) {
    // Checked here, to be named as the caller named them; the transport checks them again.
    requestHeaders(headers as HeadersInit, "options.headers");
  }
}
