import { Code } from "@connectrpc/connect";
import { OmniError, ValidationError } from "../errors.js";
import type { ConfigPatchSpec } from "../gen/omni/specs/omni_pb.js";
import type { Resource } from "./types.js";

/**
 * A config patch Omni stored zstd-compressed with its own dictionary, whose text Omni's YAML
 * rendering did not carry either.
 */
export class CompressedConfigPatchError extends OmniError {
  override name = "CompressedConfigPatchError";
  readonly patchId: string;
  constructor(patchId: string) {
    super(
      Code.Unimplemented,
      `config patch ${patchId} is stored zstd-compressed with Omni's dictionary (config.1.zdict), ` +
        "which this SDK does not ship a decoder for, and its yamlSpec holds no text to fall back on; " +
        "read it with omnictl or from Omni's UI",
    );
    this.patchId = patchId;
  }
}

/**
 * The YAML of a config patch. Small patches carry it in `data`. Omni compresses patches of 2 KiB
 * and more into `compressed_data` with a zstd dictionary that is not available here, so for those
 * the text comes from `yamlSpec`, where Omni renders the patch decompressed.
 */
export async function configPatchYaml(patch: Resource<ConfigPatchSpec>): Promise<string> {
  if (
    typeof patch !== "object" ||
    patch === null ||
    patch.spec?.$typeName !== "specs.ConfigPatchSpec"
  ) {
    throw new ValidationError("patch", "must be a resource read with the ConfigPatches type");
  }
  if (patch.spec.data !== "" || patch.spec.compressedData.length === 0) {
    return patch.spec.data;
  }
  if (patch.yamlSpec !== "") {
    // Loaded only here, so dashboards that never meet a compressed patch do not ship a YAML parser.
    const { parse } = await import("./yaml-parse.js");
    const rendered: unknown = parse(patch.yamlSpec);
    if (
      typeof rendered === "object" &&
      rendered !== null &&
      "data" in rendered &&
      typeof rendered.data === "string"
    ) {
      return rendered.data;
    }
  }
  throw new CompressedConfigPatchError(patch.metadata.id);
}
