import {
  type KubernetesSyncManifestResponse,
  KubernetesSyncManifestResponse_ResponseType,
} from "../gen/omni/management/management_pb.js";

/**
 * One step of a manifest sync: a manifest applied (or, in a dry run, compared), or a rollout
 * being waited for.
 */
export interface ManifestSyncResult {
  readonly type: "manifest" | "rollout" | "unknown";
  readonly path: string;
  /** The Kubernetes object as YAML bytes. */
  readonly object: Uint8Array;
  readonly diff: string;
  readonly skipped: boolean;
}

const types: Record<KubernetesSyncManifestResponse_ResponseType, ManifestSyncResult["type"]> = {
  [KubernetesSyncManifestResponse_ResponseType.UNKNOWN]: "unknown",
  [KubernetesSyncManifestResponse_ResponseType.MANIFEST]: "manifest",
  [KubernetesSyncManifestResponse_ResponseType.ROLLOUT]: "rollout",
};

export function toManifestSyncResult(response: KubernetesSyncManifestResponse): ManifestSyncResult {
  return {
    type: types[response.responseType] ?? "unknown",
    path: response.path,
    object: response.object,
    diff: response.diff,
    skipped: response.skipped,
  };
}
