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

const allowedSkewMs = 5 * 60 * 1000;

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
function sameValues(signed: string[] | null | undefined, received: string[] | undefined): boolean {
  if (signed === undefined || signed === null) {
    return received === undefined;
  }
  if (received === undefined || signed.length !== received.length) {
    return false;
  }
  return signed.every((value, index) => value === received[index]);
}

type SignedHeaders = Record<string, string[] | null>;

interface SignedPayload {
  headers: SignedHeaders;
  method: unknown;
}

/**
 * Omni decodes `headers` into a map of string lists, so any entry of another shape fails the
 * whole payload, whether or not its key is one of the signed ones. A JSON `null` inside a list
 * decodes to the empty string.
 */
function parseHeaders(headers: unknown): SignedHeaders | undefined {
  if (headers === undefined || headers === null) {
    return {};
  }
  if (typeof headers !== "object" || Array.isArray(headers)) {
    return undefined;
  }
  const parsed: SignedHeaders = {};
  for (const [key, values] of Object.entries(headers)) {
    if (values === null) {
      parsed[key] = null;
      continue;
    }
    if (!Array.isArray(values) || !values.every((v) => v === null || typeof v === "string")) {
      return undefined;
    }
    parsed[key] = values.map((value: string | null) => value ?? "");
  }
  return parsed;
}

function parsePayload(text: string): SignedPayload | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      return undefined;
    }
    const { headers, method } = parsed as { headers?: unknown; method?: unknown };
    const parsedHeaders = parseHeaders(headers);
    return parsedHeaders ? { headers: parsedHeaders, method } : undefined;
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
  // Omni reads an empty signature header as no signature at all.
  if (header === undefined || header === "") {
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
  // Go's strconv.ParseInt, which Omni uses, takes an optional sign.
  if (timestampText === undefined || !/^[+-]?\d+$/.test(timestampText)) {
    throw invalidSignature();
  }
  // Omni compares the whole seconds sent with its clock at full precision, not rounded down.
  const skewMs = Math.abs(Number(timestampText) * 1000 - currentTime.getTime());
  if (skewMs > allowedSkewMs) {
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
