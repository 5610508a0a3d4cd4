import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, type HandlerContext } from "@connectrpc/connect";
import { stringify } from "yaml";
import {
  type KubernetesSyncManifestRequest,
  type KubernetesSyncManifestResponse,
  KubernetesSyncManifestResponse_ResponseType,
  KubernetesSyncManifestResponseSchema,
  type KubernetesUpgradePreChecksRequest,
  type KubernetesUpgradePreChecksResponse,
  KubernetesUpgradePreChecksResponseSchema,
} from "../../gen/omni/management/management_pb.js";
import { callerWithRole } from "../caller.js";
import type { CatalogCluster } from "../catalog.js";
import { tolerantMajorMinor } from "../semver.js";
import { clusterFromMetadata, type EmulatorState, invalidArgument } from "../state.js";

/**
 * The cluster a Kubernetes call names. Omni reads a resource of the cluster (or its kubeconfig)
 * and passes the failure on as a plain error, so an unknown cluster is code Unknown with
 * `unknown` as the text.
 */
function requireKnownCluster(
  state: EmulatorState,
  context: HandlerContext,
  unknown: (name: string) => string,
): CatalogCluster {
  const name = clusterFromMetadata(context);
  if (name === undefined) {
    throw new ConnectError("unable to extract request context", Code.InvalidArgument);
  }
  const cluster = state.catalog.clusters.get(name);
  if (!cluster) {
    throw new ConnectError(unknown(name), Code.Unknown);
  }
  return cluster;
}

/**
 * Omni checks the path first and refuses, as an invalid argument, any but a patch or a
 * one-minor step up (go-kubernetes' `IsSupported`); only then does it run the checks whose
 * findings `ok` and `reason` report.
 */
export async function kubernetesUpgradePreChecks(
  state: EmulatorState,
  request: KubernetesUpgradePreChecksRequest,
  context: HandlerContext,
): Promise<KubernetesUpgradePreChecksResponse> {
  callerWithRole(context, "Operator");
  const cluster = requireKnownCluster(
    state,
    context,
    (name) =>
      `failed to get: resource KubernetesUpgradeStatuses.omni.sidero.dev(default/${name}@undefined) doesn't exist`,
  );
  const from = tolerantMajorMinor(cluster.kubernetesVersion);
  const to = tolerantMajorMinor(request.newVersion);
  if (!from || !to) {
    throw invalidArgument(`invalid upgrade path: invalid version "${request.newVersion}"`);
  }
  const supported = from[0] === to[0] && (to[1] === from[1] || to[1] === from[1] + 1);
  if (!supported) {
    throw invalidArgument(`unsupported upgrade path: ${from.join(".")}->${to.join(".")}`);
  }
  return create(KubernetesUpgradePreChecksResponseSchema, { ok: true });
}

interface Manifest {
  path: string;
  object: Record<string, unknown>;
  rollout: boolean;
}

function bootstrapManifests(cluster: string): Manifest[] {
  const labels = { "omni.sidero.dev/cluster": cluster };
  return [
    {
      path: "apps/v1/DaemonSet/kube-system/kube-proxy",
      object: {
        apiVersion: "apps/v1",
        kind: "DaemonSet",
        metadata: { name: "kube-proxy", namespace: "kube-system", labels },
      },
      rollout: true,
    },
    {
      path: "apps/v1/Deployment/kube-system/coredns",
      object: {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "coredns", namespace: "kube-system", labels },
      },
      rollout: true,
    },
    {
      path: "v1/ConfigMap/kube-system/coredns",
      object: {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "coredns", namespace: "kube-system", labels },
      },
      rollout: false,
    },
  ];
}

/**
 * Streams one MANIFEST message per bootstrap manifest, then (for a real run) one ROLLOUT per
 * workload. A real run marks the cluster synced, so later runs report every manifest as skipped.
 */
export async function* kubernetesSyncManifests(
  state: EmulatorState,
  request: KubernetesSyncManifestRequest,
  context: HandlerContext,
): AsyncGenerator<KubernetesSyncManifestResponse> {
  callerWithRole(context, "Operator");
  const cluster = requireKnownCluster(
    state,
    context,
    (name) => `failed to get kubeconfig: kubeconfig for cluster ${name} is not found`,
  );
  const alreadySynced = state.syncedClusters.has(cluster.name);
  const manifests = bootstrapManifests(cluster.name);
  for (const manifest of manifests) {
    const yamlText = stringify(manifest.object);
    yield create(KubernetesSyncManifestResponseSchema, {
      responseType: KubernetesSyncManifestResponse_ResponseType.MANIFEST,
      path: manifest.path,
      object: new TextEncoder().encode(yamlText),
      diff: alreadySynced
        ? ""
        : yamlText
            .split("\n")
            .filter(Boolean)
            .map((line) => `+ ${line}`)
            .join("\n"),
      skipped: alreadySynced,
    });
  }
  if (request.dryRun || alreadySynced) {
    return;
  }
  state.syncedClusters.add(cluster.name);
  for (const manifest of manifests) {
    if (manifest.rollout) {
      yield create(KubernetesSyncManifestResponseSchema, {
        responseType: KubernetesSyncManifestResponse_ResponseType.ROLLOUT,
        path: manifest.path,
      });
    }
  }
}
