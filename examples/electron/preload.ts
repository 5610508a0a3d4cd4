// Electron preload script (a sketch): exposes one narrow, read-only function to the renderer.

/** The two Electron APIs used here, typed locally so the sketch needs no `electron` package. */
interface ElectronPreload {
  contextBridge: { exposeInMainWorld(key: string, api: unknown): void };
  ipcRenderer: { invoke(channel: string): Promise<unknown> };
}

export interface ClusterSummary {
  readonly id: string;
  readonly talosVersion: string;
  readonly kubernetesVersion: string;
}

export function exposeOmni({ contextBridge, ipcRenderer }: ElectronPreload): void {
  contextBridge.exposeInMainWorld("omni", {
    clusters: () => ipcRenderer.invoke("omni:clusters") as Promise<ClusterSummary[]>,
  });
}
