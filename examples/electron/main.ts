// Electron main process (a sketch; not run in CI). The service-account key stays here: the
// renderer asks for data over IPC and never sees it. Import paths in an app:
//   import { Clusters } from "sidero-omni-client";
//   import { createOmniClientFromEnv } from "sidero-omni-client/node";
import { Clusters } from "../../src/index.js";
import { createOmniClientFromEnv } from "../../src/node.js";

/** The two Electron APIs used here, typed locally so the sketch needs no `electron` package. */
interface ElectronMain {
  app: { whenReady(): Promise<void> };
  ipcMain: { handle(channel: string, listener: () => Promise<unknown>): void };
  BrowserWindow: new (options: {
    webPreferences: { preload: string; contextIsolation: boolean; sandbox: boolean };
  }) => { loadFile(path: string): Promise<void> };
}

export async function startMain({ app, ipcMain, BrowserWindow }: ElectronMain): Promise<void> {
  // OMNI_ENDPOINT + OMNI_SERVICE_ACCOUNT_KEY, over native gRPC; readOnly guards every write.
  const omni = createOmniClientFromEnv({ readOnly: true });

  ipcMain.handle("omni:clusters", async () => {
    const clusters = await omni.resources.listAll(Clusters);
    // Plain data crosses the IPC boundary; the client and its key do not.
    return clusters.map((cluster) => ({
      id: cluster.metadata.id,
      talosVersion: cluster.spec.talosVersion,
      kubernetesVersion: cluster.spec.kubernetesVersion,
    }));
  });

  await app.whenReady();
  const window = new BrowserWindow({
    webPreferences: { preload: "preload.js", contextIsolation: true, sandbox: true },
  });
  await window.loadFile("index.html");
}
