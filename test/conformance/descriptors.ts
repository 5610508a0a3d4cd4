import { createRegistry, type DescField, type Registry, ScalarType } from "@bufbuild/protobuf";
import type { GenFile } from "@bufbuild/protobuf/codegenv2";
import { file_common_common } from "../../src/gen/common/common_pb.js";
import { file_common_omni } from "../../src/gen/common/omni_pb.js";
import { file_google_rpc_code } from "../../src/gen/google/rpc/code_pb.js";
import { file_google_rpc_status } from "../../src/gen/google/rpc/status_pb.js";
import { file_omni_auth_auth } from "../../src/gen/omni/auth/auth_pb.js";
import { file_omni_management_management } from "../../src/gen/omni/management/management_pb.js";
import { file_omni_oidc_oidc } from "../../src/gen/omni/oidc/oidc_pb.js";
import { file_omni_resources_resources } from "../../src/gen/omni/resources/resources_pb.js";
import { file_omni_specs_auth } from "../../src/gen/omni/specs/auth_pb.js";
import { file_omni_specs_ephemeral } from "../../src/gen/omni/specs/ephemeral_pb.js";
import { file_omni_specs_infra } from "../../src/gen/omni/specs/infra_pb.js";
import { file_omni_specs_oidc } from "../../src/gen/omni/specs/oidc_pb.js";
import { file_omni_specs_omni } from "../../src/gen/omni/specs/omni_pb.js";
import { file_omni_specs_siderolink } from "../../src/gen/omni/specs/siderolink_pb.js";
import { file_omni_specs_system } from "../../src/gen/omni/specs/system_pb.js";
import { file_omni_specs_virtual } from "../../src/gen/omni/specs/virtual_pb.js";
import { file_talos_machine_machine } from "../../src/gen/talos/machine/machine_pb.js";
import { file_v1alpha1_meta } from "../../src/gen/v1alpha1/meta_pb.js";
import { file_v1alpha1_resource } from "../../src/gen/v1alpha1/resource_pb.js";
import { file_v1alpha1_state } from "../../src/gen/v1alpha1/state_pb.js";

/** Every file buf generated into `src/gen`, keyed by its import path as the contract names it. */
export const generatedFiles: Record<string, GenFile> = {
  "common/common.proto": file_common_common,
  "common/omni.proto": file_common_omni,
  "google/rpc/code.proto": file_google_rpc_code,
  "google/rpc/status.proto": file_google_rpc_status,
  "omni/auth/auth.proto": file_omni_auth_auth,
  "omni/management/management.proto": file_omni_management_management,
  "omni/oidc/oidc.proto": file_omni_oidc_oidc,
  "omni/resources/resources.proto": file_omni_resources_resources,
  "omni/specs/auth.proto": file_omni_specs_auth,
  "omni/specs/ephemeral.proto": file_omni_specs_ephemeral,
  "omni/specs/infra.proto": file_omni_specs_infra,
  "omni/specs/oidc.proto": file_omni_specs_oidc,
  "omni/specs/omni.proto": file_omni_specs_omni,
  "omni/specs/siderolink.proto": file_omni_specs_siderolink,
  "omni/specs/system.proto": file_omni_specs_system,
  "omni/specs/virtual.proto": file_omni_specs_virtual,
  "talos/machine/machine.proto": file_talos_machine_machine,
  "v1alpha1/meta.proto": file_v1alpha1_meta,
  "v1alpha1/resource.proto": file_v1alpha1_resource,
  "v1alpha1/state.proto": file_v1alpha1_state,
};

export function generatedRegistry(): Registry {
  return createRegistry(...Object.values(generatedFiles));
}

const scalarNames: Record<ScalarType, string> = {
  [ScalarType.DOUBLE]: "double",
  [ScalarType.FLOAT]: "float",
  [ScalarType.INT64]: "int64",
  [ScalarType.UINT64]: "uint64",
  [ScalarType.INT32]: "int32",
  [ScalarType.FIXED64]: "fixed64",
  [ScalarType.FIXED32]: "fixed32",
  [ScalarType.BOOL]: "bool",
  [ScalarType.STRING]: "string",
  [ScalarType.BYTES]: "bytes",
  [ScalarType.UINT32]: "uint32",
  [ScalarType.SFIXED32]: "sfixed32",
  [ScalarType.SFIXED64]: "sfixed64",
  [ScalarType.SINT32]: "sint32",
  [ScalarType.SINT64]: "sint64",
};

/** The field's type written the way contract.json writes it. */
export function contractType(field: DescField): string {
  switch (field.fieldKind) {
    case "scalar":
      return scalarNames[field.scalar];
    case "enum":
      return field.enum.typeName;
    case "message":
      return field.message.typeName;
    case "list":
      switch (field.listKind) {
        case "scalar":
          return scalarNames[field.scalar];
        case "enum":
          return field.enum.typeName;
        case "message":
          return field.message.typeName;
      }
      break;
    case "map": {
      const value =
        field.mapKind === "scalar"
          ? scalarNames[field.scalar]
          : field.mapKind === "enum"
            ? field.enum.typeName
            : field.message.typeName;
      return `map<${scalarNames[field.mapKey]},${value}>`;
    }
  }
}

export function contractLabel(field: DescField): string | undefined {
  if (field.fieldKind === "list") {
    return "repeated";
  }
  return field.proto.proto3Optional ? "optional" : undefined;
}

/** protoc's default JSON name: lowerCamelCase of the field name. */
export function defaultJsonName(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}
