import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { ValidationError } from "../errors.js";
import { checkOptionKeys, optionKeys } from "../option-keys.js";
import { optionalString } from "../validation.js";
import { checkEnvironment, type Environment } from "./env.js";

/** One entry of `contexts` in an omniconfig file. */
export interface OmniconfigContext {
  name: string;
  /**
   * The Omni URL, read by the same rules as `createGrpcTransport`'s `baseUrl`. Empty when the
   * file gives none, which `selectOmniconfigContext` refuses for the context it selects.
   */
  url: string;
  /** `auth.siderov1.identity`: the user's email, which names the key file. */
  identity: string | undefined;
}

/** An omniconfig file as omnictl writes it. */
export interface Omniconfig {
  /** The file it was read from. */
  path: string;
  /** The `context` key: the context omnictl uses when none is named. */
  context: string | undefined;
  contexts: Readonly<Record<string, OmniconfigContext>>;
}

/** Where omnictl looks: `$OMNICONFIG`, else `~/.talos/omni/config`. */
export function defaultOmniconfigPath(env: Environment, homeDir: string): string {
  const fromEnv = env.OMNICONFIG?.trim();
  return fromEnv ? fromEnv : join(homeDir, ".talos", "omni", "config");
}

export const omniconfigLocationKeys = /*@__PURE__*/ optionKeys<
  NonNullable<Parameters<typeof loadOmniconfig>[1]>
>()({
  env: true,
  homeDir: true,
});

/**
 * Reads and checks an omniconfig file: the given path, else `$OMNICONFIG`, else
 * `~/.talos/omni/config`. Every problem names the file and the key that is wrong.
 */
export function loadOmniconfig(
  path?: string,
  location: { env?: Environment; homeDir?: string } = {},
): Omniconfig {
  checkOptionKeys("location", location, omniconfigLocationKeys);
  checkEnvironment("location.env", location.env);
  optionalString("location.homeDir", location.homeDir);
  if (path !== undefined && (typeof path !== "string" || path.trim() === "")) {
    throw new ValidationError("path", "must be the path of an omniconfig file");
  }
  const file =
    path ?? defaultOmniconfigPath(location.env ?? process.env, location.homeDir ?? homedir());
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (cause) {
    const reason =
      (cause as NodeJS.ErrnoException).code === "ENOENT"
        ? "does not exist; download it from the Omni UI or set $OMNICONFIG"
        : `cannot be read (${(cause as NodeJS.ErrnoException).code ?? "I/O error"})`;
    throw new ValidationError("omniconfig", `${file} ${reason}`, { cause });
  }
  return parseOmniconfig(text, file);
}

/**
 * Checks the YAML text of an omniconfig file; `file` only goes into error messages. Like
 * omnictl, it reads the first YAML document only, and checks the shape of every context but the
 * values of none: a context that is never used may be unfinished (see `selectOmniconfigContext`).
 */
export function parseOmniconfig(text: string, file: string): Omniconfig {
  // omnictl's YAML library stops after the first document; a trailing `---` is harmless there.
  const [document] = parseAllDocuments(text);
  const [firstError] = document?.errors ?? [];
  if (firstError !== undefined) {
    const line = firstError.linePos?.[0].line;
    throw new ValidationError(
      "omniconfig",
      `${file} is not valid YAML${line === undefined ? "" : ` (line ${line})`}: ${firstError.code}`,
    );
  }
  const root: unknown = document?.toJS();
  if (!isMapping(root)) {
    throw new ValidationError("omniconfig", `${file} must be a YAML mapping with "contexts"`);
  }
  const where = `in ${file}`;
  if (!isMapping(root.contexts) || Object.keys(root.contexts).length === 0) {
    throw new ValidationError("contexts", `must map context names to { url, auth } ${where}`);
  }
  const contexts: Record<string, OmniconfigContext> = {};
  for (const [name, entry] of Object.entries(root.contexts)) {
    const key = `contexts.${name}`;
    // An empty entry (`name:` and nothing else) reads as an empty context in omnictl.
    const fields = entry === null ? {} : entry;
    if (!isMapping(fields)) {
      throw new ValidationError(key, `must be a mapping with "url" ${where}`);
    }
    if (fields.url !== undefined && fields.url !== null && typeof fields.url !== "string") {
      throw new ValidationError(`${key}.url`, `must be a URL string ${where}`);
    }
    contexts[name] = {
      name,
      url: fields.url?.trim() ?? "",
      identity: readIdentity(fields, key, where),
    };
  }
  const context = root.context;
  if (context !== undefined && context !== null && typeof context !== "string") {
    throw new ValidationError("context", `must be the name of a context ${where}`);
  }
  return { path: file, context: context || undefined, contexts };
}

function readIdentity(
  entry: Record<string, unknown>,
  key: string,
  where: string,
): string | undefined {
  if (entry.auth === undefined || entry.auth === null) {
    return undefined;
  }
  if (!isMapping(entry.auth)) {
    throw new ValidationError(`${key}.auth`, `must be a mapping ${where}`);
  }
  const siderov1 = entry.auth.siderov1;
  if (siderov1 === undefined || siderov1 === null) {
    return undefined;
  }
  if (
    !isMapping(siderov1) ||
    (siderov1.identity !== undefined && typeof siderov1.identity !== "string")
  ) {
    throw new ValidationError(`${key}.auth.siderov1.identity`, `must be an email ${where}`);
  }
  return siderov1.identity?.trim() || undefined;
}

/**
 * The context to use: the one asked for, else the file's `context` key, else the only one. It
 * must have a URL; the other contexts are not looked at, as omnictl does not look at them.
 */
export function selectOmniconfigContext(config: Omniconfig, name?: string): OmniconfigContext {
  const names = Object.keys(config.contexts);
  const wanted = name ?? config.context ?? (names.length === 1 ? names[0] : undefined);
  if (wanted === undefined) {
    throw new ValidationError(
      "context",
      `${config.path} has several contexts (${names.join(", ")}) and no "context" key; pass { context }`,
    );
  }
  const selected = config.contexts[wanted];
  if (selected === undefined) {
    throw new ValidationError(
      "context",
      `"${wanted}" is not in ${config.path}; it has ${names.join(", ")}`,
    );
  }
  if (selected.url === "") {
    throw new ValidationError(`contexts.${selected.name}.url`, `is missing in ${config.path}`);
  }
  return selected;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
