import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { stringify } from "yaml";
import { EmulatorOptionError } from "./option-check.js";
import { parsePgpPublicKey } from "./public-keys.js";
import type { EmulatorState } from "./state.js";

/** What `writeOmnictlHome` wrote: a home directory in omnictl's layout, for one user. */
export interface OmnictlHome {
  /** The directory, absolute: run omnictl with `HOME` set to it. */
  readonly dir: string;
  /** `<dir>/.talos/omni/config`, where omnictl looks in that home (or pass it as `$OMNICONFIG`). */
  readonly omniconfig: string;
  /** `<dir>/.talos/keys`, where omnictl looks for user keys in that home. */
  readonly keysDir: string;
  /** `<keysDir>/<context>-<identity>.pgp`: the user's PGP key, registered and confirmed. */
  readonly keyFile: string;
  /** The omniconfig context, `default` as in the omniconfig Omni hands out. */
  readonly context: string;
  /** The user's e-mail, the omniconfig's `auth.siderov1.identity`. */
  readonly identity: string;
  /** The key's fingerprint, the id its signatures carry. */
  readonly publicKeyId: string;
  /** When the key expires; omnictl then logs in again through the emulator's grant page. */
  readonly expiresAt: Date;
}

/** Options of `writeOmnictlHome`. */
export interface OmnictlHomeOptions {
  /** The user to write the home for; default `admin@example.org`. A service account has no home. */
  user?: string;
}

// omnictl accepts a key that expires within 8 hours (and Omni registers none longer); omnictl's
// own keys live 4 hours, but a working day against the emulator should not need a new login.
const keyLifetimeSeconds = 8 * 3600;
const contextName = "default";
// The first line of every omniconfig the emulator writes: a file without it is not overwritten.
const marker = "# Written by omni-emulator; rewritten on every start with a new key.";

/**
 * The omniconfig Omni hands out (`ManagementService/Omniconfig`), formatted as Omni's Go YAML
 * library writes it: one `default` context, four-space indentation.
 */
export function omniconfigYaml(url: string, identity: string): string {
  return stringify(
    {
      contexts: { [contextName]: { url, auth: { siderov1: { identity } } } },
      context: contextName,
    },
    { indent: 4 },
  );
}

async function refuseForeignOmniconfig(path: string): Promise<void> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === "ENOENT") {
      return;
    }
    throw new EmulatorOptionError(
      "omnictlHome",
      `${path} cannot be read (${(cause as NodeJS.ErrnoException).code ?? "I/O error"})`,
      { cause },
    );
  }
  if (!text.startsWith(marker)) {
    throw new EmulatorOptionError(
      "omnictlHome",
      `${path} is an omniconfig the emulator did not write; give a directory of its own (such as ./omni-home), not a real home`,
    );
  }
}

/**
 * Writes an omnictl home for `user`: an omniconfig pointing at the emulator's gRPC URL, and a
 * fresh PGP key in omnictl's key file (armored, unencrypted, as omnictl saves the key of a login),
 * which the emulator registers and confirms for that user. Only an omniconfig the emulator wrote
 * is overwritten.
 */
export async function writeOmnictlHome(
  state: EmulatorState,
  dir: string,
  options: OmnictlHomeOptions,
): Promise<OmnictlHome> {
  if (typeof dir !== "string" || dir.trim() === "") {
    throw new EmulatorOptionError("omnictlHome", "must be the path of a directory");
  }
  const email = options.user ?? "admin@example.org";
  const user = typeof email === "string" ? state.identities.identity(email) : undefined;
  if (!user || user.serviceAccount) {
    const known = state.identities
      .identities()
      .filter((each) => !each.serviceAccount)
      .map((each) => each.email);
    throw new EmulatorOptionError(
      "user",
      `must be a user of the emulator (${known.join(", ")}), got "${String(email)}"`,
    );
  }
  const home = resolve(dir);
  const omniDir = join(home, ".talos", "omni");
  const keysDir = join(home, ".talos", "keys");
  const omniconfig = join(omniDir, "config");
  const keyFile = join(keysDir, `${contextName}-${user.email}.pgp`);
  await refuseForeignOmniconfig(omniconfig);

  const openpgp = await import("openpgp");
  const { privateKey } = await openpgp.generateKey({
    type: "ecc",
    curve: "ed25519Legacy",
    userIDs: [{ name: "omni-emulator", email: user.email }],
    keyExpirationTime: keyLifetimeSeconds,
    format: "object",
  });
  const key = await parsePgpPublicKey(privateKey.toPublic().armor(), {
    maxLifetimeMs: keyLifetimeSeconds * 1000,
  });

  for (const directory of [omniDir, keysDir]) {
    await mkdir(directory, { recursive: true, mode: 0o700 });
  }
  // Written 0600 as omnictl writes them; chmod too, for files an earlier start left.
  await writeFile(keyFile, privateKey.armor(), { mode: 0o600 });
  await chmod(keyFile, 0o600);
  await writeFile(omniconfig, `${marker}\n${omniconfigYaml(state.grpcUrl(), user.email)}`, {
    mode: 0o600,
  });
  await chmod(omniconfig, 0o600);
  // Registered only once the files are there: a home that failed to write leaves no live key.
  state.identities.addKey(key, user.email, user.role, true);
  return Object.freeze({
    dir: home,
    omniconfig,
    keysDir,
    keyFile,
    context: contextName,
    identity: user.email,
    publicKeyId: key.id,
    expiresAt: key.expiration,
  });
}
