/** What the server of the dashboard tells it about Omni (`config.json` beside index.html). */
export interface DashboardConfig {
  /** Base URL for `createGrpcWebTransport` (a gRPC-Web proxy in front of Omni, or the emulator). */
  readonly grpcWebUrl: string;
  /** Origin for `createGatewayTransport` (`/api/...` is appended). */
  readonly gatewayUrl: string;
  /** Pre-filled e-mail for the browser-key login. */
  readonly identity?: string;
}

function isConfig(value: unknown): value is DashboardConfig {
  const candidate = value as Partial<DashboardConfig> | null;
  return (
    typeof candidate === "object" &&
    candidate !== null &&
    typeof candidate.grpcWebUrl === "string" &&
    typeof candidate.gatewayUrl === "string" &&
    (candidate.identity === undefined || typeof candidate.identity === "string")
  );
}

export async function loadConfig(): Promise<DashboardConfig> {
  const response = await fetch(new URL("config.json", document.baseURI));
  if (!response.ok) {
    throw new Error(`config.json: HTTP ${response.status}`);
  }
  const config: unknown = await response.json();
  if (!isConfig(config)) {
    throw new Error("config.json must have grpcWebUrl and gatewayUrl");
  }
  return config;
}
