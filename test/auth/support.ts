import { execFile } from "node:child_process";
import { createPublicKey, verify } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import * as openpgp from "openpgp";

const run = promisify(execFile);

/** Keys are made per test run; nothing secret is committed. */
export async function generatePgpKey(
  options: { passphrase?: string; keyExpirationTime?: number; date?: Date; email?: string } = {},
): Promise<{ privateKey: string; publicKey: string }> {
  return openpgp.generateKey({
    type: "ecc",
    curve: "ed25519Legacy",
    userIDs: [{ name: "test", email: options.email ?? "test@example.com" }],
    format: "armored",
    ...(options.passphrase ? { passphrase: options.passphrase } : {}),
    ...(options.keyExpirationTime ? { keyExpirationTime: options.keyExpirationTime } : {}),
    ...(options.date ? { date: options.date } : {}),
  });
}

export function serviceAccountKey(document: unknown): string {
  return Buffer.from(JSON.stringify(document)).toString("base64");
}

/** Verifies a detached binary signature with GnuPG, an implementation independent of ours. */
export async function gpgVerify(
  armoredPublicKey: string,
  data: Uint8Array,
  signature: Uint8Array,
): Promise<boolean> {
  const home = await mkdtemp(join(tmpdir(), "omni-gpg-"));
  try {
    await writeFile(join(home, "key.asc"), armoredPublicKey);
    await writeFile(join(home, "data"), data);
    await writeFile(join(home, "data.sig"), signature);
    await run("gpg", ["--homedir", home, "--batch", "--quiet", "--import", join(home, "key.asc")]);
    try {
      await run("gpg", [
        "--homedir",
        home,
        "--batch",
        "--verify",
        join(home, "data.sig"),
        join(home, "data"),
      ]);
      return true;
    } catch {
      return false;
    }
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

export function verifyEcdsaP1363(
  spkiPem: string,
  data: Uint8Array,
  signature: Uint8Array,
): boolean {
  return verify(
    "sha256",
    data,
    { key: createPublicKey(spkiPem), dsaEncoding: "ieee-p1363" },
    signature,
  );
}

type Verifier = (data: Uint8Array, signature: Uint8Array) => Promise<boolean> | boolean;

const serverSignedKeys = [
  "x-sidero-timestamp",
  "nodes",
  "selectors",
  "fieldSelectors",
  "runtime",
  "context",
  "cluster",
  "namespace",
  "uid",
  "authorization",
];

/**
 * Omni's checks of a siderov1 request, re-stated from AUTH-AND-TRANSPORT.md §1.3: a 4-field
 * header, a timestamp within 5 minutes, the payload's method and every signed header equal to
 * what arrived (metadata keys lowercase, so `fieldSelectors` is never found), and the signature.
 * Returns the reason for a failure, or "ok".
 */
export async function omniVerify(
  header: Headers,
  method: string,
  verifiers: ReadonlyMap<string, Verifier>,
  nowMs = Date.now(),
): Promise<string> {
  const fields = (header.get("x-sidero-signature") ?? "").split(" ");
  if (fields.length !== 4 || fields[0] !== "siderov1") {
    return "malformed signature header";
  }
  const timestamp = Number.parseInt(header.get("x-sidero-timestamp") ?? "", 10);
  if (!Number.isFinite(timestamp) || Math.abs(timestamp * 1000 - nowMs) > 5 * 60_000) {
    return "timestamp out of range";
  }
  const rawPayload = header.get("x-sidero-payload") ?? "";
  let payload: { method?: string; headers?: Record<string, string[] | null> };
  try {
    payload = JSON.parse(rawPayload);
  } catch {
    return "payload not JSON";
  }
  if (payload.method !== method) {
    return "method mismatch";
  }
  for (const key of serverSignedKeys) {
    const signed = payload.headers?.[key] ?? null;
    const incoming = key === key.toLowerCase() ? header.get(key) : null;
    const expected = incoming === null ? null : [incoming];
    if (JSON.stringify(signed) !== JSON.stringify(expected)) {
      return `header ${key} mismatch`;
    }
  }
  const verifier = verifiers.get(fields[2] ?? "");
  if (!verifier) {
    return "unknown key";
  }
  const signature = Buffer.from(fields[3] ?? "", "base64");
  return (await verifier(new TextEncoder().encode(rawPayload), signature)) ? "ok" : "bad signature";
}

export function pgpVerifier(armoredPublicKey: string): Verifier {
  return async (data, signature) => {
    const [publicKey, message, parsedSignature] = await Promise.all([
      openpgp.readKey({ armoredKey: armoredPublicKey }),
      openpgp.createMessage({ binary: data }),
      openpgp.readSignature({ binarySignature: signature }),
    ]);
    const result = await openpgp.verify({
      message,
      signature: parsedSignature,
      verificationKeys: publicKey,
    });
    try {
      await result.signatures[0]?.verified;
      return result.signatures.length === 1;
    } catch {
      return false;
    }
  };
}

export function ecdsaVerifier(spkiPem: string): Verifier {
  return (data, signature) => signature.length === 64 && verifyEcdsaP1363(spkiPem, data, signature);
}
