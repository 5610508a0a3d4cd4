import { renderClusters } from "./clusters-view.js";
import { type DashboardConfig, loadConfig } from "./config.js";
import type { ConnectionSettings, TransportKind } from "./connection.js";
import { byId, showMessage } from "./dom.js";
import {
  deleteBrowserKey,
  loadBrowserKey,
  type StoredBrowserKey,
  saveBrowserKey,
} from "./key-store.js";
import { LiveCollection } from "./live-collection.js";
import { LogViewer } from "./log-viewer.js";
import {
  browserKeySession,
  loginWithBrowserKey,
  loginWithServiceAccount,
  type Session,
} from "./login.js";
import { renderMachines } from "./machines-view.js";
import { ClusterStatuses, Clusters, KeyError, MachineLabels, MachineStatuses } from "./sdk.js";

const transportNames: Record<TransportKind, string> = {
  "grpc-web": "gRPC-Web",
  gateway: "gateway",
};

/** How long sign-out waits for Omni to revoke the key before giving up on it. */
const revokeTimeoutMs = 10_000;
/** A stored key this close to its expiry is not restored: it would stop working right away. */
const minimumRestoredLifetimeMs = 60_000;

function errorText(error: unknown): string {
  // A KeyError's own message names the part of the key that is wrong, never the key; the
  // "[InvalidArgument]" prefix of its full message says nothing to someone at a login form.
  if (error instanceof KeyError) {
    return error.rawMessage;
  }
  return error instanceof Error ? error.message : String(error);
}

/** Storage failures cost only the convenience of staying logged in across reloads. */
function warnStorage(action: string): (error: unknown) => void {
  return (error) => console.warn(`dashboard: could not ${action} the browser key`, error);
}

function connectionSettings(): ConnectionSettings {
  return {
    transport: byId<HTMLSelectElement>("transport").value as TransportKind,
    endpoint: byId<HTMLInputElement>("endpoint").value.trim(),
    readOnly: byId<HTMLInputElement>("read-only").checked,
  };
}

/**
 * Shows the live tables for a logged-in session until `signal` aborts (sign-out).
 * `onUnauthenticated` is called when Omni stops accepting the session's key.
 */
function startDashboard(
  session: Session,
  signal: AbortSignal,
  onUnauthenticated: (message: string) => void,
): void {
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
    onUnauthenticated,
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

/** The session of a stored browser key, or why the key cannot be used any more. */
function restoredSession(stored: StoredBrowserKey): Session | string {
  if (stored.expiresAt - Date.now() <= minimumRestoredLifetimeMs) {
    return `The browser key of ${stored.identity} expired: log in again.`;
  }
  try {
    return browserKeySession(stored);
  } catch (error) {
    return `The stored browser key cannot be used: ${errorText(error)}`;
  }
}

async function main(config: DashboardConfig): Promise<void> {
  const login = byId("login");
  const dashboard = byId("dashboard");
  const loginError = byId("login-error");
  const signOut = byId<HTMLButtonElement>("logout");
  const transport = byId<HTMLSelectElement>("transport");
  const endpoint = byId<HTMLInputElement>("endpoint");
  const endpointFor = (kind: string) =>
    kind === "gateway" ? config.gatewayUrl : config.grpcWebUrl;
  endpoint.value = endpointFor(transport.value);
  transport.onchange = () => {
    endpoint.value = endpointFor(transport.value);
  };
  byId<HTMLInputElement>("email").value = config.identity ?? "";

  let active: { session: Session; abort: AbortController } | undefined;
  let pendingLogin: AbortController | undefined;

  const showLogin = (message?: string) => {
    byId("logs").hidden = true;
    byId("session").hidden = true;
    dashboard.hidden = true;
    login.hidden = false;
    showMessage(loginError, message);
  };

  /** Ends the session without asking Omni (it refuses the key anyway) and forgets the key. */
  const leave = (message: string) => {
    if (!active) {
      return;
    }
    if (active.session.browserKey) {
      deleteBrowserKey().catch(warnStorage("delete"));
    }
    active.abort.abort();
    active = undefined;
    showLogin(message);
  };

  const enter = (session: Session) => {
    pendingLogin?.abort();
    const abort = new AbortController();
    active = { session, abort };
    login.hidden = true;
    dashboard.hidden = false;
    byId("session").hidden = false;
    byId("identity").textContent = session.identity;
    byId("transport-badge").textContent = transportNames[session.transport];
    byId("read-only-badge").hidden = !session.client.readOnly;
    startDashboard(session, abort.signal, (message) => {
      // Every watch reports it; the first one ends the session, which stops the others.
      leave(`Omni no longer accepts the key of ${session.identity}: ${message}`);
    });
    const { browserKey } = session;
    if (browserKey) {
      const expiry = setTimeout(
        () => leave(`The browser key of ${session.identity} expired: log in again.`),
        browserKey.expiresAt - Date.now(),
      );
      abort.signal.addEventListener("abort", () => clearTimeout(expiry));
    }
  };

  signOut.onclick = async () => {
    if (!active) {
      return;
    }
    const { session, abort } = active;
    active = undefined;
    abort.abort();
    signOut.disabled = true;
    let message: string | undefined;
    if (session.browserKey && session.revokeBrowserKey) {
      const { expiresAt } = session.browserKey;
      try {
        // Signed with the key itself, as Omni requires; afterwards nothing can sign with it.
        await session.revokeBrowserKey(revokeTimeoutMs);
      } catch (error) {
        message = `Signed out here, but Omni did not revoke the key (it expires ${new Date(expiresAt).toLocaleString()}): ${errorText(error)}`;
      }
      await deleteBrowserKey().catch(warnStorage("delete"));
    }
    signOut.disabled = false;
    showLogin(message);
  };

  const serviceAccountForm = byId<HTMLFormElement>("service-account-login");
  serviceAccountForm.onsubmit = (event) => {
    event.preventDefault();
    showMessage(loginError, undefined);
    const keyField = byId<HTMLTextAreaElement>("service-account-key");
    const submit = byId<HTMLButtonElement>("service-account-submit");
    submit.disabled = true;
    loginWithServiceAccount(connectionSettings(), keyField.value)
      .then(
        (session) => {
          keyField.value = "";
          enter(session);
        },
        (error: unknown) => showMessage(loginError, errorText(error)),
      )
      .finally(() => {
        submit.disabled = false;
      });
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
      async (session) => {
        grant.hidden = true;
        if (session.browserKey) {
          // Stored before the dashboard shows, so that from then on a reload stays logged in.
          await saveBrowserKey(session.browserKey).catch(warnStorage("store"));
        }
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

  const stored = await loadBrowserKey().catch((error: unknown) => {
    warnStorage("read")(error);
    return undefined;
  });
  const restored = stored && restoredSession(stored);
  if (typeof restored === "object") {
    enter(restored);
    return;
  }
  if (stored) {
    deleteBrowserKey().catch(warnStorage("delete"));
  }
  showLogin(restored);
}

loadConfig()
  .then(main)
  .catch((error: unknown) => {
    byId("login").hidden = false;
    showMessage(byId("login-error"), `Cannot start: ${errorText(error)}`);
  });
