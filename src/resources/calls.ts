// The entry `sidero-omni-client/resources`: each resource call as a function of its own, taking
// the transport of `createOmniTransport` first, so that an app's bundle holds only the calls it
// makes. `client.resources` offers the same calls as methods.
import { type OmniTransport, requireOmniTransport } from "../omni-transport.js";
import type { ListOptions, NamespaceOption, UpdateOptions, WatchOptions } from "./api.js";
import * as state from "./api.js";
import type { Resource, ResourceCallOptions, ResourceInput, ResourceType } from "./types.js";
import type { WatchEvent } from "./watch-event.js";

// The transport applies its own default deadline to unary calls.
const stateOn = (transport: OmniTransport) =>
  state.createStateContext(requireOmniTransport(transport), undefined);

export async function get<S>(
  transport: OmniTransport,
  type: ResourceType<S>,
  id: string,
  options?: ResourceCallOptions & NamespaceOption,
): Promise<Resource<S>> {
  return state.get(stateOn(transport), type, id, options);
}

/** Streams the resources one by one as Omni sends them. A wrong transport throws at once. */
export function list<S>(
  transport: OmniTransport,
  type: ResourceType<S>,
  options?: ListOptions,
): AsyncIterable<Resource<S>> {
  return state.list(stateOn(transport), type, options);
}

/** Collects `list` into an array. */
export async function listAll<S>(
  transport: OmniTransport,
  type: ResourceType<S>,
  options?: ListOptions,
): Promise<Resource<S>[]> {
  return state.listAll(stateOn(transport), type, options);
}

/** Created, updated and destroyed events until `signal` aborts. A wrong transport throws at once. */
export function watch<S>(
  transport: OmniTransport,
  type: ResourceType<S>,
  options?: WatchOptions,
): AsyncIterable<WatchEvent<S>> {
  return state.watch(stateOn(transport), type, options);
}

export async function create<S>(
  transport: OmniTransport,
  type: ResourceType<S>,
  resource: ResourceInput<S>,
  options?: ResourceCallOptions,
): Promise<Resource<S>> {
  return state.create(stateOn(transport), type, resource, options);
}

/** Writes `resource`, whose `metadata.version` must be the version read. */
export async function update<S>(
  transport: OmniTransport,
  type: ResourceType<S>,
  resource: ResourceInput<S>,
  options?: UpdateOptions,
): Promise<Resource<S>> {
  return state.update(stateOn(transport), type, resource, options);
}

export async function destroy<S>(
  transport: OmniTransport,
  type: ResourceType<S>,
  id: string,
  options?: ResourceCallOptions & NamespaceOption,
): Promise<void> {
  return state.destroy(stateOn(transport), type, id, options);
}

/** Starts tearing the resource down; resolves to whether it can be destroyed right away. */
export async function teardown<S>(
  transport: OmniTransport,
  type: ResourceType<S>,
  id: string,
  options?: ResourceCallOptions & NamespaceOption,
): Promise<boolean> {
  return state.teardown(stateOn(transport), type, id, options);
}

/** Tears down, waits for the finalizers to go, then destroys (Omni v1.8.0 and later). */
export async function teardownAndDestroy<S>(
  transport: OmniTransport,
  type: ResourceType<S>,
  id: string,
  options?: ResourceCallOptions & NamespaceOption,
): Promise<void> {
  return state.teardownAndDestroy(stateOn(transport), type, id, options);
}
