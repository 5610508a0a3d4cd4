import { renderClusters } from "./clusters-view.js";
import { type DashboardConfig, loadConfig } from "./config.js";
import { byId, showMessage } from "./dom.js";
import { LiveCollection } from "./live-collection.js";
import { LogViewer } from "./log-viewer.js";
import {
  type ConnectionSettings,
  loginWithBrowserKey,
  loginWithServiceAccount,
  type Session,
  type TransportKind,
} from "./login.js";
import { renderMachines } from "./machines-view.js";
import { ClusterStatuses, Clusters, MachineLabels, MachineStatuses } from "./sdk.js";

const transportNames: Record<TransportKind, string> = {
  "grpc-web": "gRPC-Web",
  gateway: "gateway",
};

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function connectionSettings(): ConnectionSettings {
  return {
    transport: byId<HTMLSelectElement>("transport").value as TransportKind,
    endpoint: byId<HTMLInputElement>("endpoint").value.trim(),
    readOnly: byId<HTMLInputElement>("read-only").checked,
  };
}

/** Shows the live tables for a logged-in session until `signal` aborts (logout). */
function startDashboard(session: Session, signal: AbortSignal): void {
  const { resources } = session.client;
  const streamError = byId("stream-error");
  const logViewer = new LogViewer(byId<HTMLPreElement>("log-lines"), (message) =>
    showMessage(streamError, message),
  );
  signal.addEventListener("abort", () => logViewer.stop());

  let renderQueued = false;
  const events = {
    onChange: () => {
      if (!renderQueued) {
        renderQueued = true;
        requestAnimationFrame(render);
      }
    },
    onError: (message: string | undefined) => showMessage(streamError, message),
  };
  const clusters = new LiveCollection(Clusters, resources, signal, events);
  const clusterStatuses = new LiveCollection(ClusterStatuses, resources, signal, events);
  const machineStatuses = new LiveCollection(MachineStatuses, resources, signal, events);
  const machineLabels = new LiveCollection(MachineLabels, resources, signal, events);

  const showLogs = (machineId: string, hostname: string) => {
    byId("logs").hidden = false;
    byId("log-machine").textContent = hostname;
    logViewer.follow(session.client, machineId);
  };
  byId("log-stop").onclick = () => logViewer.stop();

  function render(): void {
    renderQueued = false;
    if (signal.aborted) {
      return;
    }
    const clusterTable = byId<HTMLTableElement>("clusters");
    const machineTable = byId<HTMLTableElement>("machines");
    const clusterCount = renderClusters(
      clusterTable.tBodies[0] as HTMLTableSectionElement,
      clusters,
      clusterStatuses,
    );
    const machineCount = renderMachines(
      machineTable.tBodies[0] as HTMLTableSectionElement,
      machineStatuses,
      machineLabels,
      showLogs,
    );
    byId("cluster-count").textContent = String(clusterCount);
    byId("machine-count").textContent = String(machineCount);
    // Lets tests (and anyone curious) see when the first full picture is on screen.
    clusterTable.dataset.loaded = String(clusters.loaded && clusterStatuses.loaded);
    machineTable.dataset.loaded = String(machineStatuses.loaded && machineLabels.loaded);
  }
}

function main(config: DashboardConfig): void {
  const login = byId("login");
  const dashboard = byId("dashboard");
  const loginError = byId("login-error");
  const transport = byId<HTMLSelectElement>("transport");
  const endpoint = byId<HTMLInputElement>("endpoint");
  const endpointFor = (kind: string) =>
    kind === "gateway" ? config.gatewayUrl : config.grpcWebUrl;
  endpoint.value = endpointFor(transport.value);
  transport.onchange = () => {
    endpoint.value = endpointFor(transport.value);
  };
  byId<HTMLInputElement>("email").value = config.identity ?? "";

  let sessionAbort: AbortController | undefined;
  let pendingLogin: AbortController | undefined;

  const enter = (session: Session) => {
    sessionAbort = new AbortController();
    login.hidden = true;
    dashboard.hidden = false;
    byId("session").hidden = false;
    byId("identity").textContent = session.identity;
    byId("transport-badge").textContent = transportNames[session.transport];
    byId("read-only-badge").hidden = !session.client.readOnly;
    startDashboard(session, sessionAbort.signal);
    byId("logout").onclick = () => {
      sessionAbort?.abort();
      if (session.publicKeyId) {
        // Best effort: the key expires by itself anyway.
        session.client.auth.revokePublicKey(session.publicKeyId).catch(() => undefined);
      }
      byId("logs").hidden = true;
      byId("session").hidden = true;
      dashboard.hidden = true;
      login.hidden = false;
    };
  };

  byId<HTMLFormElement>("service-account-login").onsubmit = (event) => {
    event.preventDefault();
    showMessage(loginError, undefined);
    const keyField = byId<HTMLTextAreaElement>("service-account-key");
    try {
      const session = loginWithServiceAccount(connectionSettings(), keyField.value);
      keyField.value = "";
      enter(session);
    } catch (error) {
      showMessage(loginError, errorText(error));
    }
  };

  byId<HTMLFormElement>("key-login").onsubmit = (event) => {
    event.preventDefault();
    showMessage(loginError, undefined);
    pendingLogin?.abort();
    const abort = new AbortController();
    pendingLogin = abort;
    const grant = byId("grant");
    const email = byId<HTMLInputElement>("email").value.trim();
    loginWithBrowserKey(
      connectionSettings(),
      email,
      (url) => {
        byId<HTMLAnchorElement>("grant-link").href = url;
        grant.hidden = false;
      },
      abort.signal,
    ).then(
      (session) => {
        grant.hidden = true;
        enter(session);
      },
      (error: unknown) => {
        grant.hidden = true;
        if (!abort.signal.aborted) {
          showMessage(loginError, errorText(error));
        }
      },
    );
  };

  login.hidden = false;
}

loadConfig().then(main, (error: unknown) => {
  const loginError = byId("login-error");
  byId("login").hidden = false;
  showMessage(loginError, `Cannot start: ${errorText(error)}`);
});
