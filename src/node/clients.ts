import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { basename, dirname, join } from "node:path";
import { pgpAuth } from "../auth/pgp.js";
import { serviceAccountAuth } from "../auth/service-account.js";
import type { OmniAuth, PayloadSigner } from "../auth/types.js";
import { createOmniClient, type OmniClient, type OmniClientOptions } from "../client.js";
import { KeyError, ValidationError } from "../errors.js";
import { checkOptionKeys, optionKeys } from "../option-keys.js";
import { optionalString } from "../validation.js";
import { checkEnvironment, type Environment, readServiceAccountEnvironment } from "./env.js";
import { createGrpcTransport, type GrpcTlsOptions, resolveGrpcEndpoint } from "./grpc-transport.js";
import { readUserKeyFile, type UserKeyFile, userKeyFileCandidates } from "./key-files.js";
import { loadOmniconfig, selectOmniconfigContext } from "./omniconfig.js";

/** The `createOmniClient` options that do not depend on where the settings come from. */
export type OmniClientSettings = Omit<OmniClientOptions, "transport" | "auth">;

/** Options of `createOmniClientFromEnv`. */
export interface OmniClientFromEnvOptions extends OmniClientSettings {
  /** Certificate checks for an `https://` endpoint. */
  tls?: GrpcTlsOptions;
  /** The variables to read instead of `process.env`. */
  env?: Environment;
}

export const fromEnvOptionKeys = /*@__PURE__*/ optionKeys<OmniClientFromEnvOptions>()({
  readOnly: true,
  logger: true,
  timeoutMs: true,
  retry: true,
  interceptors: true,
  tls: true,
  env: true,
});

/**
 * A client for the service account in the environment, over native gRPC: the URL from
 * `OMNI_ENDPOINT`, the key from `SIDERO_SERVICE_ACCOUNT_KEY` or else `OMNI_SERVICE_ACCOUNT_KEY`
 * (the variables omnictl reads).
 */
export function createOmniClientFromEnv(options: OmniClientFromEnvOptions = {}): OmniClient {
  // Checked before the environment is read: `transport` or `auth` given here would be replaced.
  checkOptionKeys("options", options, fromEnvOptionKeys);
  const { tls, env, ...settings } = options;
  checkEnvironment("options.env", env);
  const found = readServiceAccountEnvironment(env ?? process.env);
  // Checked here so that an error names the variable the user set, not `baseUrl`.
  const endpoint = resolveGrpcEndpoint(found.endpoint, "OMNI_ENDPOINT");
  const transport = createGrpcTransport({ baseUrl: endpoint.baseUrl, tls });
  const auth = renamingKeyErrors(found.keyVariable, "serviceAccountKey", () =>
    serviceAccountAuth(found.serviceAccountKey),
  );
  return createOmniClient({ ...settings, transport, auth });
}

/** Options of `createOmniClientFromOmniconfig`. */
export interface OmniClientFromOmniconfigOptions extends OmniClientSettings {
  /** The omniconfig file; default `$OMNICONFIG`, else `~/.talos/omni/config`. */
  path?: string;
  /** The context to use; default the file's `context` key, else its only context. */
  context?: string;
  /** Where the user keys are; default `$SIDEROV1_KEYS_DIR`, else omnictl's own places. */
  keysDir?: string;
  /** For a user key that is encrypted (omnictl's are not). */
  passphrase?: string;
  /** Certificate checks for an `https://` URL (omnictl's `--insecure-skip-tls-verify`). */
  tls?: GrpcTlsOptions;
  /** The variables to read instead of `process.env`. */
  env?: Environment;
  /** The home directory to use instead of the user's. */
  homeDir?: string;
}

export const fromOmniconfigOptionKeys = /*@__PURE__*/ optionKeys<OmniClientFromOmniconfigOptions>()(
  {
    readOnly: true,
    logger: true,
    timeoutMs: true,
    retry: true,
    interceptors: true,
    path: true,
    context: true,
    keysDir: true,
    passphrase: true,
    tls: true,
    env: true,
    homeDir: true,
  },
);

/**
 * A client for an omnictl context, over native gRPC, signed with the user key omnictl saved when
 * the user logged in (`<context>-<identity>.pgp`). That key lives for a few hours; log in again
 * with omnictl when it has expired, and the client reads the new key at its next call. Unlike omnictl, it reads only the file: `OMNI_ENDPOINT` does
 * not replace the context's URL and service-account variables are not looked at, so the client
 * is what the file says (`createOmniClientFromEnv` is the one for those variables).
 */
export function createOmniClientFromOmniconfig(
  options: OmniClientFromOmniconfigOptions = {},
): OmniClient {
  // Checked before any file is read: `transport` or `auth` given here would be replaced.
  checkOptionKeys("options", options, fromOmniconfigOptionKeys);
  const { path, context, keysDir, passphrase, tls, env, homeDir, ...settings } = options;
  // `null` would otherwise mean the default, and other values fail far from here.
  checkEnvironment("options.env", env);
  for (const [name, value] of Object.entries({ context, keysDir, passphrase, homeDir })) {
    optionalString(`options.${name}`, value);
  }
  const environment = env ?? process.env;
  const home = homeDir ?? homedir();
  const config = loadOmniconfig(path, { env: environment, homeDir: home });
  const selected = selectOmniconfigContext(config, context);
  const endpoint = resolveGrpcEndpoint(selected.url, `contexts.${selected.name}.url`);
  const transport = createGrpcTransport({ baseUrl: endpoint.baseUrl, tls });
  const identity = selected.identity;
  if (identity === undefined) {
    throw new KeyError(
      `contexts.${selected.name}.auth.siderov1.identity`,
      "invalid-identity",
      `is missing in ${config.path}; the identity names the key file to sign with`,
    );
  }
  const candidates = userKeyFileCandidates(selected.name, identity, environment, home, keysDir);
  const keyFile = readKeyFileOfOmniconfig(config.path, candidates, selected.name, identity);
  const authWith = (armoredPrivateKey: string) =>
    pgpAuth({ identity, armoredPrivateKey, passphrase });
  const auth = renamingKeyErrors(
    keyFile.path,
    "armoredPrivateKey",
    () => authWith(keyFile.armoredPrivateKey),
    {
      // omnictl's keys live a few hours; it writes a new one when the user logs in again.
      hint: "; log in again with omnictl (for example `omnictl get clusters`): this client reads the new key at its next call",
      reload: () =>
        authWith(readUserKeyFile(candidates, selected.name, identity).armoredPrivateKey),
    },
  );
  return createOmniClient({ ...settings, transport, auth });
}

/**
 * Reads the user key as omnictl would. When there is none, but the omniconfig sits in a home of
 * omnictl's layout (`<home>/.talos/omni/config`, as the emulator's `--omnictl-home` writes it)
 * whose keys directory has the key, the error says how to use that home.
 */
function readKeyFileOfOmniconfig(
  omniconfigPath: string,
  candidates: readonly string[],
  context: string,
  identity: string,
): UserKeyFile {
  try {
    return readUserKeyFile(candidates, context, identity);
  } catch (error) {
    const talosDir = dirname(dirname(omniconfigPath));
    const besideKey = join(talosDir, "keys", `${context}-${identity}.pgp`);
    if (
      !(error instanceof ValidationError) ||
      basename(talosDir) !== ".talos" ||
      candidates.includes(besideKey) ||
      !existsSync(besideKey)
    ) {
      throw error;
    }
    const home = dirname(talosDir);
    throw new ValidationError(
      "keyFile",
      `no key for ${identity} in context "${context}" at ${candidates.join(", ")}, but the home of ${omniconfigPath} has one: pass { homeDir: ${JSON.stringify(home)} } to read that home as omnictl does with HOME=${home}`,
      { cause: error },
    );
  }
}

/**
 * A key error that names `source` (a variable or a file) instead of the auth's own argument;
 * `expiredHint` is added when the key has expired.
 */
function renamedKeyError(
  error: unknown,
  source: string,
  argument: string,
  expiredHint = "",
): unknown {
  if (!(error instanceof KeyError) || !error.argument.startsWith(argument)) {
    return error;
  }
  const detail = error.rawMessage.slice(error.argument.length + 2);
  const renamed = `${source}${error.argument.slice(argument.length)}`;
  const hint = error.reason === "expired" ? expiredHint : "";
  return new KeyError(renamed, error.reason, `${detail}${hint}`, { cause: error });
}

/**
 * The auth constructors name their own argument in errors; here the user gave a variable or a
 * file instead, so errors name that, keeping the reason. That holds for what the constructor
 * finds and for what only signing finds (an expired key is found at the first call). With
 * `expired.reload`, a key found expired is read again from its source at the next call, so a
 * running client picks up the key a new login wrote.
 */
function renamingKeyErrors(
  source: string,
  argument: string,
  make: () => OmniAuth,
  expired?: {
    readonly hint: string;
    /** A fresh auth from the key's source, tried once a signature finds the key expired. */
    readonly reload: () => OmniAuth;
  },
): OmniAuth {
  const expiredHint = expired?.hint;
  let auth: OmniAuth;
  try {
    auth = make();
  } catch (error) {
    throw renamedKeyError(error, source, argument, expiredHint);
  }
  // A signer checks its key again on every signature (a key can expire while the client runs).
  let renaming: Promise<PayloadSigner> | undefined;
  // Set when a signature found the key expired: the next call reads the source again.
  let stale = false;
  const rename = (error: unknown) => {
    stale ||= error instanceof KeyError && error.reason === "expired";
    throw renamedKeyError(error, source, argument, expiredHint);
  };
  const refresh = () => {
    if (!stale || !expired) {
      return;
    }
    stale = false;
    try {
      auth = expired.reload();
      renaming = undefined;
    } catch {
      // An unreadable source keeps the expired key, whose error stays the clearer one.
    }
  };
  const signer = () => {
    refresh();
    renaming ??= auth.signer().then(
      (inner): PayloadSigner => ({
        identity: inner.identity,
        keyId: inner.keyId,
        sign: (payload) => inner.sign(payload).catch(rename),
      }),
    );
    // A failed lookup is not kept: the next call asks again, as the auth itself would.
    return renaming.catch((error: unknown) => {
      renaming = undefined;
      return rename(error);
    });
  };
  return Object.freeze({
    kind: auth.kind,
    identity: auth.identity,
    signer,
    toJSON: () => ({ kind: auth.kind, identity: auth.identity }),
    toString: () => String(auth),
  });
}
