import { createHash } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, type HandlerContext } from "@connectrpc/connect";
import { type Node, parse, stringify } from "yaml";
import {
  type BootAssetURLRequest,
  BootAssetURLRequest_BootAssetKind,
  type BootAssetURLResponse,
  BootAssetURLResponseSchema,
  type CreateSchematicFromRawRequest,
  type CreateSchematicRequest,
  CreateSchematicRequest_SiderolinkGRPCTunnelMode,
  type CreateSchematicResponse,
  CreateSchematicResponseSchema,
  SchematicBootloader,
} from "../../gen/omni/management/management_pb.js";
import { callerWithRole, signedCaller } from "../caller.js";
import { requireExactRole } from "../roles.js";
import { tolerantMajorMinor } from "../semver.js";
import { type EmulatorState, invalidArgument } from "../state.js";
import { type GoType, goConstructErrors, parseGoYaml } from "./go-yaml.js";
import { siderolinkKernelArgs } from "./join.js";

const factoryHost = "factory.talos.dev";
const bootloaderNames: Record<SchematicBootloader, string | undefined> = {
  [SchematicBootloader.BOOT_AUTO]: undefined,
  [SchematicBootloader.BOOT_DUAL]: "dual-boot",
  [SchematicBootloader.BOOT_SD]: "sd-boot",
  [SchematicBootloader.BOOT_GRUB]: "grub",
};

/** The roles Omni lets build schematics from raw YAML and boot asset URLs: not Reader or Auditor. */
const schematicRoles = ["InfraProvider", "Operator", "Admin"] as const;

/** Omni reads the version with semver's tolerant parser: `1.10`, `v1.10.6` and `1.11.0-beta.0` all do. */
function checkTalosVersion(text: string): void {
  if (text !== "" && tolerantMajorMinor(text) === undefined) {
    throw invalidArgument("invalid Talos version");
  }
}

/** Like the Image Factory, the schematic ID is the SHA-256 of the schematic's canonical YAML. */
function schematicYamlAndId(schematic: unknown): { schematicYml: string; schematicId: string } {
  const schematicYml = stringify(schematic, { sortMapEntries: true });
  return { schematicYml, schematicId: createHash("sha256").update(schematicYml).digest("hex") };
}

export async function createSchematic(
  state: EmulatorState,
  request: CreateSchematicRequest,
  context: HandlerContext,
): Promise<CreateSchematicResponse> {
  // Creating a schematic is as good as creating a machine, so Omni wants an Operator.
  callerWithRole(context, "Operator");
  checkTalosVersion(request.talosVersion);
  // Omni renders whatever token it is given into the kernel arguments, known or not.
  const tokenId = request.joinToken === "" ? state.defaultJoinTokenId : request.joinToken;
  const grpcTunnel =
    request.siderolinkGrpcTunnelMode === CreateSchematicRequest_SiderolinkGRPCTunnelMode.ENABLED;
  const customization: Record<string, unknown> = {
    extraKernelArgs: [
      ...siderolinkKernelArgs(state, tokenId, grpcTunnel),
      ...request.extraKernelArgs,
    ],
  };
  const meta = Object.entries(request.metaValues).map(([key, value]) => ({
    key: Number(key),
    value,
  }));
  if (meta.length > 0) {
    customization.meta = meta;
  }
  if (request.extensions.length > 0) {
    customization.systemExtensions = {
      officialExtensions: [...new Set(request.extensions)].sort(),
    };
  }
  const bootloader = bootloaderNames[request.bootloader];
  if (bootloader) {
    customization.bootloader = bootloader;
  }
  if (request.embeddedMachineConfig !== "") {
    customization.embeddedMachineConfig = request.embeddedMachineConfig;
  }
  const schematic: Record<string, unknown> = { customization };
  if (request.overlay && request.overlay.image !== "") {
    schematic.overlay = {
      image: request.overlay.image,
      name: request.overlay.name,
      ...(request.overlay.options === "" ? {} : { options: parse(request.overlay.options) }),
    };
  }
  // Current Omni no longer fills in a PXE URL.
  return create(CreateSchematicResponseSchema, {
    ...schematicYamlAndId(schematic),
    grpcTunnelEnabled: grpcTunnel,
  });
}

const stringList = (name: string): GoType => ({ kind: "list", of: { kind: "string" }, name });

/** The Image Factory's `schematic.Schematic`, which Omni decodes a raw schematic into. */
const schematicType: GoType = {
  kind: "struct",
  name: "schematic.Schematic",
  fields: {
    owner: { kind: "string" },
    overlay: {
      kind: "struct",
      name: "schematic.Overlay",
      fields: { image: { kind: "string" }, name: { kind: "string" }, options: { kind: "any-map" } },
    },
    customization: {
      kind: "struct",
      name: "schematic.Customization",
      fields: {
        embeddedMachineConfiguration: { kind: "string" },
        extraKernelArgs: stringList("[]string"),
        meta: {
          kind: "list",
          name: "[]schematic.MetaValue",
          of: {
            kind: "struct",
            name: "schematic.MetaValue",
            fields: { key: { kind: "uint8" }, value: { kind: "string" } },
          },
        },
        systemExtensions: {
          kind: "struct",
          name: "schematic.SystemExtensions",
          fields: { officialExtensions: stringList("[]string") },
        },
        bootloader: { kind: "string" },
        secureboot: {
          kind: "struct",
          name: "schematic.SecureBootCustomization",
          fields: { includeWellKnownCertificates: { kind: "bool" } },
        },
        diskImage: {
          kind: "struct",
          name: "schematic.DiskImageCustomization",
          fields: { sectorSize: { kind: "uint" } },
        },
      },
    },
  },
};

/**
 * Decodes a raw schematic as Omni does before it asks the Image Factory: Go's strict YAML decoder
 * on the first document, whose failures Omni passes on as plain errors (code Unknown).
 */
function unmarshalRawSchematic(text: string): Record<string, unknown> {
  const fail = (reason: string): ConnectError =>
    new ConnectError(`failed to unmarshal raw schematic: ${reason}`, Code.Unknown);
  const parsed = parseGoYaml(text);
  if ("error" in parsed) {
    throw fail(parsed.error);
  }
  const [document] = parsed.documents;
  if (!document) {
    throw fail("EOF");
  }
  const errors = goConstructErrors(document.contents as Node | null, schematicType, parsed.lines);
  if (errors.length > 0) {
    throw fail(`yaml: construct errors:\n  ${errors.join("\n  ")}`);
  }
  const value: unknown = document.toJS();
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
}

export async function createSchematicFromRaw(
  _state: EmulatorState,
  request: CreateSchematicFromRawRequest,
  context: HandlerContext,
): Promise<CreateSchematicResponse> {
  requireExactRole(signedCaller(context).role, schematicRoles);
  checkTalosVersion(request.talosVersion);
  const schematic = unmarshalRawSchematic(new TextDecoder().decode(request.rawSchematic));
  // Omni answers a raw schematic with its ID alone.
  return create(CreateSchematicResponseSchema, {
    schematicId: schematicYamlAndId(schematic).schematicId,
  });
}

const kindPaths: Record<BootAssetURLRequest_BootAssetKind, string | undefined> = {
  [BootAssetURLRequest_BootAssetKind.UNSET]: undefined,
  [BootAssetURLRequest_BootAssetKind.PXE]: "pxe",
  [BootAssetURLRequest_BootAssetKind.ISO]: "iso",
  [BootAssetURLRequest_BootAssetKind.DISK]: "disk",
};

export async function getBootAssetURL(
  state: EmulatorState,
  request: BootAssetURLRequest,
  context: HandlerContext,
): Promise<BootAssetURLResponse> {
  requireExactRole(signedCaller(context).role, schematicRoles);
  const kind = kindPaths[request.bootAssetKind];
  if (!kind) {
    throw invalidArgument(
      `unknown boot asset kind BOOT_ASSET_KIND_${BootAssetURLRequest_BootAssetKind[request.bootAssetKind]}`,
    );
  }
  if (!/^[0-9a-f]{64}$/.test(request.schematicId)) {
    throw invalidArgument(`invalid schematic id "${request.schematicId}"`);
  }
  if (request.talosVersion === "") {
    throw invalidArgument("talos version is required");
  }
  checkTalosVersion(request.talosVersion);
  const version = request.talosVersion.replace(/^v/, "");
  const platform = request.platform === "" ? "metal" : request.platform;
  const architecture = request.architecture === "" ? "amd64" : request.architecture;
  const secureBoot = request.secureBoot ? "-secureboot" : "";
  const base = `${platform}-${architecture}${secureBoot}`;
  const storageKey = `${request.schematicId}/v${version}/${base}`;
  // Without standalone_url the asset is served through Omni's own image proxy.
  const imageBase = request.standaloneUrl ? `https://${factoryHost}` : state.advertisedUrl();
  let url: string;
  if (kind === "pxe") {
    url = request.standaloneUrl
      ? `https://pxe.${factoryHost}/pxe/${storageKey}`
      : `${imageBase}/pxe/${storageKey}`;
  } else if (kind === "iso") {
    url = `${imageBase}/image/${storageKey}.iso`;
  } else {
    url = `${imageBase}/image/${storageKey}.${request.format === "" ? "raw.xz" : request.format}`;
  }
  return create(BootAssetURLResponseSchema, {
    url,
    headers: {},
    imageFactoryHost: factoryHost,
    storageKey,
  });
}
