import { create } from "@bufbuild/protobuf";
import { TimestampSchema, timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  type LabelQuery,
  MetadataSchema,
  type Resource,
  ResourceSchema,
} from "../../gen/v1alpha1/resource_pb.js";
import { EventType } from "../../gen/v1alpha1/state_pb.js";
import { matchesLabelQueries } from "./label-match.js";
import { parsePhase } from "./phase.js";

/** One change, numbered so that a watch can resume after it. */
export interface StoreEvent {
  readonly sequence: number;
  readonly eventType: EventType.CREATED | EventType.UPDATED | EventType.DESTROYED;
  readonly namespace: string;
  readonly type: string;
  readonly resource: Resource;
  readonly old: Resource | undefined;
}

export interface ListFilter {
  readonly labelQueries?: readonly LabelQuery[];
  readonly idRegex?: RegExp;
}

export interface CosiStoreOptions {
  /** The clock stamped into `created` / `updated`. */
  readonly now?: () => Date;
  /** How many past events are kept for `tail_events` and bookmarks. */
  readonly eventHistory?: number;
}

type Listener = (event: StoreEvent) => void;

const kindKey = (namespace: string, type: string) => `${namespace}\u0000${type}`;

function resourceName(resource: { namespace: string; type: string; id: string }): string {
  return `resource ${resource.type}(${resource.namespace}/${resource.id})`;
}

/** Go's string order: by UTF-8 bytes, which for IDs (ASCII) is code-unit order. */
function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function notFound(namespace: string, type: string, id: string): ConnectError {
  return new ConnectError(`${resourceName({ namespace, type, id })} doesn't exist`, Code.NotFound);
}

/**
 * Omni's COSI state in memory: decimal versions bumped on every write, owners, the
 * running/tearingDown phases, finalizers, label and ID queries, and an event for every change.
 * Stored resources are never mutated; every write stores a new message, so readers can hand
 * them out without copying.
 */
export class CosiStore {
  private readonly kinds = new Map<string, Map<string, Resource>>();
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly history: StoreEvent[] = [];
  private readonly historyLimit: number;
  private sequence = 0;
  private clock: () => Date;

  constructor(options: CosiStoreOptions = {}) {
    this.clock = options.now ?? (() => new Date());
    this.historyLimit = options.eventHistory ?? 10_000;
  }

  now(): Date {
    return this.clock();
  }

  /** Runs `write` with every timestamp set to `at`, e.g. to seed data as of a fixed date. */
  writeAt<T>(at: Date, write: () => T): T {
    const previous = this.clock;
    this.clock = () => at;
    try {
      return write();
    } finally {
      this.clock = previous;
    }
  }

  get(namespace: string, type: string, id: string): Resource | undefined {
    return this.kinds.get(kindKey(namespace, type))?.get(id);
  }

  list(namespace: string, type: string, filter: ListFilter = {}): Resource[] {
    const items = this.kinds.get(kindKey(namespace, type));
    if (!items) {
      return [];
    }
    const result: Resource[] = [];
    for (const resource of items.values()) {
      if (matches(resource, filter)) {
        result.push(resource);
      }
    }
    // COSI lists (and bootstraps watches) in ID order, whatever the order of creation.
    return result.sort((a, b) => compareIds(a.metadata?.id ?? "", b.metadata?.id ?? ""));
  }

  /**
   * Stores a new resource at version 1 in the phase it carries (running when it has none, as for
   * resources arranged by the emulator itself); AlreadyExists if the ID is taken.
   */
  create(resource: Resource, options: { owner?: string; keepUpdated?: boolean } = {}): Resource {
    const meta = requireMetadata(resource);
    const items = this.kindItems(meta.namespace, meta.type);
    if (items.has(meta.id)) {
      throw new ConnectError(`${resourceName(meta)} already exists`, Code.AlreadyExists);
    }
    const stamp = timestampFromDate(this.now());
    const stored = create(ResourceSchema, {
      metadata: create(MetadataSchema, {
        ...meta,
        version: "1",
        owner: options.owner ?? "",
        phase: meta.phase === "" ? "running" : parsePhase(meta.phase),
        created: stamp,
        // A client's create keeps the `updated` it sent, the Unix epoch when none, as Omni's
        // etcd store does; what the emulator arranges itself is stamped now.
        updated: options.keepUpdated ? (meta.updated ?? create(TimestampSchema)) : stamp,
      }),
      spec: resource.spec,
    });
    items.set(meta.id, stored);
    this.emit(EventType.CREATED, stored, undefined);
    return stored;
  }

  /**
   * Replaces a resource with the one given, phase included, as COSI does. Its `metadata.version`
   * must be the stored version (FailedPrecondition otherwise), the caller must be the owner
   * (PermissionDenied) and, when given, the stored phase must be `expectedPhase` (InvalidArgument,
   * as COSI's server maps a phase conflict).
   */
  update(resource: Resource, options: { owner?: string; expectedPhase?: string } = {}): Resource {
    const meta = requireMetadata(resource);
    const phase = parsePhase(meta.phase);
    const current = this.get(meta.namespace, meta.type, meta.id);
    if (!current?.metadata) {
      throw notFound(meta.namespace, meta.type, meta.id);
    }
    const stored = current.metadata;
    // COSI checks the owner, then the version, then the phase.
    this.checkOwner(stored.owner, options.owner ?? "", meta);
    if (meta.version !== stored.version) {
      throw new ConnectError(
        `${resourceName(meta)} update conflict: expected version "${meta.version}", actual version "${stored.version}"`,
        Code.FailedPrecondition,
      );
    }
    if (options.expectedPhase !== undefined && stored.phase !== options.expectedPhase) {
      throw new ConnectError(
        `${resourceName(meta)} is in phase ${stored.phase}, expected ${options.expectedPhase}`,
        Code.InvalidArgument,
      );
    }
    const next = create(ResourceSchema, {
      metadata: create(MetadataSchema, {
        ...meta,
        version: String(Number(stored.version) + 1),
        owner: stored.owner,
        phase,
        created: stored.created,
        updated: timestampFromDate(this.now()),
      }),
      spec: resource.spec,
    });
    this.kindItems(meta.namespace, meta.type).set(meta.id, next);
    this.emit(EventType.UPDATED, next, current);
    return next;
  }

  /** Reads, changes and writes back with the version read; for controllers and simulations. */
  modify(
    namespace: string,
    type: string,
    id: string,
    change: (resource: Resource) => Resource,
  ): Resource {
    const current = this.get(namespace, type, id);
    if (!current?.metadata) {
      throw notFound(namespace, type, id);
    }
    return this.update(change(current), { owner: current.metadata.owner });
  }

  /** Removes a resource; FailedPrecondition while it still has finalizers. */
  destroy(namespace: string, type: string, id: string, options: { owner?: string } = {}): void {
    const current = this.get(namespace, type, id);
    if (!current?.metadata) {
      throw notFound(namespace, type, id);
    }
    const meta = current.metadata;
    this.checkOwner(meta.owner, options.owner ?? "", meta);
    if (meta.finalizers.length > 0) {
      throw new ConnectError(
        `${resourceName(meta)} has pending finalizers: ${meta.finalizers.join(", ")}`,
        Code.FailedPrecondition,
      );
    }
    this.kindItems(namespace, type).delete(id);
    this.emit(EventType.DESTROYED, current, undefined);
  }

  /** Moves a resource to tearingDown; returns whether it has no finalizers left. */
  teardown(namespace: string, type: string, id: string, options: { owner?: string } = {}): boolean {
    const current = this.get(namespace, type, id);
    if (!current?.metadata) {
      throw notFound(namespace, type, id);
    }
    const meta = current.metadata;
    this.checkOwner(meta.owner, options.owner ?? "", meta);
    if (meta.phase !== "tearingDown") {
      this.update(
        create(ResourceSchema, {
          metadata: create(MetadataSchema, { ...meta, phase: "tearingDown" }),
          spec: current.spec,
        }),
        { owner: meta.owner },
      );
    }
    return meta.finalizers.length === 0;
  }

  /** Calls `listener` for every change of one kind until the returned function is called. */
  subscribe(namespace: string, type: string, listener: Listener): () => void {
    const key = kindKey(namespace, type);
    let set = this.listeners.get(key);
    if (!set) {
      set = new Set();
      this.listeners.set(key, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  /**
   * Past events of one kind after `afterSequence`; undefined when they are no longer kept, or when
   * `afterSequence` is past the last event (a bookmark this store never gave out).
   */
  eventsSince(namespace: string, type: string, afterSequence: number): StoreEvent[] | undefined {
    const oldest = this.history[0]?.sequence ?? this.sequence + 1;
    if (
      (afterSequence + 1 < oldest && afterSequence < this.sequence) ||
      afterSequence > this.sequence
    ) {
      return undefined;
    }
    return this.history.filter(
      (event) =>
        event.sequence > afterSequence && event.namespace === namespace && event.type === type,
    );
  }

  /** The last `count` events of one kind, or of one resource of it when `id` is given. */
  tail(namespace: string, type: string, count: number, id?: string): StoreEvent[] {
    const events: StoreEvent[] = [];
    for (let i = this.history.length - 1; i >= 0 && events.length < count; i--) {
      const event = this.history[i];
      if (
        event &&
        event.namespace === namespace &&
        event.type === type &&
        (id === undefined || event.resource.metadata?.id === id)
      ) {
        events.unshift(event);
      }
    }
    return events;
  }

  /** The number of the last event, for bookmarks. */
  get lastSequence(): number {
    return this.sequence;
  }

  private checkOwner(
    stored: string,
    caller: string,
    meta: { namespace: string; type: string; id: string },
  ) {
    if (stored !== caller) {
      throw new ConnectError(
        `${resourceName(meta)} is owned by "${stored}", not by "${caller}"`,
        Code.PermissionDenied,
      );
    }
  }

  private kindItems(namespace: string, type: string): Map<string, Resource> {
    const key = kindKey(namespace, type);
    let items = this.kinds.get(key);
    if (!items) {
      items = new Map();
      this.kinds.set(key, items);
    }
    return items;
  }

  private emit(eventType: StoreEvent["eventType"], resource: Resource, old: Resource | undefined) {
    const meta = resource.metadata ?? create(MetadataSchema);
    const event: StoreEvent = {
      sequence: ++this.sequence,
      eventType,
      namespace: meta.namespace,
      type: meta.type,
      resource,
      old,
    };
    this.history.push(event);
    if (this.history.length > this.historyLimit * 2) {
      this.history.splice(0, this.history.length - this.historyLimit);
    }
    for (const listener of this.listeners.get(kindKey(meta.namespace, meta.type)) ?? []) {
      listener(event);
    }
  }
}

function requireMetadata(resource: Resource) {
  const meta = resource.metadata;
  if (!meta) {
    throw new ConnectError("metadata is missing", Code.InvalidArgument);
  }
  if (!resource.spec) {
    throw new ConnectError("spec is missing", Code.InvalidArgument);
  }
  if (meta.id === "" || meta.type === "" || meta.namespace === "") {
    throw new ConnectError("namespace, type and id are required", Code.InvalidArgument);
  }
  return meta;
}

/** Whether a resource passes a list or watch filter. */
export function matches(resource: Resource, filter: ListFilter): boolean {
  const meta = resource.metadata;
  if (!meta) {
    return false;
  }
  if (filter.idRegex && !filter.idRegex.test(meta.id)) {
    return false;
  }
  return matchesLabelQueries(meta.labels, filter.labelQueries ?? []);
}
