import { createHash } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import type { HandlerContext } from "@connectrpc/connect";
import { parse, stringify } from "yaml";
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
import { callerWithRole } from "../caller.js";
import { type EmulatorState, invalidArgument, resourceNotFound } from "../state.js";
import { joinTokenExists, siderolinkKernelArgs } from "./join.js";

const factoryHost = "factory.talos.dev";
const defaultTalosVersion = "1.10.6";
const bootloaderNames: Record<SchematicBootloader, string | undefined> = {
  [SchematicBootloader.BOOT_AUTO]: undefined,
  [SchematicBootloader.BOOT_DUAL]: "dual-boot",
  [SchematicBootloader.BOOT_SD]: "sd-boot",
  [SchematicBootloader.BOOT_GRUB]: "grub",
};

function talosVersion(text: string): string {
  const version = text.replace(/^v/, "");
  if (version !== "" && !/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(version)) {
    throw invalidArgument(`invalid talos version "${text}"`);
  }
  return version === "" ? defaultTalosVersion : version;
}

/** Like the Image Factory, the schematic ID is the SHA-256 of the schematic's canonical YAML. */
function schematicResponse(
  schematic: unknown,
  version: string,
  grpcTunnel: boolean,
): CreateSchematicResponse {
  const schematicYml = stringify(schematic, { sortMapEntries: true });
  const schematicId = createHash("sha256").update(schematicYml).digest("hex");
  return create(CreateSchematicResponseSchema, {
    schematicId,
    pxeUrl: `https://pxe.${factoryHost}/pxe/${schematicId}/v${version}/metal-amd64`,
    grpcTunnelEnabled: grpcTunnel,
    schematicYml,
  });
}

export async function createSchematic(
  state: EmulatorState,
  request: CreateSchematicRequest,
  context: HandlerContext,
): Promise<CreateSchematicResponse> {
  callerWithRole(context, "Reader");
  const version = talosVersion(request.talosVersion);
  const tokenId = request.joinToken === "" ? state.defaultJoinTokenId : request.joinToken;
  if (!joinTokenExists(state, tokenId)) {
    throw resourceNotFound("JoinTokens.omni.sidero.dev", tokenId);
  }
  const grpcTunnel =
    request.siderolinkGrpcTunnelMode === CreateSchematicRequest_SiderolinkGRPCTunnelMode.ENABLED;
  const customization: Record<string, unknown> = {
    extraKernelArgs: [
      ...request.extraKernelArgs,
      ...siderolinkKernelArgs(state, tokenId, grpcTunnel),
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
    customization.systemExtensions = { officialExtensions: [...request.extensions].sort() };
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
  return schematicResponse(schematic, version, grpcTunnel);
}

export async function createSchematicFromRaw(
  _state: EmulatorState,
  request: CreateSchematicFromRawRequest,
  context: HandlerContext,
): Promise<CreateSchematicResponse> {
  callerWithRole(context, "Reader");
  const version = talosVersion(request.talosVersion);
  let schematic: unknown;
  try {
    schematic = parse(new TextDecoder().decode(request.rawSchematic));
  } catch (error) {
    throw invalidArgument(
      `failed to parse schematic: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (typeof schematic !== "object" || schematic === null || Array.isArray(schematic)) {
    throw invalidArgument("failed to parse schematic: the schematic must be a YAML mapping");
  }
  return schematicResponse(schematic, version, false);
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
  callerWithRole(context, "Reader");
  const kind = kindPaths[request.bootAssetKind];
  if (!kind) {
    throw invalidArgument("boot asset kind is required");
  }
  if (!/^[0-9a-f]{64}$/.test(request.schematicId)) {
    throw invalidArgument(`invalid schematic id "${request.schematicId}"`);
  }
  if (request.talosVersion === "") {
    throw invalidArgument("talos version is required");
  }
  const version = talosVersion(request.talosVersion);
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
