import { create, fromBinary, type Message, toBinary } from "@bufbuild/protobuf";
import { ResourceSchema, SpecSchema } from "../../gen/v1alpha1/resource_pb.js";
import type { SpecType } from "./resource-types.js";
import type { CosiStore } from "./store.js";
import { specYaml } from "./yaml-spec.js";

/** Rewrites one stored spec the way its controller would, bumping the version. */
export function changeSpec<S extends Message>(
  store: CosiStore,
  type: SpecType<S>,
  id: string,
  change: (spec: S) => void,
): void {
  store.modify(type.namespace, type.type, id, (resource) => {
    const spec = fromBinary(type.schema, resource.spec?.protoSpec ?? new Uint8Array());
    change(spec);
    return create(ResourceSchema, {
      metadata: resource.metadata,
      spec: create(SpecSchema, {
        protoSpec: toBinary(type.schema, spec),
        yamlSpec: specYaml(type.schema, spec),
      }),
    });
  });
}
