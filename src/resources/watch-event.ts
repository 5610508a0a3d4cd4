import type { Resource } from "./types.js";

/**
 * One change seen by `watch`. `bookmark`, when Omni sends one, resumes a later watch right after
 * this event (`startFromBookmark`). `bootstrapped` marks the end of the initial contents.
 */
export type WatchEvent<S> =
  | {
      readonly type: "created";
      readonly resource: Resource<S>;
      readonly bookmark: Uint8Array | undefined;
    }
  | {
      readonly type: "updated";
      readonly resource: Resource<S>;
      readonly old: Resource<S> | undefined;
      readonly bookmark: Uint8Array | undefined;
    }
  | {
      readonly type: "destroyed";
      readonly resource: Resource<S>;
      readonly bookmark: Uint8Array | undefined;
    }
  | { readonly type: "bootstrapped"; readonly bookmark: Uint8Array | undefined };
