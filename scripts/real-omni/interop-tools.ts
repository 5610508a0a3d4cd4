import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { delimiter, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { HarnessError } from "./harness-error.js";

/** The project's Go module: where the real Omni, omnictl and our Go helpers are built from. */
export const interopDir = resolve(fileURLToPath(new URL("../../interop", import.meta.url)));

/** Built binaries live beside the module (ignored by git); the Go caches stay where Go keeps them. */
export const interopBinDir = join(interopDir, "bin");

/**
 * The Omni releases the project builds, each from a Go module of its own: v1.9.3, the newest one
 * the Go module proxy serves here (it refuses v1.9.4 and later), and v1.7.0 for the
 * compatibility table.
 */
export const omniReleases = ["v1.9.3", "v1.7.0"] as const;
export type OmniRelease = (typeof omniReleases)[number];
export const defaultOmniRelease: OmniRelease = "v1.9.3";

const releaseModules: Record<OmniRelease, string> = {
  "v1.9.3": interopDir,
  "v1.7.0": join(interopDir, "omni-v1.7"),
};

export function isOmniRelease(value: string): value is OmniRelease {
  return (omniReleases as readonly string[]).includes(value);
}

export interface InteropBinaries {
  omni: string;
  omnictl: string;
  identityProvider: string;
  versionsStandIn: string;
  grpcWebProxy: string;
  /** Omni's own Go client running a scenario against the emulator (`interop/cmd/emulator-client`). */
  emulatorClient: string;
}

function goCommand(): string {
  if (process.env.GO) {
    return process.env.GO;
  }
  const onPath = (process.env.PATH ?? "")
    .split(delimiter)
    .map((dir) => join(dir, "go"))
    .find((candidate) => existsSync(candidate));
  return onPath ?? "/usr/local/go/bin/go";
}

function run(step: string, args: string[], cwd: string): Promise<void> {
  return new Promise((done, fail) => {
    const output: string[] = [];
    const child = spawn(goCommand(), args, {
      cwd,
      env: { ...process.env, CGO_ENABLED: "0", GOFLAGS: "-mod=readonly" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.on("data", (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => output.push(chunk.toString()));
    child.on("error", (error) =>
      fail(new HarnessError(step, `cannot run ${goCommand()}: ${error.message}`)),
    );
    child.on("close", (code) => {
      if (code === 0) {
        done();
      } else {
        const tail = output.join("").trim().split("\n").slice(-25).join("\n");
        fail(new HarnessError(step, `go ${args.join(" ")} exited with ${code}:\n${tail}`));
      }
    });
  });
}

/**
 * Builds Omni of the given release, omnictl, the identity-provider stand-in, the gRPC-Web proxy
 * and the emulator client from the Go module proxy. Go skips the link when a binary is already current, so a second call
 * costs seconds.
 */
export async function buildInteropBinaries(
  release: OmniRelease = defaultOmniRelease,
): Promise<InteropBinaries> {
  const releaseBinDir = join(interopBinDir, release);
  await run(
    `build Omni ${release} (go build in ${releaseModules[release]})`,
    ["build", "-o", `${releaseBinDir}/`, "github.com/siderolabs/omni/cmd/omni"],
    releaseModules[release],
  );
  await run(
    "build omnictl, the stand-ins and the emulator client (go build in interop/)",
    [
      "build",
      "-o",
      `${interopBinDir}/`,
      "github.com/siderolabs/omni/cmd/omnictl",
      "./cmd/identity-provider",
      "./cmd/versions-stand-in",
      "./cmd/emulator-client",
    ],
    interopDir,
  );
  await run(
    "build grpcwebproxy (go build in interop/grpcwebproxy/)",
    ["build", "-o", `${interopBinDir}/`, "github.com/improbable-eng/grpc-web/go/grpcwebproxy"],
    join(interopDir, "grpcwebproxy"),
  );
  return {
    omni: join(releaseBinDir, "omni"),
    omnictl: join(interopBinDir, "omnictl"),
    identityProvider: join(interopBinDir, "identity-provider"),
    versionsStandIn: join(interopBinDir, "versions-stand-in"),
    grpcWebProxy: join(interopBinDir, "grpcwebproxy"),
    emulatorClient: join(interopBinDir, "emulator-client"),
  };
}
