import { KeyError } from "../errors.js";
import { fromBase64 } from "./encoding.js";
import { checkIdentity } from "./identity.js";
import { checkArmoredPrivateKey, PgpAuth } from "./pgp.js";
import type { OmniAuth } from "./types.js";

const argument = "serviceAccountKey";

/**
 * Signs every call as an Omni service account. `base64Key` is the value of
 * `OMNI_SERVICE_ACCOUNT_KEY`: standard base64 of `{"name": ..., "pgp_key": <armored private key>}`.
 * Format errors are thrown here; key errors (expired, unreadable) when the first call is signed.
 */
export function serviceAccountAuth(base64Key: string): OmniAuth {
  if (typeof base64Key !== "string" || base64Key.trim().length === 0) {
    throw new KeyError(argument, "not-base64", "must be a non-empty base64 string");
  }
  // Environment variables and copied text often carry line breaks; base64 never contains them.
  const bytes = fromBase64(base64Key.replace(/\s+/g, ""));
  if (bytes === undefined) {
    throw new KeyError(argument, "not-base64", "is not valid standard (padded) base64");
  }
  let document: unknown;
  try {
    document = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    // The parser's message quotes the input, which holds the private key: say nothing of it.
    throw new KeyError(argument, "not-json", "does not decode to a JSON document");
  }
  if (typeof document !== "object" || document === null || Array.isArray(document)) {
    throw new KeyError(argument, "not-json", 'must decode to a JSON object {"name", "pgp_key"}');
  }
  const { name, pgp_key: pgpKey } = document as Record<string, unknown>;
  if (typeof name !== "string" || name.length === 0) {
    throw new KeyError(argument, "missing-name", 'has no "name" string in its JSON');
  }
  if (typeof pgpKey !== "string" || pgpKey.length === 0) {
    throw new KeyError(argument, "missing-pgp-key", 'has no "pgp_key" string in its JSON');
  }
  const identity = checkIdentity(name, `${argument}.name`);
  const armoredKey = checkArmoredPrivateKey(pgpKey, `${argument}.pgp_key`);
  return new PgpAuth({
    kind: "service-account",
    identity,
    armoredKey,
    passphrase: undefined,
    argument: `${argument}.pgp_key`,
  });
}
