import { Code } from "@connectrpc/connect";
import { AuthService } from "../gen/omni/auth/auth_pb.js";
import { ManagementService } from "../gen/omni/management/management_pb.js";
import { State } from "../gen/v1alpha1/state_pb.js";
import type { ErrorFault, FaultTarget, OmniEmulatorFaults, StreamCutFault } from "./faults.js";
import { checkKeys, EmulatorOptionError, keysOf } from "./option-check.js";
import { isRole, type Role, roles } from "./roles.js";
import type { EmulatorTimings } from "./state.js";
import { type OmniVersion, parseOmniVersion } from "./versions.js";

export interface OmniEmulatorUser {
  email: string;
  role: Role;
}

export interface OmniEmulatorOptions {
  /** Port of the native gRPC (HTTP/2 cleartext) listener; 0 (default) picks a free one. */
  port?: number;
  /** Port of the HTTP/1.1 listener (gRPC-Web, Connect, the `/api/` gateway); 0 (default) picks a free one. */
  httpPort?: number;
  /** Interface to listen on; default `127.0.0.1`. */
  host?: string;
  /** Makes service-account keys, machine IDs and fault decisions the same on every start. */
  seed?: number;
  /** `"1.2"` serves Omni v1.2's ManagementService (with `TearDownLockedCluster`); default: the current API. */
  omniVersion?: string;
  faults?: OmniEmulatorFaults;
  /** Origins allowed to call the HTTP/1.1 listener from a browser; default `"*"` (any origin). */
  corsOrigins?: readonly string[] | "*";
  /** Human users besides the built-in `admin@example.org` (Admin). */
  users?: readonly OmniEmulatorUser[];
  /** Shorter waits for tests: key-confirmation timeout, follow-log pace, audit follow window, upgrade pace. */
  timings?: Partial<EmulatorTimings>;
  /**
   * Moves the seeded Talos upgrade of `staging` forward one step every `timings.upgradeStepMs`
   * while the emulator runs. Default `true`; `false` keeps the seeded data as it is.
   */
  simulation?: boolean;
  /**
   * Writes an omnictl home for `admin@example.org` into this directory once the emulator
   * listens (see `OmniEmulator.writeOmnictlHome`): `HOME=<dir> omnictl get clusters` then works,
   * and so does `createOmniClientFromOmniconfig({ homeDir: <dir> })`.
   */
  omnictlHome?: string;
}

export interface ResolvedOptions {
  port: number;
  httpPort: number;
  host: string;
  seed: number | undefined;
  omniVersion: OmniVersion;
  faults: OmniEmulatorFaults;
  corsOrigins: readonly string[] | "*";
  users: readonly OmniEmulatorUser[];
  timings: EmulatorTimings;
  simulation: boolean;
  omnictlHome: string | undefined;
}

const defaultTimings: EmulatorTimings = {
  publicKeyConfirmationTimeoutMs: 5 * 60 * 1000,
  followLogIntervalMs: 250,
  auditLogFollowWindowMs: 60 * 1000,
  upgradeStepMs: 5 * 1000,
};

// The emulator's errors name its options bare (`host`, `timings.upgradeStepMs`), unknown keys too.
export const emulatorOptionKeys = /*@__PURE__*/ keysOf<OmniEmulatorOptions>()({
  port: true,
  httpPort: true,
  host: true,
  seed: true,
  omniVersion: true,
  faults: true,
  corsOrigins: true,
  users: true,
  timings: true,
  simulation: true,
  omnictlHome: true,
});

export const emulatorUserKeys = /*@__PURE__*/ keysOf<OmniEmulatorUser>()({
  email: true,
  role: true,
});

export const emulatorTimingKeys = /*@__PURE__*/ keysOf<EmulatorTimings>()({
  publicKeyConfirmationTimeoutMs: true,
  followLogIntervalMs: true,
  auditLogFollowWindowMs: true,
  upgradeStepMs: true,
});

export const faultKeys = /*@__PURE__*/ keysOf<OmniEmulatorFaults>()({
  latency: true,
  errors: true,
  streamCut: true,
  stall: true,
});

type LatencyFault = NonNullable<OmniEmulatorFaults["latency"]>;

export const fixedLatencyKeys = /*@__PURE__*/ keysOf<Extract<LatencyFault, { ms: number }>>()({
  methods: true,
  ms: true,
});

export const latencyRangeKeys = /*@__PURE__*/ keysOf<Extract<LatencyFault, { minMs: number }>>()({
  methods: true,
  minMs: true,
  maxMs: true,
});

/** A latency fault is either fixed (`ms`) or a range (`minMs`, `maxMs`), never both. */
function latencyKeys(latency: LatencyFault): ReadonlySet<string> {
  const fixed = typeof latency === "object" && latency !== null && "ms" in latency;
  return fixed ? fixedLatencyKeys : latencyRangeKeys;
}

export const errorFaultKeys = /*@__PURE__*/ keysOf<ErrorFault>()({
  methods: true,
  code: true,
  rate: true,
  message: true,
});

export const streamCutKeys = /*@__PURE__*/ keysOf<StreamCutFault>()({
  methods: true,
  afterMessages: true,
  code: true,
});

export const faultTargetKeys = /*@__PURE__*/ keysOf<FaultTarget>()({ methods: true });

const knownMethods: ReadonlySet<string> = new Set(
  [ManagementService, AuthService, State].flatMap((service) =>
    service.methods.map((method) => `/${service.typeName}/${method.name}`),
  ),
);

function checkPort(value: number | undefined, argument: string): number {
  if (value === undefined) {
    return 0;
  }
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw new EmulatorOptionError(
      argument,
      `must be an integer from 0 to 65535, got ${String(value)}`,
    );
  }
  return value;
}

function checkNonNegative(value: number, argument: string): void {
  if (!Number.isFinite(value) || value < 0) {
    throw new EmulatorOptionError(argument, `must be a non-negative number, got ${String(value)}`);
  }
}

function checkTarget(target: FaultTarget, argument: string): void {
  for (const [index, method] of (target.methods ?? []).entries()) {
    if (!knownMethods.has(method)) {
      throw new EmulatorOptionError(
        `${argument}.methods[${index}]`,
        `unknown method "${method}" (expected "/<package>.<Service>/<Method>")`,
      );
    }
  }
}

function checkCode(code: unknown, argument: string): void {
  if (
    typeof code !== "number" ||
    !Number.isInteger(code) ||
    code < 1 ||
    code > 16 ||
    Code[code] === undefined
  ) {
    throw new EmulatorOptionError(
      argument,
      `must be a gRPC status code from 1 to 16, got ${String(code)}`,
    );
  }
}

/** Checks fault settings; used at start and by `setFaults`. */
export function validateFaults(
  faults: OmniEmulatorFaults,
  argument = "faults",
): OmniEmulatorFaults {
  checkKeys(argument, faults, faultKeys);
  if (faults.latency) {
    checkKeys(`${argument}.latency`, faults.latency, latencyKeys(faults.latency));
    checkTarget(faults.latency, `${argument}.latency`);
    if ("ms" in faults.latency) {
      checkNonNegative(faults.latency.ms, `${argument}.latency.ms`);
    } else {
      checkNonNegative(faults.latency.minMs, `${argument}.latency.minMs`);
      checkNonNegative(faults.latency.maxMs, `${argument}.latency.maxMs`);
      if (faults.latency.maxMs < faults.latency.minMs) {
        throw new EmulatorOptionError(`${argument}.latency.maxMs`, "must not be less than minMs");
      }
    }
  }
  for (const [index, fault] of (faults.errors ?? []).entries()) {
    const name = `${argument}.errors[${index}]`;
    checkKeys(name, fault, errorFaultKeys);
    checkTarget(fault, name);
    checkCode(fault.code, `${name}.code`);
    if (fault.rate !== undefined && !(fault.rate >= 0 && fault.rate <= 1)) {
      throw new EmulatorOptionError(
        `${name}.rate`,
        `must be from 0 to 1, got ${String(fault.rate)}`,
      );
    }
  }
  if (faults.streamCut) {
    checkKeys(`${argument}.streamCut`, faults.streamCut, streamCutKeys);
    checkTarget(faults.streamCut, `${argument}.streamCut`);
    if (!Number.isInteger(faults.streamCut.afterMessages) || faults.streamCut.afterMessages < 0) {
      throw new EmulatorOptionError(
        `${argument}.streamCut.afterMessages`,
        "must be a non-negative integer",
      );
    }
    if (faults.streamCut.code !== undefined) {
      checkCode(faults.streamCut.code, `${argument}.streamCut.code`);
    }
  }
  if (faults.stall) {
    checkKeys(`${argument}.stall`, faults.stall, faultTargetKeys);
    checkTarget(faults.stall, `${argument}.stall`);
  }
  return faults;
}

/** Validates everything a caller can get wrong, before any socket is opened. */
export function resolveOptions(options: OmniEmulatorOptions): ResolvedOptions {
  checkKeys("", options, emulatorOptionKeys);
  const host = options.host ?? "127.0.0.1";
  if (typeof host !== "string" || host.trim() === "") {
    throw new EmulatorOptionError("host", "must be a non-empty host name or address");
  }
  if (options.seed !== undefined && !Number.isSafeInteger(options.seed)) {
    throw new EmulatorOptionError("seed", `must be a safe integer, got ${String(options.seed)}`);
  }
  const omniVersion = parseOmniVersion(options.omniVersion);
  if (!omniVersion) {
    throw new EmulatorOptionError(
      "omniVersion",
      `must look like "1.2", "1.10.4" or "main", got "${options.omniVersion}"`,
    );
  }
  const corsOrigins = options.corsOrigins ?? "*";
  if (corsOrigins !== "*") {
    for (const [index, origin] of corsOrigins.entries()) {
      if (!/^https?:\/\/[^/\s]+$/.test(origin)) {
        throw new EmulatorOptionError(
          `corsOrigins[${index}]`,
          `must be an origin like "http://localhost:5173", got "${origin}"`,
        );
      }
    }
  }
  for (const [index, user] of (options.users ?? []).entries()) {
    checkKeys(`users[${index}]`, user, emulatorUserKeys);
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(user.email)) {
      throw new EmulatorOptionError(
        `users[${index}].email`,
        `must be an e-mail address, got "${user.email}"`,
      );
    }
    if (!isRole(user.role)) {
      throw new EmulatorOptionError(
        `users[${index}].role`,
        `must be one of ${roles.join(", ")}, got "${String(user.role)}"`,
      );
    }
  }
  if (options.timings !== undefined) {
    checkKeys("timings", options.timings, emulatorTimingKeys);
  }
  // A timing set to undefined keeps its default, as one left out does.
  const timings = { ...defaultTimings };
  for (const name of Object.keys(defaultTimings) as (keyof EmulatorTimings)[]) {
    const given = options.timings?.[name];
    timings[name] = given === undefined ? defaultTimings[name] : given;
  }
  for (const [name, value] of Object.entries(timings)) {
    if (!Number.isFinite(value) || value <= 0) {
      throw new EmulatorOptionError(
        `timings.${name}`,
        `must be a positive number of milliseconds, got ${String(value)}`,
      );
    }
  }
  if (options.simulation !== undefined && typeof options.simulation !== "boolean") {
    throw new EmulatorOptionError("simulation", "must be a boolean");
  }
  if (
    options.omnictlHome !== undefined &&
    (typeof options.omnictlHome !== "string" || options.omnictlHome.trim() === "")
  ) {
    throw new EmulatorOptionError("omnictlHome", "must be the path of a directory");
  }
  return {
    port: checkPort(options.port, "port"),
    httpPort: checkPort(options.httpPort, "httpPort"),
    host,
    seed: options.seed,
    omniVersion,
    faults: validateFaults(options.faults ?? {}),
    corsOrigins,
    users: options.users ?? [],
    timings,
    simulation: options.simulation ?? true,
    omnictlHome: options.omnictlHome,
  };
}
