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
import { omniconfigYaml } from "../omnictl-home.js";
import {
  clusterFromMetadata,
  type EmulatorState,
  invalidArgument,
  resourceNotFound,
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

/** Omni's answer to break-glass and raw configs, which it serves only with a feature flag or a debug build. */
function breakGlassNotAllowed(): never {
  throw new ConnectError("not allowed", Code.PermissionDenied);
}

/** The kubectl oidc-login options Omni adds for a grant type and a token cache directory. */
function oidcLoginOptions(request: KubeconfigRequest, cluster: string, identity: string): string[] {
  const options: string[] = [];
  if (request.grantType !== "") {
    if (!grantTypes.has(request.grantType)) {
      throw invalidArgument(`invalid grant type "${request.grantType}"`);
    }
    options.push(`grant-type=${request.grantType}`, "oidc-redirect-url=urn:ietf:wg:oauth:2.0:oob");
  }
  let cacheDir = request.oidcCacheBaseDir;
  if (request.oidcCacheIsolation) {
    const base = cacheDir === "" ? "~/.kube/cache/oidc-login" : cacheDir.replace(/\/+$/, "");
    cacheDir = `${base}/${instanceName}-${cluster}-${identity}`;
  }
  if (cacheDir !== "") {
    options.push(`token-cache-dir=${cacheDir}`);
  }
  return options;
}

/** A kubeconfig of one cluster, context and user, as Omni's templates write them. */
function kubeconfigDocument(
  server: string,
  clusterName: string,
  userName: string,
  user: Record<string, unknown>,
): Uint8Array {
  const document = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: clusterName, cluster: { server } }],
    contexts: [
      {
        name: clusterName,
        context: { cluster: clusterName, namespace: "default", user: userName },
      },
    ],
    "current-context": clusterName,
    users: [{ name: userName, user }],
  };
  return encoder.encode(stringify(document));
}

export async function kubeconfig(
  state: EmulatorState,
  request: KubeconfigRequest,
  context: HandlerContext,
): Promise<KubeconfigResponse> {
  if (request.breakGlass) {
    callerWithRole(context, "Admin");
    breakGlassNotAllowed();
  }
  const caller = callerWithRole(context, request.serviceAccount ? "Operator" : "Reader");
  const clusterName = clusterFromMetadata(context);
  const server = `${state.advertisedUrl()}/kubernetes/${clusterName ?? ""}`;
  if (request.serviceAccount) {
    if (clusterName === undefined) {
      throw invalidArgument("cluster name is not in context");
    }
    if (request.serviceAccountUser === "") {
      throw invalidArgument("service account user name is not set");
    }
    validateServiceAccountTtl(request.serviceAccountTtl);
    // Omni signs the token with the cluster's UUID, so the cluster must exist.
    if (!state.catalog.clusters.has(clusterName)) {
      throw new ConnectError(
        `failed to get cluster UUID: ${resourceNotFound("ClusterUUIDs.omni.sidero.dev", clusterName).rawMessage}`,
        Code.Unknown,
      );
    }
    const name = `${instanceName}-${clusterName}-${request.serviceAccountUser}`;
    const token = randomBytes(24).toString("base64url");
    return create(KubeconfigResponseSchema, {
      kubeconfig: kubeconfigDocument(server, name, name, { token }),
    });
  }
  // Omni fills in its OIDC template from the name it was given, without looking the cluster up.
  const cluster = clusterName ?? "";
  const args = [
    "oidc-login",
    "get-token",
    `--oidc-issuer-url=${state.advertisedUrl()}/oidc`,
    "--oidc-client-id=native",
    `--oidc-extra-scope=cluster:${cluster}`,
    ...oidcLoginOptions(request, cluster, caller.email).map((option) => `--${option}`),
  ];
  // Omni's OIDC template, field for field: kubectl rejects an exec block whose apiVersion it
  // does not know, and v1 is what Omni writes.
  const user = {
    exec: {
      apiVersion: "client.authentication.k8s.io/v1",
      args,
      command: "kubectl",
      env: null,
      interactiveMode: "IfAvailable",
      provideClusterInfo: false,
    },
  };
  const contextName = `${instanceName}-${cluster}`;
  return create(KubeconfigResponseSchema, {
    kubeconfig: kubeconfigDocument(server, contextName, `${contextName}-${caller.email}`, user),
  });
}

export async function talosconfig(
  state: EmulatorState,
  request: TalosconfigRequest,
  context: HandlerContext,
): Promise<TalosconfigResponse> {
  const caller = callerWithRole(context, request.breakGlass ? "Admin" : "Reader");
  if (request.raw || request.breakGlass) {
    breakGlassNotAllowed();
  }
  // Omni names the cluster it was given; the Talos API proxy checks it when the config is used.
  const clusterName = clusterFromMetadata(context);
  const contextName = clusterName ? `${instanceName}-${clusterName}` : instanceName;
  const entry: Record<string, unknown> = {
    endpoints: [state.grpcUrl()],
    auth: { siderov1: { identity: caller.email } },
  };
  if (clusterName) {
    entry.cluster = clusterName;
  }
  const document = { context: contextName, contexts: { [contextName]: entry } };
  return create(TalosconfigResponseSchema, { talosconfig: encoder.encode(stringify(document)) });
}

export async function omniconfig(
  state: EmulatorState,
  context: HandlerContext,
): Promise<OmniconfigResponse> {
  const caller = signedCaller(context);
  return create(OmniconfigResponseSchema, {
    omniconfig: encoder.encode(omniconfigYaml(state.grpcUrl(), caller.email)),
  });
}
