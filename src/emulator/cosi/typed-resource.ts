import {
  create,
  type DescMessage,
  fromBinary,
  type MessageShape,
  toBinary,
} from "@bufbuild/protobuf";
import {
  MetadataSchema,
  type Resource,
  ResourceSchema,
  SpecSchema,
} from "../../gen/v1alpha1/resource_pb.js";
import { specYaml } from "./yaml-spec.js";

/** A resource with its spec in both forms Omni serves: protobuf for clients, YAML for display. */
export function typedResource<Desc extends DescMessage>(
  where: { namespace: string; type: string; id: string; labels?: Record<string, string> },
  schema: Desc,
  spec: MessageShape<Desc>,
): Resource {
  return create(ResourceSchema, {
    metadata: create(MetadataSchema, {
      namespace: where.namespace,
      type: where.type,
      id: where.id,
      labels: where.labels ?? {},
    }),
    spec: create(SpecSchema, {
      protoSpec: toBinary(schema, spec),
      yamlSpec: specYaml(schema, spec),
    }),
  });
}

/** The typed spec of a stored resource; the zero message when there is none. */
export function decodeSpec<Desc extends DescMessage>(
  schema: Desc,
  resource: Resource | undefined,
): MessageShape<Desc> {
  return fromBinary(schema, resource?.spec?.protoSpec ?? new Uint8Array());
}

/**
 * Writes what a controller computed: creates the resource, or replaces its spec and labels when
 * they changed (keeping its version, so the store's conflict check passes).
 */
export function putOwned(
  store: {
    get(namespace: string, type: string, id: string): Resource | undefined;
    create(resource: Resource, options: { owner?: string }): Resource;
    update(resource: Resource, options: { owner?: string }): Resource;
  },
  wanted: Resource,
  owner: string,
): void {
  const meta = wanted.metadata;
  if (!meta) {
    return;
  }
  const current = store.get(meta.namespace, meta.type, meta.id);
  if (!current?.metadata) {
    store.create(wanted, { owner });
    return;
  }
  const labels = (r: Resource) => JSON.stringify(Object.entries(r.metadata?.labels ?? {}).sort());
  if (current.spec?.yamlSpec === wanted.spec?.yamlSpec && labels(current) === labels(wanted)) {
    return;
  }
  store.update(
    create(ResourceSchema, {
      metadata: create(MetadataSchema, { ...current.metadata, labels: meta.labels }),
      spec: wanted.spec,
    }),
    { owner },
  );
}
