import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampNow } from "@bufbuild/protobuf/wkt";
import { Code, type Transport } from "@connectrpc/connect";
import { omniVersionsWith } from "../compatibility.js";
import { FailedPreconditionError, OmniError, toOmniError, ValidationError } from "../errors.js";
import { EventType, State, type WatchOptionsSchema } from "../gen/v1alpha1/state_pb.js";
import { checkOptionKeys, optionKeys } from "../option-keys.js";
import { openStreamScope } from "../stream-scope.js";
import { callUnary, openServerStream } from "../transport/direct-calls.js";
import { isFieldObject, optionalTimeoutMs } from "../validation.js";
import { decodeResource, encodeResource } from "./codec.js";
import { type LabelSelector, toLabelQuery } from "./labels.js";
import {
  checkResourceOptions,
  listOptionKeys,
  lookupOptionKeys,
  resourceCallOptionKeys,
  updateOptionKeys,
  watchOptionKeys,
} from "./option-keys.js";
import type {
  Resource,
  ResourceCallOptions,
  ResourceInput,
  ResourcePhase,
  ResourceType,
} from "./types.js";
import {
  validateId,
  validateIdRegex,
  validateNamespace,
  validatePhase,
  validateResourceType,
} from "./validate.js";
import type { WatchEvent } from "./watch-event.js";
import { describeAllowedVerbs, isVerbAllowed, type ResourceVerb } from "./write-rules.js";

/** Where to look: the type's own namespace unless overridden. */
export interface NamespaceOption {
  readonly namespace?: string;
}

export interface ListOptions extends ResourceCallOptions, NamespaceOption {
  /** Only resources whose labels match. */
  readonly labels?: LabelSelector;
  /** Only resources whose ID matches this regular expression (Go RE2 syntax, unanchored). */
  readonly idRegex?: string;
}

export interface WatchOptions extends NamespaceOption {
  readonly signal?: AbortSignal;
  readonly headers?: HeadersInit;
  /**
   * Watch one resource instead of the whole type; its current state arrives first, as a
   * `destroyed` event for a resource that does not exist (yet).
   */
  readonly id?: string;
  readonly labels?: LabelSelector;
  readonly idRegex?: string;
  /**
   * Start with a `created` event per existing resource, then `bootstrapped`. Defaults to true
   * when watching a type, and to false with `tailEvents` or `startFromBookmark`, which COSI does
   * not combine with it. Not available when watching one `id`.
   */
  readonly bootstrap?: boolean;
  /**
   * Replay up to this many recent events before live ones (not with `startFromBookmark`). Omni
   * can replay only what it keeps in memory, the `ephemeral` namespace; its stores of the other
   * namespaces refuse it, so watch those with `startFromBookmark` instead.
   */
  readonly tailEvents?: number;
  /** Resume right after the event that carried this bookmark (not with `tailEvents`). */
  readonly startFromBookmark?: Uint8Array;
}

export interface UpdateOptions extends ResourceCallOptions {
  /**
   * Fail unless the stored resource is in this phase; defaults to the phase in the resource's
   * metadata. A mismatch comes back from Omni as `InvalidArgumentError` (not a
   * `ValidationError`, which only the SDK's own checks throw).
   */
  readonly expectedPhase?: ResourcePhase;
}

/**
 * Omni's resources through `cosi.resource.State`, the API `omnictl` and the Go client use. Every
 * method takes a type descriptor (`Clusters`, `Machines`, ... or `rawResourceType(...)`).
 */
export interface ResourcesApi {
  get<S>(
    type: ResourceType<S>,
    id: string,
    options?: ResourceCallOptions & NamespaceOption,
  ): Promise<Resource<S>>;
  /** Streams the resources one by one as Omni sends them. */
  list<S>(type: ResourceType<S>, options?: ListOptions): AsyncIterable<Resource<S>>;
  /** Collects `list` into an array. */
  listAll<S>(type: ResourceType<S>, options?: ListOptions): Promise<Resource<S>[]>;
  /** Created, updated and destroyed events until `signal` aborts or the stream ends. */
  watch<S>(type: ResourceType<S>, options?: WatchOptions): AsyncIterable<WatchEvent<S>>;
  create<S>(
    type: ResourceType<S>,
    resource: ResourceInput<S>,
    options?: ResourceCallOptions,
  ): Promise<Resource<S>>;
  /**
   * Writes `resource`, whose `metadata.version` must be the version read. If someone else wrote
   * in between, this throws `FailedPreconditionError` and nothing changes.
   */
  update<S>(
    type: ResourceType<S>,
    resource: ResourceInput<S>,
    options?: UpdateOptions,
  ): Promise<Resource<S>>;
  destroy<S>(
    type: ResourceType<S>,
    id: string,
    options?: ResourceCallOptions & NamespaceOption,
  ): Promise<void>;
  /** Starts tearing the resource down; resolves to whether it can be destroyed right away. */
  teardown<S>(
    type: ResourceType<S>,
    id: string,
    options?: ResourceCallOptions & NamespaceOption,
  ): Promise<boolean>;
  /**
   * Tears down, waits for the finalizers to go, then destroys (Omni v1.8.0 and later). Resolves
   * once the resource is gone, whoever destroyed it last; `NotFoundError` means it never existed.
   */
  teardownAndDestroy<S>(
    type: ResourceType<S>,
    id: string,
    options?: ResourceCallOptions & NamespaceOption,
  ): Promise<void>;
}

const methodName = (method: keyof typeof State.method) =>
  `/${State.typeName}/${State.method[method].name}`;

function checkWritable(type: ResourceType, verb: ResourceVerb, namespace: string): void {
  if (!isVerbAllowed(type.type, verb, namespace)) {
    throw new ValidationError(
      "type",
      `cannot ${verb} ${type.type}: ${describeAllowedVerbs(type.type)}`,
    );
  }
}

/** The namespace a write goes to, before `encodeResource` checks it. */
function writeNamespace(type: ResourceType, resource: ResourceInput<unknown> | undefined): string {
  const namespace: unknown = resource?.metadata?.namespace;
  return typeof namespace === "string" ? namespace : type.namespace;
}

function namespaceOf(type: ResourceType, options: NamespaceOption | undefined): string {
  return options?.namespace === undefined
    ? type.namespace
    : validateNamespace(options.namespace, "options.namespace");
}

/**
 * Whether a watch starts by listing the current resources. COSI refuses that together with a
 * replay (tail events or a bookmark), and refuses both kinds of replay at once, so a replay turns
 * the default off and an explicit combination fails here rather than on the server.
 */
function wantsBootstrap(options: WatchOptions | undefined, tailEvents: number): boolean {
  const fromBookmark = options?.startFromBookmark !== undefined;
  if (tailEvents > 0 && fromBookmark) {
    throw new ValidationError(
      "options.tailEvents",
      "cannot be combined with options.startFromBookmark; replay either recent events or those after a bookmark",
    );
  }
  const bootstrap = options?.bootstrap;
  if (bootstrap !== undefined && typeof bootstrap !== "boolean") {
    throw new ValidationError("options.bootstrap", "must be a boolean");
  }
  const replaying = tailEvents > 0 || fromBookmark;
  if (bootstrap === true && replaying) {
    throw new ValidationError(
      "options.bootstrap",
      "cannot be combined with options.tailEvents or options.startFromBookmark, which replay events instead of listing the current resources",
    );
  }
  return bootstrap ?? !replaying;
}

/** The request of `destroy`, `teardown` and `teardownAndDestroy`, all governed by "destroy". */
function removalRequest(
  type: ResourceType,
  id: string,
  options: (ResourceCallOptions & NamespaceOption) | undefined,
) {
  validateResourceType(type);
  checkResourceOptions(options, lookupOptionKeys);
  const namespace = namespaceOf(type, options);
  checkWritable(type, "destroy", namespace);
  return { namespace, type: type.type, id: validateId(id) };
}

/** What every resource call runs on: the transport, and the deadline of unary calls that set none. */
export interface StateContext {
  readonly transport: Transport;
  readonly defaultTimeoutMs: number | undefined;
}

export function createStateContext(
  transport: Transport,
  defaultTimeoutMs: number | undefined,
): StateContext {
  return { transport, defaultTimeoutMs };
}

function unaryOptions(state: StateContext, call: ResourceCallOptions | undefined) {
  return {
    signal: call?.signal,
    timeoutMs: optionalTimeoutMs("options.timeoutMs", call?.timeoutMs) ?? state.defaultTimeoutMs,
    headers: call?.headers,
  };
}

async function unary<T>(method: keyof typeof State.method, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw toOmniError(error, methodName(method), omniVersionsWith);
  }
}

function listRequest(type: ResourceType, options: ListOptions | undefined) {
  validateResourceType(type);
  checkResourceOptions(options, listOptionKeys);
  optionalTimeoutMs("options.timeoutMs", options?.timeoutMs);
  const namespace = namespaceOf(type, options);
  const labelQuery = options?.labels === undefined ? [] : [toLabelQuery(options.labels)];
  const idQuery =
    options?.idRegex === undefined ? undefined : { regexp: validateIdRegex(options.idRegex) };
  return { namespace, type: type.type, options: { labelQuery, idQuery } };
}

/** Opens a list stream; its deadline and headers are the call's, its signal the stream scope's. */
function openList(
  state: StateContext,
  request: ReturnType<typeof listRequest>,
  options: ListOptions | undefined,
  signal: AbortSignal,
) {
  return openServerStream(state.transport, State.method.list, request, {
    timeoutMs: options?.timeoutMs,
    headers: options?.headers,
    signal,
  });
}

export async function* list<S>(
  state: StateContext,
  type: ResourceType<S>,
  options?: ListOptions,
): AsyncGenerator<Resource<S>> {
  // Validation errors are thrown as they are; only the call's failures are mapped.
  const request = listRequest(type, options);
  const scope = openStreamScope(options?.signal);
  try {
    for await (const response of await openList(state, request, options, scope.signal)) {
      if (response.resource) {
        yield decodeResource(type, response.resource);
      }
    }
  } catch (error) {
    throw toOmniError(error, methodName("list"));
  } finally {
    scope.close();
  }
}

function watchRequest(type: ResourceType, options: WatchOptions | undefined) {
  validateResourceType(type);
  checkResourceOptions(options, watchOptionKeys);
  const namespace = namespaceOf(type, options);
  const id = options?.id === undefined ? undefined : validateId(options.id, "options.id");
  if (id !== undefined) {
    for (const key of ["labels", "idRegex", "bootstrap"] as const) {
      if (options?.[key] !== undefined) {
        throw new ValidationError(
          `options.${key}`,
          "is not available when watching one resource by id",
        );
      }
    }
  }
  const tailEvents = options?.tailEvents === undefined ? 0 : options.tailEvents;
  if (
    typeof tailEvents !== "number" ||
    !Number.isInteger(tailEvents) ||
    tailEvents < 0 ||
    tailEvents > 2 ** 31 - 1
  ) {
    throw new ValidationError(
      "options.tailEvents",
      "must be a whole number from 0 to 2147483647 (an int32)",
    );
  }
  if (
    options?.startFromBookmark !== undefined &&
    !(options.startFromBookmark instanceof Uint8Array)
  ) {
    throw new ValidationError(
      "options.startFromBookmark",
      "must be the Uint8Array bookmark of an earlier event",
    );
  }
  // Checked for single-resource watches too: COSI refuses both kinds of replay there as well.
  const bootstrap = wantsBootstrap(options, tailEvents);
  const bootstrapContents = id === undefined && bootstrap;
  const watchOptions: MessageInitShape<typeof WatchOptionsSchema> = {
    bootstrapContents,
    // The watch's start bookmark, so a caller can resume from the end of the bootstrap. COSI
    // puts it on the "bootstrapped" event, which is yielded, and on an extra no-op event, skipped.
    bootstrapBookmark: bootstrapContents,
    tailEvents,
    labelQuery: options?.labels === undefined ? [] : [toLabelQuery(options.labels)],
    idQuery:
      options?.idRegex === undefined ? undefined : { regexp: validateIdRegex(options.idRegex) },
    startFromBookmark: options?.startFromBookmark,
  };
  // api_version 1 asks for BOOTSTRAPPED and ERRORED events, as the Go client does.
  return { namespace, type: type.type, id, options: watchOptions, apiVersion: 1 };
}

/**
 * The error an ERRORED event ends a watch with. COSI's stores report a bookmark they no longer
 * know (compacted, or from before a restore) this way; that one is FailedPrecondition, so a
 * caller can tell "start again without the bookmark" from a failure of the server.
 */
function erroredWatch(message: string | undefined, method: string): OmniError {
  const text = message ?? "the watch failed on the server";
  if (text.includes("invalid watch bookmark")) {
    return new FailedPreconditionError(text, { method });
  }
  return new OmniError(Code.Internal, text, { method });
}

export async function* watch<S>(
  state: StateContext,
  type: ResourceType<S>,
  options?: WatchOptions,
): AsyncGenerator<WatchEvent<S>> {
  const request = watchRequest(type, options);
  const method = methodName("watch");
  const scope = openStreamScope(options?.signal);
  try {
    const responses = await openServerStream(state.transport, State.method.watch, request, {
      signal: scope.signal,
      headers: options?.headers,
    });
    for await (const response of responses) {
      // The first response is an empty "ready" marker; events come in the ones after it.
      for (const event of response.event) {
        const bookmark = event.bookmark;
        switch (event.eventType) {
          case EventType.CREATED:
          case EventType.DESTROYED:
            if (event.resource) {
              yield {
                type: event.eventType === EventType.CREATED ? "created" : "destroyed",
                resource: decodeResource(type, event.resource),
                bookmark,
              };
            }
            break;
          case EventType.UPDATED:
            if (event.resource) {
              yield {
                type: "updated",
                resource: decodeResource(type, event.resource),
                old: event.old ? decodeResource(type, event.old) : undefined,
                bookmark,
              };
            }
            break;
          case EventType.BOOTSTRAPPED:
            yield { type: "bootstrapped", bookmark };
            break;
          case EventType.ERRORED:
            throw erroredWatch(event.error, method);
          default:
            // NOOP events carry nothing for the caller.
            break;
        }
      }
    }
  } catch (error) {
    throw toOmniError(error, method);
  } finally {
    scope.close();
  }
}

export async function get<S>(
  state: StateContext,
  type: ResourceType<S>,
  id: string,
  options?: ResourceCallOptions & NamespaceOption,
): Promise<Resource<S>> {
  validateResourceType(type);
  checkResourceOptions(options, lookupOptionKeys);
  const request = {
    namespace: namespaceOf(type, options),
    type: type.type,
    id: validateId(id),
  };
  const call = unaryOptions(state, options);
  return unary("get", async () => {
    const response = await callUnary(state.transport, State.method.get, request, call);
    if (!response.resource) {
      throw new OmniError(Code.Internal, "Omni answered Get without a resource", {
        method: methodName("get"),
      });
    }
    return decodeResource(type, response.resource);
  });
}

/** Collects straight from the stream: no async generator between the messages and the array. */
export async function listAll<S>(
  state: StateContext,
  type: ResourceType<S>,
  options?: ListOptions,
): Promise<Resource<S>[]> {
  const items: Resource<S>[] = [];
  const request = listRequest(type, options);
  const scope = openStreamScope(options?.signal);
  try {
    for await (const response of await openList(state, request, options, scope.signal)) {
      if (response.resource) {
        items.push(decodeResource(type, response.resource));
      }
    }
  } catch (error) {
    throw toOmniError(error, methodName("list"));
  } finally {
    scope.close();
  }
  return items;
}

export async function create<S>(
  state: StateContext,
  type: ResourceType<S>,
  resource: ResourceInput<S>,
  options?: ResourceCallOptions,
): Promise<Resource<S>> {
  validateResourceType(type);
  checkWritable(type, "create", writeNamespace(type, resource));
  checkResourceOptions(options, resourceCallOptionKeys);
  checkCreatedMetadata(resource);
  // COSI marks a resource that was never stored with the version "undefined".
  const message = encodeResource(type, resource, "undefined", "running");
  // Omni's store sets `created` but keeps the `updated` it is sent, as Go's client sends both.
  if (message.metadata) {
    message.metadata.created = message.metadata.updated = timestampNow();
  }
  const request = { resource: message };
  const call = unaryOptions(state, options);
  return unary("create", async () => {
    const response = await callUnary(state.transport, State.method.create, request, call);
    return decodeResource(type, response.resource ?? request.resource);
  });
}

/**
 * A created resource starts at Omni's first version, in the running phase. A version or phase
 * from a resource read earlier is taken, since a copy starts anew, but a phase a new resource
 * cannot have is refused rather than replaced.
 */
function checkCreatedMetadata(resource: ResourceInput<unknown> | undefined): void {
  const metadata: { version?: unknown; phase?: unknown } | undefined = isFieldObject(resource)
    ? resource.metadata
    : undefined;
  if (!isFieldObject(metadata)) {
    return;
  }
  if (metadata.version !== undefined && typeof metadata.version !== "string") {
    throw new ValidationError(
      "resource.metadata.version",
      "must be a string, as read, or left out",
    );
  }
  if (
    metadata.phase !== undefined &&
    validatePhase(metadata.phase, "resource.metadata.phase") !== "running"
  ) {
    throw new ValidationError(
      "resource.metadata.phase",
      'must be "running" or left out: a created resource starts running',
    );
  }
}

export async function update<S>(
  state: StateContext,
  type: ResourceType<S>,
  resource: ResourceInput<S>,
  options?: UpdateOptions,
): Promise<Resource<S>> {
  validateResourceType(type);
  checkWritable(type, "update", writeNamespace(type, resource));
  checkResourceOptions(options, updateOptionKeys);
  const version = resource?.metadata?.version;
  if (typeof version !== "string" || !/^\d+$/.test(version)) {
    throw new ValidationError(
      "resource.metadata.version",
      "must be the version read (a decimal string), so that a concurrent change is detected",
    );
  }
  const phase =
    resource.metadata.phase === undefined
      ? "running"
      : validatePhase(resource.metadata.phase, "resource.metadata.phase");
  // As COSI's Go client does by default: the update applies only to a resource still in the
  // phase it was read in (running when not given), so it cannot revive one being torn down.
  const expectedPhase =
    options?.expectedPhase === undefined
      ? phase
      : validatePhase(options.expectedPhase, "options.expectedPhase");
  const request = {
    newResource: encodeResource(type, resource, version, phase),
    options: { expectedPhase },
  };
  const call = unaryOptions(state, options);
  return unary("update", async () => {
    const response = await callUnary(state.transport, State.method.update, request, call);
    return decodeResource(type, response.resource ?? request.newResource);
  });
}

export async function destroy<S>(
  state: StateContext,
  type: ResourceType<S>,
  id: string,
  options?: ResourceCallOptions & NamespaceOption,
): Promise<void> {
  const request = removalRequest(type, id, options);
  const call = unaryOptions(state, options);
  return unary("destroy", async () => {
    await callUnary(state.transport, State.method.destroy, request, call);
  });
}

export async function teardown<S>(
  state: StateContext,
  type: ResourceType<S>,
  id: string,
  options?: ResourceCallOptions & NamespaceOption,
): Promise<boolean> {
  const request = removalRequest(type, id, options);
  const call = unaryOptions(state, options);
  return unary(
    "teardown",
    async () =>
      (await callUnary(state.transport, State.method.teardown, request, call)).destroyReady,
  );
}

export async function teardownAndDestroy<S>(
  state: StateContext,
  type: ResourceType<S>,
  id: string,
  options?: ResourceCallOptions & NamespaceOption,
): Promise<void> {
  const request = removalRequest(type, id, options);
  const call = unaryOptions(state, options);
  // Real Omni destroys a user-owned resource by itself once it is tearing down and has no
  // finalizers left, often before COSI's own destroy step runs, and the RPC then fails with
  // NotFound although the resource is gone as asked. So the teardown goes first, on its own: a
  // NotFound there means the resource never existed, one after it only that Omni was quicker.
  const ready = await unary("teardown", async () => {
    return (await callUnary(state.transport, State.method.teardown, request, call)).destroyReady;
  });
  try {
    if (ready) {
      await unary("destroy", async () => {
        await callUnary(state.transport, State.method.destroy, request, call);
      });
    } else {
      await unary("teardownAndDestroy", async () => {
        await callUnary(state.transport, State.method.teardownAndDestroy, request, call);
      });
    }
  } catch (error) {
    if (!(error instanceof OmniError && error.code === Code.NotFound)) {
      throw error;
    }
  }
}

const resourcesApiOptionKeys = /*@__PURE__*/ optionKeys<
  NonNullable<Parameters<typeof createResourcesApi>[1]>
>()({
  timeoutMs: true,
});

/**
 * Builds the resources API on a transport, normally one already wrapped with the read-only
 * guard, logging, signing and error mapping (`createOmniTransport`, `client.transport`).
 *
 * No `runtime` metadata is sent: Omni's router serves every call that does not say `runtime: Talos`
 * from its own COSI state, and only ResourceService requires the key (WIRE-CONTRACT §2.1, §2.3).
 * Leaving it out keeps the signed payload identical to `omnictl`'s and saves a header per call.
 */
export function createResourcesApi(
  transport: Transport,
  options: { timeoutMs?: number } = {},
): ResourcesApi {
  checkOptionKeys("options", options, resourcesApiOptionKeys);
  const state = createStateContext(
    transport,
    optionalTimeoutMs("options.timeoutMs", options.timeoutMs),
  );
  return {
    get: (type, id, options) => get(state, type, id, options),
    list: (type, options) => list(state, type, options),
    listAll: (type, options) => listAll(state, type, options),
    watch: (type, options) => watch(state, type, options),
    create: (type, resource, options) => create(state, type, resource, options),
    update: (type, resource, options) => update(state, type, resource, options),
    destroy: (type, id, options) => destroy(state, type, id, options),
    teardown: (type, id, options) => teardown(state, type, id, options),
    teardownAndDestroy: (type, id, options) => teardownAndDestroy(state, type, id, options),
  };
}
