import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ValidationError } from "../errors.js";
import type { Environment } from "./env.js";

/** A user key omnictl saved after logging in. */
export interface UserKeyFile {
  path: string;
  armoredPrivateKey: string;
}

/**
 * Where omnictl keeps the key of `identity` in `context`, in the order it looks: the custom keys
 * directory (`keysDir`, else `$SIDEROV1_KEYS_DIR`) when set, otherwise `~/.talos/keys`; then, in
 * both cases, `$XDG_DATA_HOME/omni/keys`, where keys saved before the directory was set still are.
 */
export function userKeyFileCandidates(
  context: string,
  identity: string,
  env: Environment,
  homeDir: string,
  keysDir?: string,
): string[] {
  const name = `${context}-${identity}.pgp`;
  const custom = keysDir ?? env.SIDEROV1_KEYS_DIR?.trim();
  const preferred = custom ? join(custom, name) : join(homeDir, ".talos", "keys", name);
  const dataHome = env.XDG_DATA_HOME?.trim() || join(homeDir, ".local", "share");
  return [preferred, join(dataHome, "omni", "keys", name)];
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
