import { element } from "./dom.js";
import type { LiveCollection } from "./live-collection.js";
import { type Cluster, type ClusterStatus, clusterPhases } from "./specs.js";

function phaseCell(status: ClusterStatus | undefined): HTMLTableCellElement {
  if (!status) {
    return element("td", { class: "status status-warn" }, "pending");
  }
  const phase = clusterPhases[status.spec.phase] ?? "unknown";
  const tone = status.spec.ready ? "good" : status.spec.phase === 3 ? "warn" : "bad";
  return element("td", { class: `status status-${tone}` }, phase);
}

/** One row per cluster, its spec joined with the status Omni's controller writes. */
export function renderClusters(
  body: HTMLTableSectionElement,
  clusters: LiveCollection<Cluster["spec"]>,
  statuses: LiveCollection<ClusterStatus["spec"]>,
): number {
  const rows = clusters.values().map((cluster) => {
    const status = statuses.get(cluster.metadata.id);
    const machines = status?.spec.machines;
    return element(
      "tr",
      { "data-cluster": cluster.metadata.id },
      element("td", {}, cluster.metadata.id),
      phaseCell(status),
      element("td", {}, status?.spec.ready ? "yes" : "no"),
      element("td", {}, machines ? `${machines.healthy}/${machines.total} healthy` : "–"),
      element("td", {}, status?.spec.talosVersion || cluster.spec.talosVersion),
      element("td", {}, status?.spec.kubernetesVersion || cluster.spec.kubernetesVersion),
    );
  });
  body.replaceChildren(...rows);
  return rows.length;
}
