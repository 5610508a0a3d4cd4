// `npm run demo:node`: the SDK from Node. Against OMNI_ENDPOINT + OMNI_SERVICE_ACCOUNT_KEY when set
// (for example the emulator of `npm run demo`), otherwise against an emulator started here.
// In an application the imports are "sidero-omni-client" and "sidero-omni-client/node".

import { type OmniEmulator, startOmniEmulator } from "../../src/emulator/index.js";
import { Clusters, MachineStatuses, type OmniClient, rawResourceType } from "../../src/index.js";
import { createOmniClientFromEnv } from "../../src/node.js";

/** Join tokens are COSI resources; Omni deletes them through the State API, as `omnictl` does. */
const JoinTokens = rawResourceType("JoinTokens.omni.sidero.dev");

async function run(client: OmniClient): Promise<void> {
  const clusters = await client.resources.listAll(Clusters);
  console.log("clusters:", clusters.map((cluster) => cluster.metadata.id).join(", "));

  const [first] = clusters;
  if (first) {
    const kubeconfig = await client.management.kubeconfig({ cluster: first.metadata.id });
    // A kubeconfig holds credentials: show its size, never its content.
    console.log(`kubeconfig of ${first.metadata.id}: ${kubeconfig.length} bytes`);
  }

  const token = await client.management.createJoinToken({
    name: "demo-node",
    expirationTime: new Date(Date.now() + 60 * 60 * 1000),
  });
  console.log(`join token created: ${token.name}`);
  // Omni keeps a finalizer on join tokens: a bare destroy would be refused.
  await client.resources.teardownAndDestroy(JoinTokens, token.id);
  console.log("join token destroyed");

  const machines = await client.resources.listAll(MachineStatuses);
  const machine = machines.find((status) => status.spec.connected);
  if (machine) {
    console.log(`last 10 log lines of ${machine.spec.network?.hostname || machine.metadata.id}:`);
    for await (const line of client.management.machineLogLines({
      machineId: machine.metadata.id,
      tailLines: 10,
    })) {
      console.log(`  ${line}`);
    }
  }
}

let emulator: OmniEmulator | undefined;
const fromEnvironment = Boolean(process.env.OMNI_ENDPOINT);
if (!fromEnvironment) {
  emulator = await startOmniEmulator({ seed: 42 });
  console.log(`no OMNI_ENDPOINT set: using an emulator at ${emulator.url}`);
}
try {
  const client = emulator
    ? createOmniClientFromEnv({
        env: { OMNI_ENDPOINT: emulator.url, OMNI_SERVICE_ACCOUNT_KEY: emulator.keys.admin },
      })
    : createOmniClientFromEnv();
  await run(client);
} finally {
  await emulator?.close();
}
