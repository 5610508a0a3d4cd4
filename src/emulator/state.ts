import { Code, ConnectError, type HandlerContext } from "@connectrpc/connect";
import type { AuditLog } from "./audit-log.js";
import type { Catalog, CatalogCluster, CatalogMachine } from "./catalog.js";
import type { CosiStore } from "./cosi/index.js";
import type { IdentityStore } from "./identities.js";
import type { OmniVersion } from "./versions.js";

export interface JoinTokenRecord {
  id: string;
  name: string;
  expiration: Date | undefined;
}

/** Everything the service handlers share; one instance per running emulator. */
export interface EmulatorState {
  readonly identities: IdentityStore;
  readonly catalog: Catalog;
  readonly auditLog: AuditLog;
  readonly joinTokens: Map<string, JoinTokenRecord>;
  /** The COSI state, where join tokens also live as `JoinTokens` (deleting one revokes it). */
  readonly store: CosiStore;
  readonly defaultJoinTokenId: string;
  /** Clusters whose manifests were synced for real, so a second sync reports nothing to do. */
  readonly syncedClusters: Set<string>;
  readonly now: () => Date;
  /** The HTTP/1.1 origin the emulator advertises (login URLs, kubeconfig servers, image proxy). */
  readonly advertisedUrl: () => string;
  /** The native gRPC URL, what omniconfig and talosconfig point clients at. */
  readonly grpcUrl: () => string;
  /** Aborts when the emulator closes, so that long waits and follow streams end. */
  readonly shutdown: AbortSignal;
  readonly timings: EmulatorTimings;
  /** The Omni release the emulator answers as (undefined: the newest API, `main`). */
  readonly omniVersion?: OmniVersion;
}

export interface EmulatorTimings {
  /** How long `AwaitPublicKeyConfirmation` blocks before failing with DEADLINE_EXCEEDED. */
  publicKeyConfirmationTimeoutMs: number;
  /** Pause between two lines of a followed machine log. */
  followLogIntervalMs: number;
  /** How long a followed audit log stays open before the server ends it cleanly. */
  auditLogFollowWindowMs: number;
  /** Pause between two steps of the seeded Talos upgrade while the simulation runs. */
  upgradeStepMs: number;
}

/** The signal of a call combined with the emulator's shutdown. */
export function callSignal(state: EmulatorState, context: HandlerContext): AbortSignal {
  return AbortSignal.any([context.signal, state.shutdown]);
}

/** A call's signal that also aborts after `ms`; `timedOut` says which of the two happened. */
export interface BoundedCallSignal {
  readonly signal: AbortSignal;
  timedOut(): boolean;
  /** Clears the timer and the listeners; call it when the call ends. */
  dispose(): void;
}

/**
 * Like `callSignal`, with a time limit. A plain timer rather than `AbortSignal.timeout`: Node 20
 * may collect a timeout signal that only `AbortSignal.any` refers to, and then it never fires.
 */
export function boundedCallSignal(
  state: EmulatorState,
  context: HandlerContext,
  ms: number,
): BoundedCallSignal {
  const controller = new AbortController();
  const sources = [context.signal, state.shutdown];
  let expired = false;
  const onSourceAbort = (event: Event): void =>
    controller.abort((event.target as AbortSignal).reason);
  const timer = setTimeout(() => {
    expired = true;
    controller.abort(new DOMException("the server's time limit passed", "TimeoutError"));
  }, ms);
  for (const source of sources) {
    if (source.aborted) {
      controller.abort(source.reason);
    }
    source.addEventListener("abort", onSourceAbort, { once: true });
  }
  return {
    signal: controller.signal,
    timedOut: () => expired,
    dispose() {
      clearTimeout(timer);
      for (const source of sources) {
        source.removeEventListener("abort", onSourceAbort);
      }
    },
  };
}

export function invalidArgument(message: string): ConnectError {
  return new ConnectError(message, Code.InvalidArgument);
}

/** COSI's not-found text, which Omni passes through for missing resources. */
export function resourceNotFound(type: string, id: string, namespace = "default"): ConnectError {
  return new ConnectError(
    `resource ${type}(${namespace}/${id}@undefined) doesn't exist`,
    Code.NotFound,
  );
}

/** The cluster a cluster-scoped call names in its metadata: `cluster` wins over `context`, as in Omni's router. */
export function clusterFromMetadata(context: HandlerContext): string | undefined {
  const value = context.requestHeader.get("cluster") ?? context.requestHeader.get("context") ?? "";
  return value === "" ? undefined : value;
}

export function requireCluster(state: EmulatorState, name: string | undefined): CatalogCluster {
  if (name === undefined) {
    throw invalidArgument("cluster name is required");
  }
  const cluster = state.catalog.clusters.get(name);
  if (!cluster) {
    throw resourceNotFound("Clusters.omni.sidero.dev", name);
  }
  return cluster;
}

export function requireMachine(state: EmulatorState, id: string): CatalogMachine {
  if (id === "") {
    throw invalidArgument("machine id is required");
  }
  const machine = state.catalog.machines.get(id);
  if (!machine) {
    throw resourceNotFound("MachineStatuses.omni.sidero.dev", id);
  }
  return machine;
}
