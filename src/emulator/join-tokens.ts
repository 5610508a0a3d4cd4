import { create, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import { timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  DefaultJoinTokenSpecSchema,
  JoinTokenSpecSchema,
  JoinTokenStatusSpec_State,
  JoinTokenStatusSpecSchema,
} from "../gen/omni/specs/siderolink_pb.js";
import type { Resource } from "../gen/v1alpha1/resource_pb.js";
import type { CosiStore } from "./cosi/store.js";
import { decodeSpec, putOwned, typedResource } from "./cosi/typed-resource.js";

/** The COSI types of Omni's join tokens; all of them live in the `default` namespace. */
export const joinTokenTypes = {
  token: "JoinTokens.omni.sidero.dev",
  status: "JoinTokenStatuses.omni.sidero.dev",
  defaultToken: "DefaultJoinTokens.omni.sidero.dev",
} as const;
const namespace = "default";
/** Omni's DefaultJoinTokenID. */
const defaultTokenId = "default";
const statusOwner = "JoinTokenStatusController";
/** Omni's auth.LabelTokenActive, set on the status of a token machines may join with. */
const activeLabel = "omni.sidero.dev/active-join-token";

function resource<Desc extends DescMessage>(
  type: string,
  id: string,
  schema: Desc,
  spec: MessageShape<Desc>,
  labels: Record<string, string> = {},
): Resource {
  return typedResource({ namespace, type, id, labels }, schema, spec);
}

/** A `JoinTokens` resource as Omni stores one: its ID is the token itself. */
export function joinTokenResource(
  id: string,
  name: string,
  expiration: Date | undefined,
): Resource {
  return resource(
    joinTokenTypes.token,
    id,
    JoinTokenSpecSchema,
    create(JoinTokenSpecSchema, {
      name,
      expirationTime: expiration ? timestampFromDate(expiration) : undefined,
    }),
  );
}

/**
 * Creates the initial join token and the `DefaultJoinTokens` resource naming it, as Omni's
 * SideroLink manager does on its first start.
 */
export function seedJoinTokens(store: CosiStore, tokenId: string): void {
  store.create(
    resource(
      joinTokenTypes.defaultToken,
      defaultTokenId,
      DefaultJoinTokenSpecSchema,
      create(DefaultJoinTokenSpecSchema, { tokenId }),
    ),
  );
  store.create(joinTokenResource(tokenId, "initial token", undefined));
}

function statusOf(token: Resource, defaultId: string, now: Date): Resource {
  const spec = decodeSpec(JoinTokenSpecSchema, token);
  const id = token.metadata?.id ?? "";
  const expired = spec.expirationTime !== undefined && timestampDate(spec.expirationTime) < now;
  const state = spec.revoked
    ? JoinTokenStatusSpec_State.REVOKED
    : expired
      ? JoinTokenStatusSpec_State.EXPIRED
      : JoinTokenStatusSpec_State.ACTIVE;
  return resource(
    joinTokenTypes.status,
    id,
    JoinTokenStatusSpecSchema,
    create(JoinTokenStatusSpecSchema, {
      state,
      isDefault: id === defaultId,
      // No machine joins the emulator over SideroLink, so no token is in use.
      useCount: 0n,
      expirationTime: spec.expirationTime,
      name: spec.name,
    }),
    state === JoinTokenStatusSpec_State.ACTIVE ? { [activeLabel]: "" } : {},
  );
}

/**
 * Omni's JoinTokenStatusController: keeps one `JoinTokenStatuses` resource per join token (its
 * state, name, expiration and whether it is the default), which `omnictl jointoken list` reads.
 * Runs until the returned function is called.
 */
export function startJoinTokenStatusController(store: CosiStore): () => void {
  let timer: NodeJS.Timeout | undefined;
  let scheduled = false;

  const reconcile = (): void => {
    scheduled = false;
    const now = store.now();
    const defaultToken = store.get(namespace, joinTokenTypes.defaultToken, defaultTokenId);
    const defaultId = decodeSpec(DefaultJoinTokenSpecSchema, defaultToken).tokenId;
    const tokens = store.list(namespace, joinTokenTypes.token);
    let nextExpiry = Number.POSITIVE_INFINITY;
    for (const token of tokens) {
      putOwned(store, statusOf(token, defaultId, now), statusOwner);
      const expiration = decodeSpec(JoinTokenSpecSchema, token).expirationTime;
      const at = expiration ? timestampDate(expiration).getTime() : Number.NaN;
      if (at > now.getTime()) {
        nextExpiry = Math.min(nextExpiry, at);
      }
    }
    const live = new Set(tokens.map((token) => token.metadata?.id));
    for (const status of store.list(namespace, joinTokenTypes.status)) {
      if (!live.has(status.metadata?.id)) {
        store.destroy(namespace, joinTokenTypes.status, status.metadata?.id ?? "", {
          owner: statusOwner,
        });
      }
    }
    // Like the controller's requeue: a token turns EXPIRED on its own when its time comes.
    clearTimeout(timer);
    timer = Number.isFinite(nextExpiry)
      ? setTimeout(reconcile, Math.min(nextExpiry - now.getTime() + 10, 2 ** 31 - 1)).unref()
      : undefined;
  };
  // A write's own events are delivered while the store is mid-write: reconcile right after it,
  // before the caller's response leaves.
  const schedule = (): void => {
    if (!scheduled) {
      scheduled = true;
      queueMicrotask(reconcile);
    }
  };
  const unsubscribe = [
    store.subscribe(namespace, joinTokenTypes.token, schedule),
    store.subscribe(namespace, joinTokenTypes.defaultToken, schedule),
  ];
  reconcile();
  return () => {
    clearTimeout(timer);
    for (const each of unsubscribe) {
      each();
    }
  };
}
