import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { access, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { generateKey } from "openpgp";
import { HarnessError } from "./harness-error.js";
import type { IdentityProvider } from "./identity-provider.js";
import {
  buildInteropBinaries,
  defaultOmniRelease,
  type InteropBinaries,
  type OmniRelease,
} from "./interop-tools.js";
import { freePorts, waitForHttp } from "./loopback.js";
import { type OmniPorts, omniConfig, omniPortNames, stateFiles } from "./omni-config.js";
import { ManagedProcess } from "./processes.js";

const exec = promisify(execFile);

/** The TUN device Omni's SideroLink creates; its fixed name allows one Omni per network namespace. */
const sideroLinkDevice = "siderolink";
const auth0ClientId = "sidero-omni-client-tests";

/** A user Omni makes an Admin at start: the "logged-in user" who confirms keys in the login flow. */
export const realOmniAdminUser = "admin@sidero-omni-client.invalid";

/**
 * The versions the versions stand-in offers: Omni v1.9.3's own defaults. Every Talos version must
 * be compatible with one of the Kubernetes versions, or Omni makes no TalosVersion of it.
 */
export const standInTalosVersions = ["1.12.8", "1.13.2", "1.13.5"] as const;
export const standInKubernetesVersions = ["1.35.6", "1.36.2"] as const;

/** The Admin service account Omni creates at start and whose key it writes. */
export const initialServiceAccountName = "sdk-tests";

export interface RealOmni {
  version: string;
  /** `http://127.0.0.1:PORT`: native gRPC (h2c) and the HTTP/JSON gateway under `/api`. */
  endpoint: string;
  /** `http://127.0.0.1:PORT` of grpcwebproxy in front of Omni. */
  grpcWebUrl: string;
  /** The base64 key of the Admin service account Omni created at start. */
  serviceAccountKey: string;
  /** The name of that service account (its identity is `<name>@serviceaccount.omni.sidero.dev`). */
  serviceAccountName: string;
  /** A user with the Admin role (an `initialUsers` entry). */
  adminUser: string;
  /** The stand-in for the Auth0 tenant Omni trusts; `mintIdToken` asks it for ID tokens. */
  identityProvider: IdentityProvider;
  binaries: InteropBinaries;
  stateDir: string;
  /** Stops every process it started, removes the state directory and the TUN device. */
  stop(): Promise<void>;
}

export interface StartRealOmniOptions {
  /** Which Omni release to build and run (default v1.9.3). */
  release?: OmniRelease;
  /** Progress lines (the step being taken); default: none. */
  onStep?: (step: string) => void;
  /** How long Omni may take to answer after it starts (default 180 s). */
  startTimeoutMs?: number;
}

async function sideroLinkDeviceExists(): Promise<boolean> {
  try {
    await exec("ip", ["link", "show", sideroLinkDevice]);
    return true;
  } catch {
    return false;
  }
}

async function checkPrerequisites(): Promise<void> {
  const step = "check prerequisites (TUN device, CAP_NET_ADMIN, iproute2)";
  try {
    await access("/dev/net/tun");
  } catch {
    throw new HarnessError(step, "/dev/net/tun is missing: Omni's SideroLink needs a TUN device");
  }
  const status = await readFile("/proc/self/status", "utf8");
  const effective = BigInt(`0x${status.match(/^CapEff:\s*([0-9a-f]+)/m)?.[1] ?? "0"}`);
  const capNetAdmin = 1n << 12n;
  if ((effective & capNetAdmin) === 0n) {
    throw new HarnessError(step, "CAP_NET_ADMIN is missing: run as root or grant it to node");
  }
  try {
    await exec("ip", ["-V"]);
  } catch {
    throw new HarnessError(step, "the `ip` command (iproute2) is missing");
  }
  if (await sideroLinkDeviceExists()) {
    throw new HarnessError(
      step,
      `a network device named "${sideroLinkDevice}" exists already: another Omni runs in this ` +
        "network namespace (stop it, or `ip link del siderolink` if it is a leftover)",
    );
  }
}

async function writeEtcdPrivateKey(path: string): Promise<void> {
  const { privateKey } = await generateKey({
    type: "ecc",
    curve: "ed25519Legacy",
    userIDs: [{ name: "omni etcd", email: "etcd@sidero-omni-client.invalid" }],
    format: "armored",
  });
  await writeFile(path, privateKey, { mode: 0o600 });
}

async function waitForServiceAccountKey(
  omni: ManagedProcess,
  path: string,
  deadline: number,
): Promise<string> {
  const step = "wait for Omni to write its initial service-account key";
  while (Date.now() < deadline) {
    if (existsSync(path)) {
      const key = (await readFile(path, "utf8")).trim();
      if (key !== "") {
        return key;
      }
    }
    if (!omni.running) {
      throw omni.failure(step, "Omni exited");
    }
    await new Promise((wake) => setTimeout(wake, 200));
  }
  throw omni.failure(step, "no key was written in time");
}

/**
 * Builds (or reuses) Omni and starts it on 127.0.0.1 with a fresh state directory, behind a
 * gRPC-Web proxy, with a local identity-provider stand-in for the login flow. Whatever has
 * started is stopped again if a later step fails.
 */
export async function startRealOmni(options: StartRealOmniOptions = {}): Promise<RealOmni> {
  const onStep = options.onStep ?? (() => {});
  const release = options.release ?? defaultOmniRelease;
  const processes: ManagedProcess[] = [];
  let stateDir: string | undefined;
  const stop = async () => {
    await Promise.all([...processes].reverse().map((child) => child.stop()));
    if (await sideroLinkDeviceExists()) {
      await exec("ip", ["link", "del", sideroLinkDevice]).catch(() => {});
    }
    if (stateDir) {
      await rm(stateDir, { recursive: true, force: true });
    }
  };
  try {
    onStep("checking prerequisites");
    await checkPrerequisites();
    onStep(`building Omni ${release}, omnictl and grpcwebproxy from the Go module proxy`);
    const binaries = await buildInteropBinaries(release);

    stateDir = await mkdtemp(join(tmpdir(), "real-omni-"));
    const dir = stateDir;
    await mkdir(join(dir, "omnictl"));
    await mkdir(join(dir, "secondary-storage"));
    const ports = await freePorts(omniPortNames.length + 1);
    const omniPorts = Object.fromEntries(
      omniPortNames.map((name, index) => [name, ports[index]]),
    ) as unknown as OmniPorts;
    const grpcWebPort = ports[omniPortNames.length] ?? 0;

    onStep("starting the identity-provider stand-in");
    const caFile = join(dir, "identity-provider-ca.pem");
    const identityProvider = ManagedProcess.start(
      "identity-provider",
      binaries.identityProvider,
      ["-listen", "127.0.0.1:0", "-ca-file", caFile, "-audience", auth0ClientId],
      { cwd: dir, logFile: join(dir, "identity-provider.log") },
    );
    processes.push(identityProvider);
    const issuer = (
      await identityProvider.waitForLine(
        "start the identity-provider stand-in",
        /^ISSUER=(https:\/\/(127\.0\.0\.1:\d+)\/)$/,
        15_000,
      )
    ).slice(1);
    const [issuerUrl, issuerHost] = issuer as [string, string];

    onStep("starting the versions stand-in (Image Factory and Kubernetes registry)");
    const versionsStandIn = ManagedProcess.start(
      "versions-stand-in",
      binaries.versionsStandIn,
      [
        "-listen",
        "127.0.0.1:0",
        "-talos-versions",
        standInTalosVersions.join(","),
        "-kubernetes-versions",
        standInKubernetesVersions.join(","),
      ],
      { cwd: dir, logFile: join(dir, "versions-stand-in.log") },
    );
    processes.push(versionsStandIn);
    const [, versionsStandInUrl = ""] = await versionsStandIn.waitForLine(
      "start the versions stand-in",
      /^URL=(http:\/\/127\.0\.0\.1:\d+)$/,
      15_000,
    );

    onStep("writing Omni's configuration and etcd key");
    await writeEtcdPrivateKey(join(dir, stateFiles.etcdPrivateKey));
    await writeFile(
      join(dir, stateFiles.config),
      omniConfig({
        ports: omniPorts,
        stateDir: dir,
        identityProviderHost: issuerHost,
        auth0ClientId,
        initialUsers: [realOmniAdminUser],
        initialServiceAccount: initialServiceAccountName,
        versionsStandInUrl,
      }),
    );

    onStep(`starting Omni ${release}`);
    const omni = ManagedProcess.start(
      "omni",
      binaries.omni,
      ["--config-path", join(dir, stateFiles.config)],
      {
        cwd: dir,
        logFile: join(dir, stateFiles.log),
        // Omni trusts the stand-in's certificate and nothing else: it has no internet here anyway.
        env: { ...process.env, SSL_CERT_FILE: caFile },
      },
    );
    processes.push(omni);
    const deadline = Date.now() + (options.startTimeoutMs ?? 180_000);
    const endpoint = `http://127.0.0.1:${omniPorts.api}`;
    await waitForHttp(omni, `${endpoint}/healthz`, deadline, "wait for Omni to answer /healthz");
    const serviceAccountKey = await waitForServiceAccountKey(
      omni,
      join(dir, stateFiles.initialServiceAccountKey),
      deadline,
    );
    // Tests create clusters, which Omni refuses until it has read the versions.
    await omni.waitForLine(
      "wait for Omni to read the Talos versions from the stand-in",
      /reconciled Talos versions/,
      Math.max(1_000, deadline - Date.now()),
    );

    onStep("starting grpcwebproxy in front of Omni");
    const grpcWebProxy = ManagedProcess.start(
      "grpcwebproxy",
      binaries.grpcWebProxy,
      [
        `--backend_addr=127.0.0.1:${omniPorts.api}`,
        "--run_tls_server=false",
        "--server_bind_address=127.0.0.1",
        `--server_http_debug_port=${grpcWebPort}`,
        "--allow_all_origins",
        "--server_http_max_write_timeout=10m",
        "--server_http_max_read_timeout=10m",
        "--backend_max_call_recv_msg_size=33554432",
        "--enable_health_endpoint",
      ],
      { cwd: dir, logFile: join(dir, "grpcwebproxy.log") },
    );
    processes.push(grpcWebProxy);
    const grpcWebUrl = `http://127.0.0.1:${grpcWebPort}`;
    await waitForHttp(
      grpcWebProxy,
      `${grpcWebUrl}/_health`,
      Date.now() + 30_000,
      "wait for grpcwebproxy to answer",
    );

    return {
      version: release,
      endpoint,
      grpcWebUrl,
      serviceAccountKey,
      serviceAccountName: initialServiceAccountName,
      adminUser: realOmniAdminUser,
      identityProvider: { issuerUrl, caFile },
      binaries,
      stateDir: dir,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
