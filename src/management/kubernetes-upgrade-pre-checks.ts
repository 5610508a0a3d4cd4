/** Whether a cluster can be upgraded to a Kubernetes version, and why not if it cannot. */
export interface KubernetesUpgradePreChecks {
  readonly ok: boolean;
  /** Empty when `ok`. */
  readonly reason: string;
}
