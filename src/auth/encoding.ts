// Byte/text conversions shared by the signers, for browsers and Node alike (no Buffer). Base64 is
// protobuf-es's, which every app already bundles for bytes fields in JSON.
import { base64Decode, base64Encode } from "@bufbuild/protobuf/wire";

export const utf8Encoder = new TextEncoder();

/** Base64url keeps its `=` padding: Omni's plain key ids are padded (Go `base64.URLEncoding`). */
export function toBase64Url(bytes: Uint8Array): string {
  return base64Encode(bytes).replaceAll("+", "-").replaceAll("/", "_");
}

const standardBase64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Decodes padded standard base64, or returns `undefined` when the text is not that. */
export function fromBase64(text: string): Uint8Array | undefined {
  if (!standardBase64.test(text)) {
    return undefined;
  }
  return base64Decode(text);
}
