// `npm run omni:real [-- --release v1.7.0]`: a real Omni on loopback for manual testing and for
// the suites run against it.
// Prints OMNI_ENDPOINT and OMNI_SERVICE_ACCOUNT_KEY on lines of their own once Omni answers, and
// runs until SIGINT or SIGTERM, when it stops Omni and removes its state and its TUN device.
import { parseArgs } from "node:util";
import { HarnessError } from "./harness-error.js";
import { defaultOmniRelease, isOmniRelease, omniReleases } from "./interop-tools.js";
import { startRealOmni } from "./real-omni.js";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      release: { type: "string", default: process.env.OMNI_RELEASE ?? defaultOmniRelease },
    },
    strict: true,
  });
  const release = values.release ?? defaultOmniRelease;
  if (!isOmniRelease(release)) {
    throw new HarnessError(
      "read the arguments",
      `--release must be one of ${omniReleases.join(", ")}, got "${release}"`,
    );
  }
  const omni = await startRealOmni({
    release,
    onStep: (step) => process.stderr.write(`real Omni: ${step}\n`),
  });
  process.stdout.write(
    [
      `OMNI_VERSION=${omni.version}`,
      `OMNI_ENDPOINT=${omni.endpoint}`,
      `OMNI_GRPC_WEB_URL=${omni.grpcWebUrl}`,
      `OMNI_SERVICE_ACCOUNT_KEY=${omni.serviceAccountKey}`,
      `OMNI_IDENTITY_PROVIDER=${omni.identityProvider.issuerUrl}`,
      `OMNI_IDENTITY_PROVIDER_CA=${omni.identityProvider.caFile}`,
      "",
    ].join("\n"),
  );
  process.stderr.write(`real Omni: running from ${omni.stateDir}; Ctrl-C stops it\n`);
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) {
      return;
    }
    stopping = true;
    process.stderr.write(`real Omni: ${signal}, stopping\n`);
    await omni.stop();
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof HarnessError ? error.message : `real Omni: ${String(error)}`}\n`,
  );
  process.exit(1);
});
