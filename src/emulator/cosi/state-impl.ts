import { create, type DescMessage, fromBinary } from "@bufbuild/protobuf";
import { Code, ConnectError, type HandlerContext, type ServiceImpl } from "@connectrpc/connect";
import {
  type IDQuery,
  type LabelQuery,
  MetadataSchema,
  type Resource,
  ResourceSchema,
  SpecSchema,
} from "../../gen/v1alpha1/resource_pb.js";
import {
  type Event,
  EventSchema,
  EventType,
  type State,
  type WatchOptions,
  type WatchResponse,
  WatchResponseSchema,
} from "../../gen/v1alpha1/state_pb.js";
import { type TypeVerb, typeRule } from "./access-rules.js";
import { checkLabelQueries } from "./label-match.js";
import { parsePhase } from "./phase.js";
import { compileRe2 } from "./re2-pattern.js";
import { specTypes } from "./resource-types.js";
import { type CosiStore, type ListFilter, matches, type StoreEvent } from "./store.js";
import { specYaml } from "./yaml-spec.js";

export type CosiVerb = "get" | "list" | "watch" | "create" | "update" | "destroy" | "teardown";

/**
 * Who may do what, decided by the emulator (roles, signatures). `check` throws a ConnectError
 * (Unauthenticated, PermissionDenied) to refuse.
 */
export interface CosiAccess {
  check(context: HandlerContext, verb: CosiVerb, type: string, namespace: string): void;
}

/** Lets every caller through; for tests and unsigned local use. */
export const allowAllCosiAccess: CosiAccess = { check() {} };

const ruleVerb: Record<CosiVerb, TypeVerb> = {
  get: "read",
  list: "read",
  watch: "read",
  create: "create",
  update: "update",
  destroy: "destroy",
  teardown: "destroy",
};

/**
 * Omni's per-type access rules. Its validated state reports a refusal as a one-error multierror
 * around the gRPC status of the access filter, and answers PermissionDenied.
 */
function enforceTypeRules(verb: CosiVerb, type: string, namespace: string): void {
  const rule = typeRule(type, namespace);
  if (rule.verbs.includes(ruleVerb[verb])) {
    return;
  }
  throw new ConnectError(
    `failed to validate: 1 error occurred:\n\t* rpc error: code = PermissionDenied desc = ${rule.refusal}\n\n`,
    Code.PermissionDenied,
  );
}

/** COSI's limit on an ID query, in bytes as Go measures strings. */
const maxRegexpBytes = 4096;

function compileIdQuery(query: IDQuery | undefined): RegExp | undefined {
  if (!query || query.regexp === "") {
    return undefined;
  }
  const bytes = Buffer.byteLength(query.regexp);
  if (bytes > maxRegexpBytes) {
    throw new ConnectError(
      `regexp is too long: ${bytes} > ${maxRegexpBytes}`,
      Code.InvalidArgument,
    );
  }
  try {
    return compileRe2(query.regexp);
  } catch (error) {
    throw new ConnectError(
      `failed to compile regexp: ${(error as Error).message}`,
      Code.InvalidArgument,
    );
  }
}

function filterOf(labelQueries: readonly LabelQuery[], idQuery: IDQuery | undefined): ListFilter {
  checkLabelQueries(labelQueries);
  return { labelQueries, idRegex: compileIdQuery(idQuery) };
}

/**
 * Reads a written resource as COSI's server does: metadata and spec must be there and the phase
 * must be one COSI knows (an empty one is refused). Then decodes `proto_spec` with the type's
 * schema, as Omni's registry does on every write, and fills `yaml_spec` from it; a spec that does
 * not decode is InvalidArgument.
 */
function decodeWrite(resource: Resource | undefined): Resource {
  if (!resource?.metadata) {
    throw new ConnectError("metadata is missing", Code.InvalidArgument);
  }
  if (!resource.spec) {
    throw new ConnectError("spec is missing", Code.InvalidArgument);
  }
  parsePhase(resource.metadata.phase);
  const schema: DescMessage | undefined = specTypes.get(resource.metadata.type)?.schema;
  if (!schema) {
    return resource;
  }
  let yamlSpec: string;
  try {
    yamlSpec = specYaml(schema, fromBinary(schema, resource.spec.protoSpec));
  } catch (error) {
    throw new ConnectError(
      `failed to unmarshal ${schema.typeName}: ${(error as Error).message}`,
      Code.InvalidArgument,
    );
  }
  return create(ResourceSchema, {
    metadata: resource.metadata,
    spec: create(SpecSchema, { protoSpec: resource.spec.protoSpec, yamlSpec }),
  });
}

/**
 * Bookmarks as COSI makes them: a random cookie of the serving instance, then the position of
 * the event. A bookmark from another emulator (or an earlier run) is refused, not misread.
 */
function createBookmarks() {
  const cookie = crypto.getRandomValues(new Uint8Array(8));
  return {
    of(sequence: number): Uint8Array {
      const bookmark = new Uint8Array(16);
      bookmark.set(cookie);
      new DataView(bookmark.buffer).setBigUint64(8, BigInt(sequence));
      return bookmark;
    },
    parse(bookmark: Uint8Array): number {
      if (bookmark.length !== 16 || cookie.some((byte, index) => bookmark[index] !== byte)) {
        throw new ConnectError("invalid watch bookmark", Code.FailedPrecondition);
      }
      return Number(new DataView(bookmark.buffer, bookmark.byteOffset, 16).getBigUint64(8));
    },
  };
}

type Bookmarks = ReturnType<typeof createBookmarks>;

function eventMessage(
  eventType: EventType,
  resource: Resource | undefined,
  old: Resource | undefined,
  bookmark: Uint8Array | undefined,
): Event {
  return create(EventSchema, { eventType, resource, old, bookmark });
}

/**
 * What a watcher with a filter sees of a change: a resource that starts matching is "created"
 * for it, one that stops matching is "destroyed", and changes outside the filter are skipped.
 */
function visibleEvent(
  event: StoreEvent,
  filter: ListFilter,
  id: string | undefined,
  bookmarks: Bookmarks,
): Event | undefined {
  if (id !== undefined && event.resource.metadata?.id !== id) {
    return undefined;
  }
  const now = matches(event.resource, filter);
  const bookmark = bookmarks.of(event.sequence);
  if (event.eventType !== EventType.UPDATED) {
    return now ? eventMessage(event.eventType, event.resource, undefined, bookmark) : undefined;
  }
  const before = event.old ? matches(event.old, filter) : false;
  if (now && before) {
    return eventMessage(EventType.UPDATED, event.resource, event.old, bookmark);
  }
  if (now) {
    return eventMessage(EventType.CREATED, event.resource, undefined, bookmark);
  }
  if (before) {
    return eventMessage(EventType.DESTROYED, event.resource, undefined, bookmark);
  }
  return undefined;
}

function tombstone(namespace: string, type: string, id: string): Resource {
  return create(ResourceSchema, {
    metadata: create(MetadataSchema, {
      namespace,
      type,
      id,
      version: "undefined",
      phase: "running",
    }),
    spec: create(SpecSchema),
  });
}

const inMemoryNamespaces: ReadonlySet<string> = new Set(["ephemeral", "meta"]);

/**
 * COSI's state refuses to combine a bootstrap with a replay, or the two kinds of replay, and
 * Omni's persistent stores refuse to tail events. Its gRPC server passes those errors on as plain
 * errors, which gRPC sends with the code Unknown.
 */
function checkReplayOptions(options: WatchOptions | undefined, namespace: string): void {
  const tailing = (options?.tailEvents ?? 0) > 0;
  const fromBookmark = options?.startFromBookmark !== undefined;
  if (options?.bootstrapContents && (tailing || fromBookmark)) {
    throw new ConnectError(
      "cannot use BootstrapContents with TailEvents and StartFromBookmark options",
      Code.Unknown,
    );
  }
  if (tailing && fromBookmark) {
    throw new ConnectError(
      "cannot use both TailEvents and StartFromBookmark options",
      Code.Unknown,
    );
  }
  // Omni keeps only these namespaces in memory; its etcd and sqlite stores cannot tail events.
  if (tailing && !inMemoryNamespaces.has(namespace)) {
    throw new ConnectError("failed to watch: tailEvents is not supported", Code.Unknown);
  }
}

/** Resolves on the next change or when the call is aborted. */
function nextWake(signal: AbortSignal, register: (wake: () => void) => void): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      signal.removeEventListener("abort", done);
      resolve();
    };
    signal.addEventListener("abort", done);
    register(done);
  });
}

/**
 * `cosi.resource.State` served from a `CosiStore` with Omni's behaviour: the error codes of
 * COSI's gRPC server, Omni's per-type write rules, and watches that send an empty response as a
 * "ready" marker, bootstrap contents, tail events and bookmarks.
 */
export function createCosiStateImpl(
  store: CosiStore,
  access: CosiAccess,
): ServiceImpl<typeof State> {
  const bookmarks = createBookmarks();

  function authorize(context: HandlerContext, verb: CosiVerb, type: string, namespace: string) {
    access.check(context, verb, type, namespace);
    enforceTypeRules(verb, type, namespace);
  }

  return {
    get(request, context) {
      authorize(context, "get", request.type, request.namespace);
      const resource = store.get(request.namespace, request.type, request.id);
      if (!resource) {
        throw new ConnectError(
          `resource ${request.type}(${request.namespace}/${request.id}) doesn't exist`,
          Code.NotFound,
        );
      }
      return { resource };
    },

    async *list(request, context) {
      authorize(context, "list", request.type, request.namespace);
      const filter = filterOf(request.options?.labelQuery ?? [], request.options?.idQuery);
      for (const resource of store.list(request.namespace, request.type, filter)) {
        yield { resource };
      }
    },

    create(request, context) {
      const resource = decodeWrite(request.resource);
      const meta = resource.metadata ?? create(MetadataSchema);
      authorize(context, "create", meta.type, meta.namespace);
      return {
        resource: store.create(resource, { owner: request.options?.owner, keepUpdated: true }),
      };
    },

    update(request, context) {
      const resource = decodeWrite(request.newResource);
      const expectedPhase = request.options?.expectedPhase;
      const meta = resource.metadata ?? create(MetadataSchema);
      authorize(context, "update", meta.type, meta.namespace);
      const stored = store.update(resource, {
        owner: request.options?.owner,
        expectedPhase: expectedPhase === undefined ? undefined : parsePhase(expectedPhase),
      });
      return { resource: stored };
    },

    destroy(request, context) {
      authorize(context, "destroy", request.type, request.namespace);
      store.destroy(request.namespace, request.type, request.id, { owner: request.options?.owner });
      return {};
    },

    teardown(request, context) {
      authorize(context, "teardown", request.type, request.namespace);
      const destroyReady = store.teardown(request.namespace, request.type, request.id, {
        owner: request.options?.owner,
      });
      return { destroyReady };
    },

    async teardownAndDestroy(request, context) {
      authorize(context, "teardown", request.type, request.namespace);
      const { namespace, type, id } = request;
      const owner = request.options?.owner;
      store.teardown(namespace, type, id, { owner });
      // Like COSI's helper: wait until the controllers holding finalizers let go, then destroy.
      while ((store.get(namespace, type, id)?.metadata?.finalizers.length ?? 0) > 0) {
        let unsubscribe = () => {};
        await nextWake(context.signal, (wake) => {
          unsubscribe = store.subscribe(namespace, type, wake);
        });
        unsubscribe();
        if (context.signal.aborted) {
          throw new ConnectError("teardown canceled", Code.Canceled);
        }
      }
      // Gone while waiting: the destroy fails with NotFound, as COSI's does.
      store.destroy(namespace, type, id, { owner });
      return {};
    },

    async *watch(request, context) {
      const { namespace, type } = request;
      authorize(context, "watch", type, namespace);
      const options = request.options;
      const id = request.id;
      if (id !== undefined && options?.bootstrapContents) {
        throw new ConnectError(
          "bootstrap contents is not implemented for resource watch",
          Code.Unimplemented,
        );
      }
      if (id !== undefined && (options?.labelQuery.length ?? 0) > 0) {
        throw new ConnectError(
          "label query is not implemented for resource watch",
          Code.Unimplemented,
        );
      }
      checkReplayOptions(options, namespace);
      const filter: ListFilter =
        id === undefined ? filterOf(options?.labelQuery ?? [], options?.idQuery) : {};
      const aggregated = options?.aggregated ?? false;
      const withControlEvents = request.apiVersion >= 1;

      const pending: StoreEvent[] = [];
      let wake: (() => void) | undefined;
      const unsubscribe = store.subscribe(namespace, type, (event) => {
        pending.push(event);
        wake?.();
      });
      try {
        // What the watch sends before live changes, in COSI's order and batches: the current
        // state or the bootstrap, then the start-bookmark no-op, then replayed changes.
        const visibleOf = (events: readonly StoreEvent[]): Event[] =>
          events.flatMap((event) => visibleEvent(event, filter, id, bookmarks) ?? []);
        const opening: Event[] = [];
        let replay: Event[] = [];
        // The position just before the first change this watch sends; resuming from its
        // bookmark misses nothing.
        let startSequence = store.lastSequence;
        const tailEvents = options?.tailEvents ?? 0;
        if (options?.startFromBookmark !== undefined) {
          startSequence = bookmarks.parse(options.startFromBookmark);
          const events = store.eventsSince(namespace, type, startSequence);
          if (!events) {
            throw new ConnectError(
              "invalid watch bookmark: it is older than the kept history or newer than the last change",
              Code.FailedPrecondition,
            );
          }
          replay = visibleOf(events);
        } else if (tailEvents > 0) {
          // One resource's watch counts back that resource's own changes.
          const events = store.tail(namespace, type, tailEvents, id);
          startSequence = (events[0]?.sequence ?? store.lastSequence + 1) - 1;
          replay = visibleOf(events);
        } else if (id !== undefined) {
          const current = store.get(namespace, type, id);
          opening.push(
            current
              ? eventMessage(EventType.CREATED, current, undefined, undefined)
              : eventMessage(
                  EventType.DESTROYED,
                  tombstone(namespace, type, id),
                  undefined,
                  undefined,
                ),
          );
        } else if (options?.bootstrapContents) {
          for (const resource of store.list(namespace, type, filter)) {
            opening.push(eventMessage(EventType.CREATED, resource, undefined, undefined));
          }
          if (withControlEvents) {
            opening.push(
              eventMessage(
                EventType.BOOTSTRAPPED,
                tombstone(namespace, type, ""),
                undefined,
                bookmarks.of(startSequence),
              ),
            );
          }
        }
        const startNoop =
          id === undefined && options?.bootstrapBookmark
            ? [
                eventMessage(
                  EventType.NOOP,
                  tombstone(namespace, type, ""),
                  undefined,
                  bookmarks.of(startSequence),
                ),
              ]
            : [];

        // An empty response tells the client the watch is registered.
        yield create(WatchResponseSchema);
        yield* batches(opening, aggregated);
        yield* batches(startNoop, aggregated);
        yield* batches(replay, aggregated);

        while (!context.signal.aborted) {
          if (pending.length === 0) {
            await nextWake(context.signal, (resolve) => {
              wake = resolve;
            });
            wake = undefined;
            continue;
          }
          yield* batches(visibleOf(pending.splice(0)), aggregated);
        }
      } finally {
        unsubscribe();
      }
    },
  };
}

function* batches(events: Event[], aggregated: boolean): Generator<WatchResponse> {
  if (events.length === 0) {
    return;
  }
  if (aggregated) {
    yield create(WatchResponseSchema, { event: events });
    return;
  }
  for (const event of events) {
    yield create(WatchResponseSchema, { event: [event] });
  }
}
