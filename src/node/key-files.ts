import { readFileSync } from "node:fs";
import { posix, win32 } from "node:path";
import { ValidationError } from "../errors.js";
import type { Environment } from "./env.js";

/** A user key omnictl saved after logging in. */
export interface UserKeyFile {
  path: string;
  armoredPrivateKey: string;
}

const pathsOf = (platform: NodeJS.Platform) => (platform === "win32" ? win32 : posix);

/**
 * A leading `~` or `$HOME` (elsewhere) or `%USERPROFILE%` (Windows) in an XDG variable, replaced
 * by the home directory, as omnictl's xdg library replaces it.
 */
function expandHome(value: string, homeDir: string, platform: NodeJS.Platform): string {
  const { join } = pathsOf(platform);
  if (platform === "win32") {
    return value.startsWith("%USERPROFILE%") ? join(homeDir, value.slice(13)) : value;
  }
  if (value.startsWith("~")) {
    return join(homeDir, value.slice(1));
  }
  return value.startsWith("$HOME") ? join(homeDir, value.slice(5)) : value;
}

/** Go's idea of an absolute path: on Windows it needs a drive letter or a UNC share. */
function isAbsolutePath(value: string, platform: NodeJS.Platform): boolean {
  return platform === "win32" ? /^([A-Za-z]:[\\/]|[\\/]{2})/.test(value) : value.startsWith("/");
}

/**
 * The XDG data directory as omnictl's xdg library finds it: `$XDG_DATA_HOME` when it is an
 * absolute path after home expansion, otherwise the platform's own:
 * `~/Library/Application Support` on macOS, `%LOCALAPPDATA%` on Windows, `~/.local/share` elsewhere.
 */
export function xdgDataHome(
  env: Environment,
  homeDir: string,
  platform: NodeJS.Platform = process.platform,
): string {
  const { join } = pathsOf(platform);
  const fromEnv = expandHome(env.XDG_DATA_HOME?.trim() ?? "", homeDir, platform);
  if (isAbsolutePath(fromEnv, platform)) {
    return fromEnv;
  }
  switch (platform) {
    case "darwin":
      return join(homeDir, "Library", "Application Support");
    case "win32":
      return env.LOCALAPPDATA?.trim() || join(homeDir, "AppData", "Local");
    default:
      return join(homeDir, ".local", "share");
  }
}

/**
 * Where omnictl keeps the key of `identity` in `context`, in the order it looks: the custom keys
 * directory (`keysDir`, else `$SIDEROV1_KEYS_DIR`) when set, otherwise `~/.talos/keys`; then, in
 * both cases, `omni/keys` in the XDG data directory, where keys saved before the directory was
 * set still are.
 */
export function userKeyFileCandidates(
  context: string,
  identity: string,
  env: Environment,
  homeDir: string,
  keysDir?: string,
  platform: NodeJS.Platform = process.platform,
): string[] {
  const { join } = pathsOf(platform);
  const name = `${context}-${identity}.pgp`;
  const custom = keysDir ?? env.SIDEROV1_KEYS_DIR?.trim();
  const preferred = custom ? join(custom, name) : join(homeDir, ".talos", "keys", name);
  return [preferred, join(xdgDataHome(env, homeDir, platform), "omni", "keys", name)];
}

/** Reads the first key file that exists; says where it looked when there is none. */
export function readUserKeyFile(
  candidates: readonly string[],
  context: string,
  identity: string,
): UserKeyFile {
  for (const path of candidates) {
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === "ENOENT") {
        continue;
      }
      throw new ValidationError(
        "keyFile",
        `${path} cannot be read (${(cause as NodeJS.ErrnoException).code ?? "I/O error"})`,
        { cause },
      );
    }
    return { path, armoredPrivateKey: text };
  }
  throw new ValidationError(
    "keyFile",
    `no key for ${identity} in context "${context}": looked for ${candidates.join(", ")}; log in once with omnictl (for example \`omnictl get clusters\`) to create it`,
  );
}
