import {
  create,
  type DescMessage,
  fromBinary,
  isMessage,
  type JsonValue,
  type Message,
  toBinary,
  toJson,
} from "@bufbuild/protobuf";
import { base64Encode } from "@bufbuild/protobuf/wire";
import { timestampDate } from "@bufbuild/protobuf/wkt";

import { ValidationError } from "../errors.js";
import {
  MetadataSchema,
  type Resource as ResourceMessage,
  ResourceSchema,
  SpecSchema,
} from "../gen/v1alpha1/resource_pb.js";
import { checkOptionKeys, optionKeys } from "../option-keys.js";
import { isFieldObject, optionalStringList } from "../validation.js";
import { checkSpecFields } from "./spec-check.js";
import type {
  RawSpec,
  Resource,
  ResourceInput,
  ResourceMetadata,
  ResourcePhase,
  ResourceType,
} from "./types.js";
import { validateId, validateMetadataMap, validateNamespace } from "./validate.js";

const emptyBytes = new Uint8Array(0);

/**
 * A resource as `get`, `list` and `watch` return it. Its `toJSON` writes the spec as protobuf
 * JSON: a plain `JSON.stringify` of a decoded message would fail on its 64-bit integers and
 * spell bytes as objects.
 */
class DecodedResource<S> implements Resource<S> {
  readonly #schema: DescMessage | undefined;

  constructor(
    readonly metadata: ResourceMetadata,
    readonly spec: S,
    readonly yamlSpec: string,
    schema: DescMessage | undefined,
  ) {
    this.#schema = schema;
  }

  toJSON(): { metadata: ResourceMetadata; spec: JsonValue; yamlSpec: string } {
    const spec = this.#schema
      ? toJson(this.#schema, this.spec as Message)
      : { protoSpec: base64Encode((this.spec as RawSpec).protoSpec), yamlSpec: this.yamlSpec };
    return { metadata: this.metadata, spec, yamlSpec: this.yamlSpec };
  }
}

/** Decodes the envelope Omni sent into a `Resource` with its spec decoded to the type's message. */
export function decodeResource<S>(type: ResourceType<S>, message: ResourceMessage): Resource<S> {
  const meta = message.metadata;
  const protoSpec = message.spec?.protoSpec ?? emptyBytes;
  const yamlSpec = message.spec?.yamlSpec ?? "";
  const metadata: ResourceMetadata = {
    namespace: meta?.namespace ?? "",
    type: meta?.type ?? "",
    id: meta?.id ?? "",
    version: meta?.version ?? "",
    owner: meta?.owner ?? "",
    phase: meta?.phase ?? "",
    created: meta?.created ? timestampDate(meta.created) : undefined,
    updated: meta?.updated ? timestampDate(meta.updated) : undefined,
    labels: meta?.labels ?? {},
    annotations: meta?.annotations ?? {},
    finalizers: meta?.finalizers ?? [],
  };
  const spec = (
    type.schema ? fromBinary(type.schema, protoSpec) : ({ protoSpec, yamlSpec } satisfies RawSpec)
  ) as S;
  return new DecodedResource(metadata, spec, yamlSpec, type.schema);
}

function encodeSpec<S>(type: ResourceType<S>, spec: unknown): Uint8Array {
  const { schema } = type;
  if (!schema) {
    const raw = spec as Partial<RawSpec> | null;
    if (typeof raw !== "object" || raw === null || !(raw.protoSpec instanceof Uint8Array)) {
      throw new ValidationError(
        "resource.spec",
        `${type.type} has no known schema; pass { protoSpec: Uint8Array }`,
      );
    }
    return raw.protoSpec;
  }
  if (typeof spec !== "object" || spec === null) {
    throw new ValidationError(
      "resource.spec",
      `must be a ${schema.typeName} message or its fields`,
    );
  }
  if (isMessage(spec) && !isMessage(spec, schema)) {
    throw new ValidationError(
      "resource.spec",
      `is a ${(spec as Message).$typeName}, but ${type.type} takes ${schema.typeName}`,
    );
  }
  if (!isMessage(spec)) {
    checkSpecFields(schema, spec, "resource.spec");
  }
  try {
    const message = isMessage(spec, schema)
      ? spec
      : create(schema, spec as Record<string, unknown>);
    return toBinary(schema, message);
  } catch (error) {
    throw new ValidationError(
      "resource.spec",
      `cannot be encoded as ${schema.typeName}: ${(error as Error).message}`,
    );
  }
}

/**
 * Builds the envelope a write sends: metadata plus `proto_spec`, which is what Omni decodes. COSI
 * parses `version` and `phase` of every resource it is sent and refuses an empty phase.
 *
 * Every key of the resource and of its metadata must be known: a misspelt `anotations` would
 * otherwise be left out, and an update would remove the stored annotations. The keys Omni sets
 * (`type`, `owner`, `created`, `updated`) are taken, so a resource read earlier can be written
 * back, but are not sent: Omni keeps its own.
 */
export function encodeResource<S>(
  type: ResourceType<S>,
  input: ResourceInput<S>,
  version: string,
  phase: ResourcePhase,
): ResourceMessage {
  if (!isFieldObject(input) || !isFieldObject(input.metadata)) {
    throw new ValidationError("resource", "must be { metadata: { id, ... }, spec }");
  }
  checkOptionKeys("resource", input, resourceInputKeys);
  // A resource read earlier carries Omni's YAML rendering of its spec; only the spec is sent.
  const { yamlSpec } = input as { yamlSpec?: unknown };
  if (yamlSpec !== undefined && typeof yamlSpec !== "string") {
    throw new ValidationError("resource.yamlSpec", "must be a string, as read, or left out");
  }
  const { metadata } = input;
  checkOptionKeys("resource.metadata", metadata, resourceMetadataKeys);
  checkReadOnlyMetadata(type, metadata);
  const id = validateId(metadata.id, "resource.metadata.id");
  const namespace =
    metadata.namespace === undefined
      ? type.namespace
      : validateNamespace(metadata.namespace, "resource.metadata.namespace");
  const labels = validateMetadataMap(metadata.labels, "resource.metadata.labels");
  const annotations = validateMetadataMap(metadata.annotations, "resource.metadata.annotations");
  const finalizers = optionalStringList("resource.metadata.finalizers", metadata.finalizers) ?? [];
  const protoSpec = encodeSpec(type, input.spec);
  return create(ResourceSchema, {
    metadata: create(MetadataSchema, {
      namespace,
      type: type.type,
      id,
      version,
      phase,
      labels: { ...labels },
      annotations: { ...annotations },
      finalizers,
    }),
    spec: create(SpecSchema, { protoSpec }),
  });
}

/** The keys a written resource may have: its input's, and the `yamlSpec` of one read earlier. */
const resourceInputKeys = /*@__PURE__*/ optionKeys<
  ResourceInput<unknown> & Pick<Resource, "yamlSpec">
>()({
  metadata: true,
  spec: true,
  yamlSpec: true,
});

/** The metadata keys of a written resource: its input's, and those of metadata read earlier. */
const resourceMetadataKeys = /*@__PURE__*/ optionKeys<
  ResourceInput<unknown>["metadata"] & ResourceMetadata
>()({
  id: true,
  namespace: true,
  version: true,
  phase: true,
  labels: true,
  annotations: true,
  finalizers: true,
  type: true,
  owner: true,
  created: true,
  updated: true,
});

/** The metadata Omni sets must at least be what a read gives, and of this very type. */
function checkReadOnlyMetadata(type: ResourceType, metadata: Record<string, unknown>): void {
  const { type: typeName, owner, created, updated } = metadata;
  if (typeName !== undefined && typeName !== type.type) {
    throw new ValidationError(
      "resource.metadata.type",
      `must be ${type.type}, the type written, or left out`,
    );
  }
  if (owner !== undefined && typeof owner !== "string") {
    throw new ValidationError("resource.metadata.owner", "must be a string, as read, or left out");
  }
  for (const [key, value] of [
    ["created", created],
    ["updated", updated],
  ] as const) {
    if (value !== undefined && !(value instanceof Date)) {
      throw new ValidationError(
        `resource.metadata.${key}`,
        "must be a Date, as read, or left out; Omni sets it",
      );
    }
  }
}
