/**
 * The metadata keys Omni compares between the signed payload and the request, in the order the
 * reference signer writes them. The spelling is the payload's JSON key, which is case-sensitive.
 */
export const SIGNED_HEADER_KEYS = [
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

export type SignedHeaderKey = (typeof SIGNED_HEADER_KEYS)[number];

/**
 * Omni looks `fieldSelectors` up in the incoming metadata with its camelCase spelling, but gRPC
 * metadata keys always arrive lowercase, so the server always sees "absent". Signing the real
 * value would therefore fail verification; leaving the key out matches what the server compares.
 */
const NEVER_MATCHED_BY_SERVER: ReadonlySet<SignedHeaderKey> = new Set(["fieldSelectors"]);

/** Anything with a `get` like the Fetch `Headers` (names case-insensitive, repeats comma-joined). */
export interface HeaderSource {
  get(name: string): string | null;
}

/**
 * Builds the `x-sidero-payload` JSON for one call. `method` is `/<package>.<Service>/<Method>`.
 * Each present key maps to the one value that goes on the wire: `Headers` joins repeated values
 * with ", ", and that joined string is what the server sees over HTTP/1.1 and HTTP/2 alike.
 * Absent keys are left out (never `[]`, which the server's deep comparison rejects).
 */
export function buildSignaturePayload(method: string, headers: HeaderSource): string {
  // Written out by hand instead of JSON.stringify over a built object: this runs on every
  // signed call, and the object only ever has these two levels. Values go through
  // JSON.stringify, so their escaping is exactly JSON's.
  let signed = "";
  for (const key of SIGNED_HEADER_KEYS) {
    if (NEVER_MATCHED_BY_SERVER.has(key)) {
      continue;
    }
    const value = headers.get(key);
    if (value !== null) {
      signed += `${signed === "" ? "" : ","}"${key}":[${JSON.stringify(value)}]`;
    }
  }
  return asciiOnly(`{"headers":{${signed}},"method":${JSON.stringify(method)}}`);
}

const nonAscii = /[\u007f-\uffff]/;
const everyNonAscii = /[\u007f-\uffff]/g;

/** Escapes every non-ASCII character, since the gateway drops non-ASCII header values. */
function asciiOnly(json: string): string {
  if (!nonAscii.test(json)) {
    return json;
  }
  return json.replace(
    everyNonAscii,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
