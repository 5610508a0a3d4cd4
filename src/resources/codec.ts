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
import { checkSpecFields } from "./spec-check.js";
import type {
  RawSpec,
  Resource,
  ResourceInput,
  ResourceMetadata,
  ResourcePhase,
  ResourceType,
} from "./types.js";
import { validateId, validateNamespace, validateStringRecord } from "./validate.js";

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
 */
export function encodeResource<S>(
  type: ResourceType<S>,
  input: ResourceInput<S>,
  version: string,
  phase: ResourcePhase,
): ResourceMessage {
  if (
    typeof input !== "object" ||
    input === null ||
    typeof input.metadata !== "object" ||
    input.metadata === null
  ) {
    throw new ValidationError("resource", "must be { metadata: { id, ... }, spec }");
  }
  const { metadata } = input;
  const id = validateId(metadata.id, "resource.metadata.id");
  const namespace =
    metadata.namespace === undefined
      ? type.namespace
      : validateNamespace(metadata.namespace, "resource.metadata.namespace");
  const labels = validateStringRecord(metadata.labels, "resource.metadata.labels");
  const annotations = validateStringRecord(metadata.annotations, "resource.metadata.annotations");
  const finalizers = metadata.finalizers ?? [];
  if (!Array.isArray(finalizers) || finalizers.some((f) => typeof f !== "string" || f === "")) {
    throw new ValidationError(
      "resource.metadata.finalizers",
      "must be a list of non-empty strings",
    );
  }
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
      finalizers: [...finalizers],
    }),
    spec: create(SpecSchema, { protoSpec }),
  });
}
