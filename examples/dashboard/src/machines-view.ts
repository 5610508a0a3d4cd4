import { element } from "./dom.js";
import type { LiveCollection } from "./live-collection.js";
import { type MachineLabel, type MachineStatus, machineRoles } from "./specs.js";

const systemPrefix = "omni.sidero.dev/";
/** System labels worth a glance; the rest (cluster, role, hostname) already have a column. */
const shownSystemLabels = new Set(["arch", "platform", "region", "cores", "mem"]);

function labelChips(status: MachineStatus, userLabels: MachineLabel | undefined): HTMLElement[] {
  const chips: HTMLElement[] = [];
  for (const [key, value] of Object.entries(status.metadata.labels)) {
    const short = key.startsWith(systemPrefix) ? key.slice(systemPrefix.length) : undefined;
    if (short !== undefined && shownSystemLabels.has(short)) {
      chips.push(element("span", { class: "label" }, `${short}: ${value}`));
    }
  }
  for (const [key, value] of Object.entries(userLabels?.metadata.labels ?? {})) {
    chips.push(
      element("span", { class: "label", "data-label": key }, value ? `${key}=${value}` : key),
    );
  }
  return chips;
}

function statusCell(spec: MachineStatus["spec"]): HTMLTableCellElement {
  if (!spec.connected) {
    return element("td", { class: "status status-bad" }, "disconnected");
  }
  if (spec.lastError) {
    return element("td", { class: "status status-bad", title: spec.lastError }, "error");
  }
  return spec.maintenance
    ? element("td", { class: "status status-warn" }, "maintenance")
    : element("td", { class: "status status-good" }, "running");
}

/** One row per machine with its status, cluster, role, Talos version, labels and a logs button. */
export function renderMachines(
  body: HTMLTableSectionElement,
  statuses: LiveCollection<MachineStatus["spec"]>,
  labels: LiveCollection<MachineLabel["spec"]>,
  onShowLogs: (machineId: string, hostname: string) => void,
): number {
  const hostnameOf = (status: MachineStatus) => status.spec.network?.hostname || status.metadata.id;
  const sorted = statuses.values().sort((a, b) => hostnameOf(a).localeCompare(hostnameOf(b)));
  const rows = sorted.map((status) => {
    const id = status.metadata.id;
    const hostname = hostnameOf(status);
    const logs = element("button", { type: "button", class: "show-logs" }, "Logs");
    logs.addEventListener("click", () => onShowLogs(id, hostname));
    return element(
      "tr",
      { "data-machine": id },
      element("td", { title: id }, hostname),
      statusCell(status.spec),
      element("td", {}, status.spec.cluster || "–"),
      element("td", {}, machineRoles[status.spec.role] ?? ""),
      element("td", {}, status.spec.talosVersion),
      element("td", { class: "labels" }, ...labelChips(status, labels.get(id))),
      element("td", {}, logs),
    );
  });
  body.replaceChildren(...rows);
  return rows.length;
}
