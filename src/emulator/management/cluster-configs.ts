import { randomBytes } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import type { Duration } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type HandlerContext } from "@connectrpc/connect";
import { stringify } from "yaml";
import {
  type KubeconfigRequest,
  type KubeconfigResponse,
  KubeconfigResponseSchema,
  type OmniconfigResponse,
  OmniconfigResponseSchema,
  type TalosconfigRequest,
  type TalosconfigResponse,
  TalosconfigResponseSchema,
} from "../../gen/omni/management/management_pb.js";
import { callerWithRole, signedCaller } from "../caller.js";
import {
  clusterFromMetadata,
  type EmulatorState,
  invalidArgument,
  requireCluster,
} from "../state.js";

const grantTypes = new Set(["", "auto", "authcode", "authcode-keyboard"]);
const instanceName = "omni-emulator";
const encoder = new TextEncoder();
const nanosPerSecond = 1_000_000_000n;
// Omni's ServiceAccountTokenLifetime (ten years of 365 days), which it prints as a Go duration.
const maxServiceAccountTtlNanos = 10n * 365n * 24n * 3600n * nanosPerSecond;
const maxServiceAccountTtlText = "87600h0m0s";

function validateServiceAccountTtl(ttl: Duration | undefined): void {
  if (ttl === undefined) {
    throw invalidArgument("service account ttl is not set");
  }
  const nanos = ttl.seconds * nanosPerSecond + BigInt(ttl.nanos);
  if (nanos <= 0n) {
    throw invalidArgument("service account ttl is must be positive");
  }
  if (nanos > maxServiceAccountTtlNanos) {
    throw invalidArgument(
      `service account ttl is too long (max allowed: ${maxServiceAccountTtlText})`,
    );
  }
}

function breakGlassUnavailable(): never {
  throw new ConnectError(
    "break-glass configs are disabled on this instance",
    Code.FailedPrecondition,
  );
}

export async function kubeconfig(
  state: EmulatorState,
  request: KubeconfigRequest,
  context: HandlerContext,
): Promise<KubeconfigResponse> {
  const caller = callerWithRole(context, request.serviceAccount ? "Operator" : "Reader");
  if (request.breakGlass) {
    callerWithRole(context, "Admin");
    breakGlassUnavailable();
  }
  if (!grantTypes.has(request.grantType)) {
    throw invalidArgument(`unsupported grant type "${request.grantType}"`);
  }
  const cluster = requireCluster(state, clusterFromMetadata(context));
  const server = `${state.advertisedUrl()}/kubernetes/${cluster.name}`;
  const contextName = `${instanceName}-${cluster.name}`;
  let user: Record<string, unknown>;
  let userName: string;
  if (request.serviceAccount) {
    if (request.serviceAccountUser === "") {
      throw invalidArgument("service account user name is required");
    }
    validateServiceAccountTtl(request.serviceAccountTtl);
    userName = `${contextName}-${request.serviceAccountUser}`;
    user = { token: randomBytes(24).toString("base64url") };
  } else {
    userName = `${contextName}-${caller.email}`;
    const args = [
      "oidc-login",
      "get-token",
      `--oidc-issuer-url=${state.advertisedUrl()}/oidc`,
      "--oidc-client-id=native",
      `--oidc-extra-scope=cluster:${cluster.name}`,
    ];
    if (request.grantType !== "" && request.grantType !== "auto") {
      args.push(`--grant-type=${request.grantType}`);
    }
    user = {
      exec: { apiVersion: "client.authentication.k8s.io/v1beta1", command: "kubectl", args },
    };
  }
  const document = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: contextName, cluster: { server } }],
    contexts: [
      {
        name: contextName,
        context: { cluster: contextName, namespace: "default", user: userName },
      },
    ],
    "current-context": contextName,
    users: [{ name: userName, user }],
  };
  return create(KubeconfigResponseSchema, { kubeconfig: encoder.encode(stringify(document)) });
}

export async function talosconfig(
  state: EmulatorState,
  request: TalosconfigRequest,
  context: HandlerContext,
): Promise<TalosconfigResponse> {
  const caller = callerWithRole(context, "Reader");
  if (request.breakGlass) {
    callerWithRole(context, "Admin");
    breakGlassUnavailable();
  }
  const clusterName = clusterFromMetadata(context);
  if (request.raw && clusterName === undefined) {
    throw invalidArgument("cluster name is required");
  }
  const cluster = clusterName === undefined ? undefined : requireCluster(state, clusterName);
  const contextName = cluster ? `${instanceName}-${cluster.name}` : instanceName;
  const endpoint = state.grpcUrl();
  const entry: Record<string, unknown> = {
    endpoints: [endpoint],
    auth: { siderov1: { identity: caller.email } },
  };
  if (cluster) {
    entry.cluster = cluster.name;
  }
  if (request.raw) {
    entry.nodes = cluster
      ? state.catalog.machinesOf(cluster.name).map((machine) => machine.hostname)
      : [];
  }
  const document = { context: contextName, contexts: { [contextName]: entry } };
  return create(TalosconfigResponseSchema, { talosconfig: encoder.encode(stringify(document)) });
}

export async function omniconfig(
  state: EmulatorState,
  context: HandlerContext,
): Promise<OmniconfigResponse> {
  const caller = signedCaller(context);
  const document = {
    contexts: {
      [instanceName]: { url: state.grpcUrl(), auth: { siderov1: { identity: caller.email } } },
    },
    context: instanceName,
  };
  return create(OmniconfigResponseSchema, { omniconfig: encoder.encode(stringify(document)) });
}
