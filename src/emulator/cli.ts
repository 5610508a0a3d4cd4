#!/usr/bin/env node
import { parseArgs } from "node:util";
import { defaultUser, startOmniEmulator } from "./emulator.js";
import { EmulatorOptionError } from "./option-check.js";
import type { OmniEmulatorOptions } from "./options.js";

const usage = `Usage: omni-emulator [options]

Runs a local SideroLabs Omni emulator for offline development and tests.

  --port <n>           native gRPC (HTTP/2 cleartext) port (default 8099; 0 = any free port)
  --http-port <n>      gRPC-Web, Connect and /api/ gateway port (default: --port + 1, or any when --port is 0)
  --host <host>        interface to listen on (default 127.0.0.1)
  --seed <n>           same keys, machine IDs and fault decisions on every start
  --omni-version <v>   API version to serve, e.g. 1.2 (default: current)
  --cors-origin <url>  allow browser calls from this origin (repeatable; default: any origin)
  --no-simulation      keep the seeded Talos upgrade still instead of advancing it every 5 s
  --omnictl-home <dir> write an omnictl home for admin@example.org into <dir> (an omniconfig and a
                       confirmed PGP key, rewritten on every start): HOME=<dir> omnictl get clusters
  --print-keys         print the base64 service-account keys (secrets: keep them out of logs)
  -h, --help           show this help
`;

function integer(value: string | undefined, name: string): number | undefined {
  if (value === undefined) {
    return undefined;
  }
  if (!/^-?\d+$/.test(value)) {
    throw new EmulatorOptionError(name, `must be an integer, got "${value}"`);
  }
  return Number(value);
}

/** A path as a POSIX shell reads it back: bare when it is plain, single-quoted otherwise. */
function shellQuote(path: string): string {
  return /^[\w@%+=:,./-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string" },
      "http-port": { type: "string" },
      host: { type: "string" },
      seed: { type: "string" },
      "omni-version": { type: "string" },
      "cors-origin": { type: "string", multiple: true },
      "print-keys": { type: "boolean", default: false },
      "no-simulation": { type: "boolean", default: false },
      "omnictl-home": { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(usage);
    return;
  }
  const port = integer(values.port, "--port") ?? 8099;
  const options: OmniEmulatorOptions = {
    port,
    httpPort: integer(values["http-port"], "--http-port") ?? (port === 0 ? 0 : port + 1),
    host: values.host,
    seed: integer(values.seed, "--seed"),
    omniVersion: values["omni-version"],
    corsOrigins: values["cors-origin"] ?? "*",
    simulation: !values["no-simulation"],
    omnictlHome: values["omnictl-home"],
  };
  const emulator = await startOmniEmulator(options);
  // Installed before the banner, so that a Ctrl-C right after it is never missed.
  let stopping = false;
  const stop = (): void => {
    if (stopping) {
      return;
    }
    stopping = true;
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  const lines = [
    `Omni emulator (API ${emulator.omniVersion}) is running.`,
    `  gRPC (HTTP/2):      ${emulator.url}`,
    `  gRPC-Web, Connect:  ${emulator.grpcWebUrl}`,
    `  JSON gateway:       ${emulator.gatewayUrl}/api/<package.Service>/<Method>`,
    `  Sign-in identity:   ${defaultUser.email} (${defaultUser.role}); key confirmations at ${emulator.gatewayUrl}/authenticate`,
  ];
  const home = emulator.omnictlHome;
  if (home) {
    lines.push(
      `omnictl home for ${home.identity} (key valid until ${home.expiresAt.toISOString()}):`,
      `  HOME=${shellQuote(home.dir)} omnictl get clusters`,
      `  createOmniClientFromOmniconfig({ homeDir: ${JSON.stringify(home.dir)} })`,
    );
  }
  if (values["print-keys"]) {
    lines.push(
      "Service-account keys (OMNI_SERVICE_ACCOUNT_KEY):",
      `  admin:    ${emulator.keys.admin}`,
      `  operator: ${emulator.keys.operator}`,
      `  reader:   ${emulator.keys.reader}`,
    );
  }
  lines.push("Press Ctrl-C to stop.");
  process.stdout.write(`${lines.join("\n")}\n`);
}

main().catch((error: unknown) => {
  const message =
    error instanceof EmulatorOptionError
      ? error.rawMessage
      : error instanceof Error
        ? error.message
        : String(error);
  process.stderr.write(`omni-emulator: ${message}\n`);
  process.exit(2);
});
