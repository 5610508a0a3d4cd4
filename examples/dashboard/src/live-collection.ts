import {
  CanceledError,
  OmniError,
  PermissionDeniedError,
  type Resource,
  type ResourcesApi,
  type ResourceType,
  UnauthenticatedError,
} from "./sdk.js";

export interface LiveCollectionEvents {
  /** Something in the collection changed (or it finished loading). */
  readonly onChange: () => void;
  /** The watch broke; `undefined` once it is back. */
  readonly onError: (message: string | undefined) => void;
  /** Omni no longer accepts the key (revoked, expired, unknown): only a new login helps. */
  readonly onUnauthenticated: (message: string) => void;
}

const firstRetryMs = 1_000;
const maxRetryMs = 15_000;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * Every resource of one type, kept current by `watch`. A broken watch is reopened with backoff;
 * each reconnect starts with a fresh bootstrap, so the map never keeps a resource that went away
 * while the stream was down.
 */
export class LiveCollection<S> {
  readonly #items = new Map<string, Resource<S>>();
  #loaded = false;

  constructor(
    readonly type: ResourceType<S>,
    resources: ResourcesApi,
    signal: AbortSignal,
    events: LiveCollectionEvents,
  ) {
    void this.#run(resources, signal, events);
  }

  get loaded(): boolean {
    return this.#loaded;
  }

  get(id: string): Resource<S> | undefined {
    return this.#items.get(id);
  }

  values(): Resource<S>[] {
    return [...this.#items.values()].sort((a, b) => a.metadata.id.localeCompare(b.metadata.id));
  }

  async #run(resources: ResourcesApi, signal: AbortSignal, events: LiveCollectionEvents) {
    let retryMs = firstRetryMs;
    while (!signal.aborted) {
      const fresh = new Map<string, Resource<S>>();
      let bootstrapped = false;
      try {
        for await (const event of resources.watch(this.type, { signal })) {
          const target = bootstrapped ? this.#items : fresh;
          if (event.type === "bootstrapped") {
            bootstrapped = true;
            this.#items.clear();
            for (const [id, resource] of fresh) {
              this.#items.set(id, resource);
            }
            this.#loaded = true;
            retryMs = firstRetryMs;
            events.onError(undefined);
          } else if (event.type === "destroyed") {
            target.delete(event.resource.metadata.id);
          } else {
            target.set(event.resource.metadata.id, event.resource);
          }
          if (bootstrapped) {
            events.onChange();
          }
        }
      } catch (error) {
        if (signal.aborted || error instanceof CanceledError) {
          return;
        }
        const message = `${this.type.type}: ${error instanceof OmniError ? error.message : String(error)}`;
        if (error instanceof UnauthenticatedError) {
          events.onUnauthenticated(message);
          return;
        }
        events.onError(message);
        // The key lacks the role: retrying cannot fix that.
        if (error instanceof PermissionDeniedError) {
          return;
        }
      }
      await sleep(retryMs, signal);
      retryMs = Math.min(retryMs * 2, maxRetryMs);
    }
  }
}
