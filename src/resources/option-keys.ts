import { checkOptionKeys, optionKeys } from "../option-keys.js";
import type { ListOptions, NamespaceOption, UpdateOptions, WatchOptions } from "./api.js";
import type { ResourceCallOptions } from "./types.js";

// The keys each options type of the resources API allows; the compiler holds every list to its type.

export const resourceCallOptionKeys = optionKeys<ResourceCallOptions>()({
  signal: true,
  timeoutMs: true,
  headers: true,
});

/** The options of `get`, `destroy`, `teardown` and `teardownAndDestroy`. */
export const lookupOptionKeys = optionKeys<ResourceCallOptions & NamespaceOption>()({
  signal: true,
  timeoutMs: true,
  headers: true,
  namespace: true,
});

export const listOptionKeys = optionKeys<ListOptions>()({
  signal: true,
  timeoutMs: true,
  headers: true,
  namespace: true,
  labels: true,
  idRegex: true,
});

export const watchOptionKeys = optionKeys<WatchOptions>()({
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

export const updateOptionKeys = optionKeys<UpdateOptions>()({
  signal: true,
  timeoutMs: true,
  headers: true,
  expectedPhase: true,
});

/** Checks the optional options argument of a resources call; leaving it out is fine. */
export function checkResourceOptions(options: unknown, known: ReadonlySet<string>): void {
  if (options !== undefined) {
    checkOptionKeys("options", options, known);
  }
}
