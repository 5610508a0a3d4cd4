// `npm run demo`: the emulator with seeded data (its simulated Talos upgrade of "staging" keeps the
// dashboard moving) and the dashboard on a second origin, until Ctrl-C.
import { buildDashboard, dashboardDist } from "../examples/dashboard/build.js";
import { startStaticOrigin } from "../examples/dashboard/static-server.js";
import { defaultUser, startOmniEmulator } from "../src/emulator/index.js";

await buildDashboard();
const dashboard = await startStaticOrigin({ mounts: { "/": dashboardDist } });
const emulator = await startOmniEmulator({ seed: 42, corsOrigins: [dashboard.url] });
dashboard.setDocument(
  "/config.json",
  JSON.stringify({
    grpcWebUrl: emulator.grpcWebUrl,
    gatewayUrl: emulator.gatewayUrl,
    identity: defaultUser.email,
  }),
);

const { admin, operator, reader } = emulator.keys;
console.log(`
Omni emulator with demo data (a local sandbox: these keys are worthless anywhere else)

  dashboard      ${dashboard.url}/
  native gRPC    ${emulator.url}
  gRPC-Web       ${emulator.grpcWebUrl}
  gateway        ${emulator.gatewayUrl}/api/...

Log in on the dashboard with a browser key for ${defaultUser.email} (approve it on the
grant-access page it links to), or paste one of these service-account keys:

  admin (secret)
${admin}

  operator
${operator}

  reader
${reader}

From Node:  OMNI_ENDPOINT=${emulator.url} OMNI_SERVICE_ACCOUNT_KEY=<admin key> npm run demo:node

Press Ctrl-C to stop.`);

let stopping = false;
async function shutdown(): Promise<void> {
  if (stopping) {
    return;
  }
  stopping = true;
  await Promise.all([emulator.close(), dashboard.close()]);
  console.log("\nstopped");
}
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void shutdown();
  });
}
