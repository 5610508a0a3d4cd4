import type { DescMessage, Message, MessageInitShape } from "@bufbuild/protobuf";
import type { GenMessage } from "@bufbuild/protobuf/codegenv2";

/** The phases COSI gives a resource: alive, or being torn down until its finalizers are gone. */
export type ResourcePhase = "running" | "tearingDown";

/** The spec of a type the SDK has no schema for: the bytes and YAML exactly as Omni sent them. */
export interface RawSpec {
  readonly protoSpec: Uint8Array;
  readonly yamlSpec: string;
}

/**
 * A COSI resource type: its type string, the namespace it lives in and how its spec is decoded.
 * The exported descriptors (`Clusters`, `Machines`, ...) carry the generated schema; `rawResourceType`
 * describes any other type, whose spec then stays raw.
 */
export interface ResourceType<S = unknown> {
  /** The full COSI type, e.g. `Clusters.omni.sidero.dev`. */
  readonly type: string;
  /** The namespace Omni keeps the type in (`default`, `ephemeral`, `virtual`, ...). */
  readonly namespace: string;
  /** The spec schema; absent for raw types. */
  readonly schema: DescMessage | undefined;
  /** Carries the spec type for inference only; never set. */
  readonly specType?: S;
}

/** A descriptor the SDK ships, whose spec decodes to the generated message `S`. */
export interface TypedResourceType<S extends Message> extends ResourceType<S> {
  readonly schema: GenMessage<S>;
}

/** Metadata of a stored resource, with timestamps as `Date`s. */
export interface ResourceMetadata {
  readonly namespace: string;
  readonly type: string;
  readonly id: string;
  /** A decimal counter Omni bumps on every write; send it back on `update`. */
  readonly version: string;
  /** The controller that owns the resource; empty for resources users own. */
  readonly owner: string;
  readonly phase: ResourcePhase | string;
  readonly created: Date | undefined;
  readonly updated: Date | undefined;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly finalizers: readonly string[];
}

/** A resource with its spec decoded to the type's message (or `RawSpec` for raw types). */
export interface Resource<S = unknown> {
  readonly metadata: ResourceMetadata;
  readonly spec: S;
  /** Omni's YAML rendering of the spec (display only; compressed fields appear decompressed). */
  readonly yamlSpec: string;
}

/** The spec a write accepts: the decoded message, or a plain object of its fields. */
export type SpecInput<S> = S extends Message ? S | MessageInitShape<GenMessage<S>> : S;

/**
 * What `create` and `update` send. A `Resource` read earlier is accepted as is: the fields Omni
 * sets (`metadata.type`, which must then be the type written, `owner`, `created`, `updated`, and
 * `yamlSpec`) are taken but not sent. Any key not listed here is refused, so a misspelt one
 * (`anotations`) cannot leave its field out unnoticed; on `update`, that would remove it.
 */
export interface ResourceInput<S> {
  readonly metadata: {
    readonly id: string;
    /** Defaults to the type's namespace. */
    readonly namespace?: string;
    /** Required by `update`: the version that was read. */
    readonly version?: string;
    /**
     * The phase the resource was read in (default `running`). `update` writes it back and, unless
     * `expectedPhase` says otherwise, applies only while the stored resource is still in it, so
     * an update never revives a resource being torn down. `create` always starts in `running`.
     */
    readonly phase?: ResourcePhase | string;
    /**
     * Labels, annotations and finalizers replace the stored ones on `update`: what is left out is
     * removed, so update a resource read earlier rather than one written from scratch. Omni's
     * limits apply to labels and annotations: at most 256 of each, keys of 1 to 1024 bytes,
     * values of at most 16 KiB, and no control characters (tabs and line breaks included).
     */
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
    readonly finalizers?: readonly string[];
  };
  readonly spec: SpecInput<S>;
}

/** Per-call options, as on every facade method. */
export interface ResourceCallOptions {
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
  readonly headers?: HeadersInit;
}
