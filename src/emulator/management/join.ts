import { randomBytes } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { HandlerContext } from "@connectrpc/connect";
import { stringify } from "yaml";
import {
  AuditLogEventType,
  type CreateJoinTokenRequest,
  type CreateJoinTokenResponse,
  CreateJoinTokenResponseSchema,
  type GetMachineJoinConfigRequest,
  type GetMachineJoinConfigResponse,
  GetMachineJoinConfigResponseSchema,
} from "../../gen/omni/management/management_pb.js";
import { callerWithRole } from "../caller.js";
import { joinTokenResource, joinTokenTypes } from "../join-tokens.js";
import { type EmulatorState, invalidArgument } from "../state.js";

/** Omni's MaxJoinTokenNameLength, which it counts in bytes. */
const maxJoinTokenNameBytes = 16;

/** Omni's SideroLink addresses for machine events and kernel logs. */
const eventSink = "[fdae:41e4:649b:9303::1]:8090";
const logSink = "tcp://[fdae:41e4:649b:9303::1]:8092";

function siderolinkApiUrl(state: EmulatorState, tokenId: string, grpcTunnel: boolean): string {
  const url = new URL(state.advertisedUrl());
  url.searchParams.set("jointoken", tokenId);
  if (grpcTunnel) {
    url.searchParams.set("grpc_tunnel", "true");
  }
  return url.toString();
}

export function siderolinkKernelArgs(
  state: EmulatorState,
  tokenId: string,
  grpcTunnel: boolean,
): string[] {
  return [
    `siderolink.api=${siderolinkApiUrl(state, tokenId, grpcTunnel)}`,
    `talos.events.sink=${eventSink}`,
    `talos.logging.kernel=${logSink}`,
  ];
}

export function newJoinTokenId(): string {
  return randomBytes(32).toString("base64url");
}

export async function getMachineJoinConfig(
  state: EmulatorState,
  request: GetMachineJoinConfigRequest,
  context: HandlerContext,
): Promise<GetMachineJoinConfigResponse> {
  callerWithRole(context, "Reader");
  // Omni renders whatever token it is given, known or not; a machine with a bad one is refused
  // when it tries to join.
  const tokenId = request.joinToken === "" ? state.defaultJoinTokenId : request.joinToken;
  const documents = [
    {
      apiVersion: "v1alpha1",
      kind: "SideroLinkConfig",
      apiUrl: siderolinkApiUrl(state, tokenId, request.useGrpcTunnel),
    },
    { apiVersion: "v1alpha1", kind: "EventSinkConfig", endpoint: eventSink },
    { apiVersion: "v1alpha1", kind: "KmsgLogConfig", name: "omni-kmsg", url: logSink },
  ];
  return create(GetMachineJoinConfigResponseSchema, {
    kernelArgs: siderolinkKernelArgs(state, tokenId, request.useGrpcTunnel),
    config: documents.map((document) => stringify(document)).join("---\n"),
  });
}

export async function createJoinToken(
  state: EmulatorState,
  request: CreateJoinTokenRequest,
  context: HandlerContext,
): Promise<CreateJoinTokenResponse> {
  const caller = callerWithRole(context, "Admin");
  if (request.name === "") {
    throw invalidArgument("token name cannot be empty");
  }
  if (Buffer.byteLength(request.name, "utf8") > maxJoinTokenNameBytes) {
    throw invalidArgument(`token name cannot be longer than ${maxJoinTokenNameBytes} symbols`);
  }
  // Omni stores the expiration time as given, even one in the past.
  const expiration = request.expirationTime ? timestampDate(request.expirationTime) : undefined;
  const id = newJoinTokenId();
  state.joinTokens.set(id, { id, name: request.name, expiration });
  // Omni's internal actor writes the token; its status comes from the status controller.
  state.store.create(joinTokenResource(id, request.name, expiration));
  state.auditLog.append({
    timestampMs: state.now().getTime(),
    eventType: AuditLogEventType.CREATE,
    resourceType: joinTokenTypes.token,
    resourceId: request.name,
    clusterId: "",
    actor: caller.email,
    role: caller.role,
  });
  return create(CreateJoinTokenResponseSchema, { id });
}
