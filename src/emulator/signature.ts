import { Code, ConnectError } from "@connectrpc/connect";
import type { IdentityStore, PublicKeyRecord } from "./identities.js";
import { minRole, type Role } from "./roles.js";

/** The metadata keys a siderov1 payload covers, in Omni's order and spelling. */
export const signedHeaderKeys = [
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
] as const;

/** AuthService methods that work without a signature (a signature, when sent, is still checked). */
export const signatureExemptMethods: ReadonlySet<string> = new Set([
  "/auth.AuthService/RegisterPublicKey",
  "/auth.AuthService/AwaitPublicKeyConfirmation",
  "/auth.AuthService/ConfirmPublicKey",
]);

const allowedSkewSeconds = 5 * 60;

/** Who made a signed call, and with which effective role. */
export interface Caller {
  email: string;
  keyId: string;
  role: Role;
}

/** The one answer Omni gives for every signature problem, so a client learns nothing about which check failed. */
export function invalidSignature(): ConnectError {
  return new ConnectError("invalid signature", Code.Unauthenticated);
}

/**
 * Go's `reflect.DeepEqual` between the payload's value for a key and the metadata's: absent and
 * JSON `null` equal absent metadata, `[]` does not.
 */
function sameValues(signed: unknown, received: string[] | undefined): boolean {
  if (signed === undefined || signed === null) {
    return received === undefined;
  }
  if (!Array.isArray(signed) || received === undefined || signed.length !== received.length) {
    return false;
  }
  return signed.every((value, index) => value === received[index]);
}

interface SignedPayload {
  headers: Record<string, unknown>;
  method: unknown;
}

function parsePayload(text: string): SignedPayload | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      return undefined;
    }
    const { headers, method } = parsed as { headers?: unknown; method?: unknown };
    if (
      headers !== undefined &&
      headers !== null &&
      (typeof headers !== "object" || Array.isArray(headers))
    ) {
      return undefined;
    }
    return { headers: (headers ?? {}) as Record<string, unknown>, method };
  } catch {
    return undefined;
  }
}

function decodeBase64(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) {
    return undefined;
  }
  return Buffer.from(text, "base64");
}

/**
 * Reads one metadata key as the list of values Omni would see. HTTP header APIs merge repeated
 * values with ", ", and Omni's own gateway sees a merged value as one string too.
 */
export type MetadataReader = (key: string) => string | undefined;

function metadataValues(
  read: MetadataReader,
  key: (typeof signedHeaderKeys)[number],
): string[] | undefined {
  // gRPC metadata keys are lower-case, so Omni's lookup of the camel-case key never finds a value.
  if (key === "fieldSelectors") {
    return undefined;
  }
  const value = read(key);
  return value === undefined ? undefined : [value];
}

/**
 * Verifies a siderov1 signature in Omni's order: header shape, key (known, confirmed, unexpired,
 * owner still present), timestamp window, payload JSON, method, signed headers, then the
 * signature itself. Returns undefined for an unsigned call to an exempt method.
 */
export async function verifySignedCall(
  method: string,
  read: MetadataReader,
  identities: IdentityStore,
  now: () => Date,
): Promise<Caller | undefined> {
  const header = read("x-sidero-signature");
  if (header === undefined) {
    if (signatureExemptMethods.has(method)) {
      return undefined;
    }
    throw invalidSignature();
  }
  const parts = header.split(" ");
  if (parts.length !== 4 || parts[0] !== "siderov1") {
    throw invalidSignature();
  }
  const keyId = parts[2] ?? "";
  const signature = decodeBase64(parts[3] ?? "");
  const record: PublicKeyRecord | undefined = identities.key(keyId);
  const currentTime = now();
  if (!signature || !record?.confirmed || record.key.expiration.getTime() < currentTime.getTime()) {
    throw invalidSignature();
  }
  const owner = identities.identity(record.email);
  if (!owner) {
    throw invalidSignature();
  }
  const timestampText = read("x-sidero-timestamp");
  if (timestampText === undefined || !/^-?\d+$/.test(timestampText)) {
    throw invalidSignature();
  }
  const skew = Math.abs(Number(timestampText) - Math.floor(currentTime.getTime() / 1000));
  if (skew > allowedSkewSeconds) {
    throw invalidSignature();
  }
  const payloadText = read("x-sidero-payload");
  const payload = payloadText === undefined ? undefined : parsePayload(payloadText);
  if (!payload || payloadText === undefined || payload.method !== method) {
    throw invalidSignature();
  }
  for (const key of signedHeaderKeys) {
    if (!sameValues(payload.headers[key], metadataValues(read, key))) {
      throw invalidSignature();
    }
  }
  if (!(await record.key.verify(new TextEncoder().encode(payloadText), signature))) {
    throw invalidSignature();
  }
  record.lastUsed = currentTime;
  owner.lastActive = currentTime;
  return { email: owner.email, keyId, role: minRole(owner.role, record.role) };
}
