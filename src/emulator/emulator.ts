import { randomBytes, randomInt } from "node:crypto";
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import {
  createServer as createHttp2Server,
  type Http2Server,
  type Http2ServerRequest,
  type Http2ServerResponse,
} from "node:http2";
import type { AddressInfo } from "node:net";
import { type ConnectRouter, createRouterTransport, type Interceptor } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { AuthService } from "../gen/omni/auth/auth_pb.js";
import { ManagementService } from "../gen/omni/management/management_pb.js";
import { State } from "../gen/v1alpha1/state_pb.js";
import { AuditLog, seedAuditLog } from "./audit-log.js";
import { confirmPublicKey, createAuthService, IdTokens, loginUrl } from "./auth-service.js";
import { Catalog } from "./catalog.js";
import { startClusterStatusController } from "./cluster-statuses.js";
import { trackConnections } from "./connections.js";
import { handleCors } from "./cors.js";
import { CosiStore, createCosiStateImpl, seedDemoData, startSimulation } from "./cosi/index.js";
import { roleBasedCosiAccess } from "./cosi-access.js";
import { createFaultInterceptor, type OmniEmulatorFaults, seededRandom } from "./faults.js";
import { createGatewayHandler, gatewayRoutes } from "./gateway.js";
import { handleGrantPage } from "./grant-page.js";
import { IdentityStore, serviceAccountIdentity } from "./identities.js";
import { createAuthInterceptor, createVersionGate } from "./interceptors.js";
import { seedJoinTokens, startJoinTokenStatusController } from "./join-tokens.js";
import { createManagementService } from "./management/index.js";
import { newJoinTokenId } from "./management/join.js";
import { type OmnictlHome, type OmnictlHomeOptions, writeOmnictlHome } from "./omnictl-home.js";
import { EmulatorOptionError } from "./option-check.js";
import {
  type OmniEmulatorOptions,
  type OmniEmulatorUser,
  resolveOptions,
  validateFaults,
} from "./options.js";
import { parsePgpPublicKey } from "./public-keys.js";
import { isRole, type Role, roles } from "./roles.js";
import { generateServiceAccountKey } from "./service-account-keys.js";
import type { EmulatorState } from "./state.js";
import { seedSystemResources } from "./system-resources.js";
import { formatOmniVersion } from "./versions.js";

/** The service-account keys the emulator creates on start, one per role. */
export interface OmniEmulatorKeys {
  /** base64 service-account key (`OMNI_SERVICE_ACCOUNT_KEY`) of `emulator-admin` (Admin). */
  readonly admin: string;
  readonly operator: string;
  readonly reader: string;
}

/** The human user every emulator knows; the grant-access page acts as the key's owner. */
export const defaultUser: OmniEmulatorUser = { email: "admin@example.org", role: "Admin" };

const serviceAccountNames = {
  admin: "emulator-admin",
  operator: "emulator-operator",
  reader: "emulator-reader",
} as const;
const servedServices = [ManagementService, AuthService, State];

function urlHost(host: string): string {
  if (host === "0.0.0.0" || host === "::") {
    return "127.0.0.1";
  }
  return host.includes(":") ? `[${host}]` : host;
}

function listen(server: Server | Http2Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** `/api/<pkg.Service>/<Method>` and `/<pkg.Service>/<Method>` both count as `/<pkg.Service>/<Method>`. */
function methodPath(path: string): string {
  return path.startsWith("/api/") ? path.slice(4) : path;
}

/** A running Omni emulator. Key material is reachable only through `keys`, never through `toJSON` or `inspect`. */
export class OmniEmulator {
  readonly url: string;
  readonly grpcWebUrl: string;
  /** The origin to which `/api/<pkg.Service>/<Method>` is appended (the gateway transport's `baseUrl`). */
  readonly gatewayUrl: string;
  readonly omniVersion: string;
  /** The omnictl home written at start (the `omnictlHome` option), if one was asked for. */
  readonly omnictlHome: OmnictlHome | undefined;
  readonly #keys: OmniEmulatorKeys;
  readonly #state: EmulatorState;
  readonly #store: CosiStore;
  readonly #tokens: IdTokens;
  readonly #counts: Map<string, number>;
  readonly #setFaults: (faults: OmniEmulatorFaults) => void;
  readonly #close: () => Promise<void>;

  /** @internal Use `startOmniEmulator`. */
  constructor(parts: {
    url: string;
    httpUrl: string;
    omniVersion: string;
    omnictlHome: OmnictlHome | undefined;
    keys: OmniEmulatorKeys;
    state: EmulatorState;
    store: CosiStore;
    tokens: IdTokens;
    counts: Map<string, number>;
    setFaults: (faults: OmniEmulatorFaults) => void;
    close: () => Promise<void>;
  }) {
    this.url = parts.url;
    this.grpcWebUrl = parts.httpUrl;
    this.gatewayUrl = parts.httpUrl;
    this.omniVersion = parts.omniVersion;
    this.omnictlHome = parts.omnictlHome;
    this.#keys = parts.keys;
    this.#state = parts.state;
    this.#store = parts.store;
    this.#tokens = parts.tokens;
    this.#counts = parts.counts;
    this.#setFaults = parts.setFaults;
    this.#close = parts.close;
  }

  /** base64 service-account keys for the Admin, Operator and Reader service accounts. */
  get keys(): OmniEmulatorKeys {
    return this.#keys;
  }

  /** The in-memory COSI state behind `cosi.resource.State`, for tests that arrange resources. */
  get store(): CosiStore {
    return this.#store;
  }

  /** Requests received for `method` (`/<pkg.Service>/<Method>`) on any transport, or all requests. */
  requestCount(method?: string): number {
    if (method === undefined) {
      let total = 0;
      for (const count of this.#counts.values()) {
        total += count;
      }
      return total;
    }
    return this.#counts.get(method) ?? 0;
  }

  resetRequestCounts(): void {
    this.#counts.clear();
  }

  /** The page that confirms a registered key (what `RegisterPublicKey`'s `login_url` opens). */
  grantAccessUrl(publicKeyId: string): string {
    return loginUrl(this.#state, publicKeyId);
  }

  /** Confirms a registered key as its owner would on the grant-access page. */
  confirmPublicKey(publicKeyId: string): void {
    const record = this.#state.identities.key(publicKeyId);
    if (!record) {
      throw new EmulatorOptionError("publicKeyId", "no registered key has this ID");
    }
    confirmPublicKey(this.#state, publicKeyId, record.email);
  }

  /**
   * Writes an omnictl home for a user into `dir`: `.talos/omni/config`, an omniconfig for this
   * emulator, and `.talos/keys/default-<email>.pgp`, a new PGP key of the user's that this
   * emulator has registered and confirmed, valid for 8 hours. Then `HOME=<dir> omnictl get
   * clusters` and `createOmniClientFromOmniconfig({ homeDir: dir })` sign as that user. An
   * omniconfig already in `dir` is replaced only if the emulator wrote it.
   */
  writeOmnictlHome(dir: string, options: OmnictlHomeOptions = {}): Promise<OmnictlHome> {
    return writeOmnictlHome(this.#state, dir, options);
  }

  /** A bearer token `ConfirmPublicKey` accepts as `authorization: Bearer <token>` for `email`. */
  idToken(email: string): string {
    return this.#tokens.issue(email);
  }

  /** Adds a human user, or changes the role of an existing one. */
  addUser(email: string, role: Role): void {
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) {
      throw new EmulatorOptionError("email", `must be an e-mail address, got "${email}"`);
    }
    if (!isRole(role)) {
      throw new EmulatorOptionError(
        "role",
        `must be one of ${roles.join(", ")}, got "${String(role)}"`,
      );
    }
    const existing = this.#state.identities.identity(email);
    if (existing) {
      existing.role = role;
      return;
    }
    this.#state.identities.addIdentity(email, role);
  }

  /** Users and service accounts with their roles. */
  users(): Array<{ email: string; role: Role; serviceAccount: boolean }> {
    return this.#state.identities
      .identities()
      .map(({ email, role, serviceAccount }) => ({ email, role, serviceAccount }));
  }

  /** Replaces the injected faults; calls already running keep the faults they started with. */
  setFaults(faults: OmniEmulatorFaults): void {
    this.#setFaults(validateFaults(faults));
  }

  /** Stops both listeners and destroys every open connection, session and stream. */
  close(): Promise<void> {
    return this.#close();
  }

  toJSON(): Record<string, string> {
    return {
      url: this.url,
      grpcWebUrl: this.grpcWebUrl,
      gatewayUrl: this.gatewayUrl,
      omniVersion: this.omniVersion,
    };
  }
}

/**
 * Starts an Omni emulator: native gRPC on one port; gRPC-Web, Connect and Omni's `/api/` JSON
 * gateway on another, all served by the same handlers and the same siderov1 checks.
 */
export async function startOmniEmulator(options: OmniEmulatorOptions = {}): Promise<OmniEmulator> {
  const resolved = resolveOptions(options);
  const seed = resolved.seed ?? randomInt(2 ** 31);
  const keyPromise = Promise.all(
    (Object.entries(serviceAccountNames) as Array<[keyof OmniEmulatorKeys, string]>).map(
      async ([role, name]) => ({
        role,
        key: await generateServiceAccountKey(name, resolved.seed),
      }),
    ),
  );

  const now = (): Date => new Date();
  const store = new CosiStore({ now });
  seedDemoData(store, { seed });
  seedSystemResources(store, resolved.omniVersion);
  const identities = new IdentityStore();
  const auditLog = new AuditLog();
  seedAuditLog(auditLog, now(), defaultUser.email);
  const shutdown = new AbortController();
  const defaultJoinTokenId = newJoinTokenId();
  seedJoinTokens(store, defaultJoinTokenId);
  const stopJoinTokenStatuses = startJoinTokenStatusController(store);
  const stopClusterStatuses = startClusterStatusController(store);
  let httpUrl = "";
  let grpcUrl = "";
  const state: EmulatorState = {
    identities,
    catalog: new Catalog(store, seed),
    store,
    auditLog,
    joinTokens: new Map([
      [
        defaultJoinTokenId,
        { id: defaultJoinTokenId, name: "initial token", expiration: undefined },
      ],
    ]),
    defaultJoinTokenId,
    syncedClusters: new Set(),
    now,
    advertisedUrl: () => httpUrl,
    grpcUrl: () => grpcUrl,
    shutdown: shutdown.signal,
    timings: resolved.timings,
    omniVersion: resolved.omniVersion,
  };
  for (const user of [defaultUser, ...resolved.users]) {
    identities.addIdentity(user.email, user.role);
  }
  const keys: Record<string, string> = {};
  for (const { role, key } of await keyPromise) {
    const accountRole: Role =
      role === "admin" ? "Admin" : role === "operator" ? "Operator" : "Reader";
    identities.addIdentity(serviceAccountIdentity(key.name), accountRole, { serviceAccount: true });
    const parsed = await parsePgpPublicKey(key.armoredPublicKey, {
      maxLifetimeMs: Number.POSITIVE_INFINITY,
    });
    identities.addKey(parsed, key.identity, accountRole, true);
    keys[role] = key.encoded;
  }

  let faults = resolved.faults;
  const tokens = new IdTokens(randomBytes(32));
  const interceptors: Interceptor[] = [
    createFaultInterceptor(() => faults, seededRandom(seed)),
    createVersionGate(resolved.omniVersion),
    createAuthInterceptor(identities, now),
  ];
  const management = createManagementService(state);
  const auth = createAuthService(state, tokens);
  const cosi = createCosiStateImpl(store, roleBasedCosiAccess);
  const routes = (router: ConnectRouter): void => {
    router.service(ManagementService, management).service(AuthService, auth).service(State, cosi);
  };

  const counts = new Map<string, number>();
  const knownPaths = new Set(gatewayRoutes(servedServices).keys());
  const count = (path: string): void => {
    if (knownPaths.has(`/api${methodPath(path)}`)) {
      const method = methodPath(path);
      counts.set(method, (counts.get(method) ?? 0) + 1);
    }
  };

  const grpcHandler = connectNodeAdapter({
    routes,
    interceptors,
    grpc: true,
    grpcWeb: false,
    connect: false,
  });
  const webHandler = connectNodeAdapter({
    routes,
    interceptors,
    grpc: false,
    grpcWeb: true,
    connect: true,
  });
  const gateway = createGatewayHandler(
    createRouterTransport(routes, { router: { interceptors } }),
    gatewayRoutes(servedServices),
  );

  const http2Server = createHttp2Server((req: Http2ServerRequest, res: Http2ServerResponse) => {
    count(new URL(req.url, "http://emulator").pathname);
    grpcHandler(req, res);
  });
  const httpServer = createHttpServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://emulator");
    if (handleCors(req, res, resolved.corsOrigins)) {
      return;
    }
    count(url.pathname);
    if (url.pathname.startsWith("/api/")) {
      void gateway(req, res, url.pathname);
    } else if (url.pathname === "/authenticate") {
      void handleGrantPage(state, req, res, url);
    } else {
      webHandler(req, res);
    }
  });

  const closeServers = trackConnections(http2Server, httpServer);

  let stopSimulation = (): void => {};
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      stopSimulation();
      stopJoinTokenStatuses();
      stopClusterStatuses();
      shutdown.abort();
      await closeServers();
    })();
    return closing;
  };

  try {
    const grpcPort = await listen(http2Server, resolved.port, resolved.host);
    const httpPort = await listen(httpServer, resolved.httpPort, resolved.host);
    grpcUrl = `http://${urlHost(resolved.host)}:${grpcPort}`;
    httpUrl = `http://${urlHost(resolved.host)}:${httpPort}`;
  } catch (error) {
    await close();
    throw error;
  }
  if (resolved.simulation) {
    stopSimulation = startSimulation(store, { intervalMs: resolved.timings.upgradeStepMs });
  }

  let omnictlHome: OmnictlHome | undefined;
  if (resolved.omnictlHome !== undefined) {
    try {
      omnictlHome = await writeOmnictlHome(state, resolved.omnictlHome, {});
    } catch (error) {
      await close();
      throw error;
    }
  }

  return new OmniEmulator({
    url: grpcUrl,
    httpUrl,
    omniVersion: formatOmniVersion(resolved.omniVersion),
    omnictlHome,
    keys: Object.freeze({
      admin: keys.admin ?? "",
      operator: keys.operator ?? "",
      reader: keys.reader ?? "",
    }),
    state,
    store,
    tokens,
    counts,
    setFaults: (next) => {
      faults = next;
    },
    close,
  });
}
