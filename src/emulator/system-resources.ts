import { create, toBinary } from "@bufbuild/protobuf";
import { stringify } from "yaml";
import { SysVersionSpecSchema } from "../gen/omni/specs/system_pb.js";
import {
  ResourceDefinitionSpec_Sensitivity,
  ResourceDefinitionSpecSchema,
} from "../gen/v1alpha1/meta_pb.js";
import { MetadataSchema, ResourceSchema, SpecSchema } from "../gen/v1alpha1/resource_pb.js";
import type { CosiStore } from "./cosi/index.js";
import { specYaml } from "./cosi/index.js";
import { resourceDefinitionFacts } from "./resource-definitions.js";
import { formatOmniVersion, type OmniVersion, parseOmniVersion } from "./versions.js";

/** The newest Omni release the emulator's API models; what it reports when it serves `main`. */
const newestRelease = "1.10.4";

/**
 * Omni's backend API version (`internal/version/api.go`), which omnictl compares with its own and
 * refuses to work on a mismatch: 1 until Omni v1.5.0 ("bump API version to 2 as old CLI is no
 * longer 100% compatible"), 2 since.
 */
function backendApiVersion(version: OmniVersion): number {
  return version.major > 1 || (version.major === 1 && version.minor >= 5) ? 2 : 1;
}

function put(
  store: CosiStore,
  namespace: string,
  type: string,
  id: string,
  spec: { protoSpec: Uint8Array; yamlSpec: string },
  owner?: string,
): void {
  store.create(
    create(ResourceSchema, {
      metadata: create(MetadataSchema, { namespace, type, id }),
      spec: create(SpecSchema, spec),
    }),
    { owner },
  );
}

/**
 * `SysVersions.system.sidero.dev` `ephemeral/current`, which Omni creates at start and omnictl
 * reads before every command, to start its login and to check API compatibility.
 */
function seedSysVersion(store: CosiStore, omniVersion: OmniVersion): void {
  const served = formatOmniVersion(omniVersion);
  const reported = served === "main" ? newestRelease : served;
  const spec = create(SysVersionSpecSchema, {
    backendVersion: `v${reported}`,
    instanceName: "omni-emulator",
    backendApiVersion: backendApiVersion(parseOmniVersion(reported) ?? omniVersion),
  });
  put(store, "ephemeral", "SysVersions.system.sidero.dev", "current", {
    protoSpec: toBinary(SysVersionSpecSchema, spec),
    yamlSpec: specYaml(SysVersionSpecSchema, spec),
  });
}

/**
 * The `ResourceDefinitions.meta.cosi.dev` of every type Omni registers, in the `meta`
 * namespace, owned by `meta`, as COSI's registry creates them. omnictl resolves the type a user
 * names (`omnictl get clusters`) through their aliases and prints their columns.
 */
function seedResourceDefinitions(store: CosiStore): void {
  for (const fact of resourceDefinitionFacts) {
    const spec = create(ResourceDefinitionSpecSchema, {
      resourceType: fact.type,
      displayType: fact.displayType,
      defaultNamespace: fact.defaultNamespace,
      aliases: fact.aliases,
      allAliases: fact.allAliases,
      printColumns: fact.printColumns,
      sensitivity: fact.sensitive
        ? ResourceDefinitionSpec_Sensitivity.SENSITIVE
        : ResourceDefinitionSpec_Sensitivity.NON_SENSITIVE,
    });
    // COSI writes the Go struct's YAML, not the proto message's.
    const yamlSpec = stringify({
      type: fact.type,
      displayType: fact.displayType,
      defaultNamespace: fact.defaultNamespace,
      aliases: fact.aliases,
      allAliases: fact.allAliases,
      printColumns: fact.printColumns,
      ...(fact.sensitive ? { sensitivity: "sensitive" } : {}),
    });
    put(
      store,
      "meta",
      "ResourceDefinitions.meta.cosi.dev",
      fact.type.toLowerCase(),
      { protoSpec: toBinary(ResourceDefinitionSpecSchema, spec), yamlSpec },
      "meta",
    );
  }
}

/** What a real Omni has in its state from the start, besides users' data. */
export function seedSystemResources(store: CosiStore, omniVersion: OmniVersion): void {
  seedSysVersion(store, omniVersion);
  seedResourceDefinitions(store);
}
