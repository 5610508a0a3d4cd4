// Byte/text conversions shared by the signers, written for browsers and Node alike (no Buffer).

export const utf8Encoder = new TextEncoder();

// btoa/atob work on "binary strings"; chunking keeps String.fromCharCode under argument limits.
const chunkSize = 0x8000;

export function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let offset = 0; offset < bytes.length; offset += chunkSize) {
    binary += String.fromCharCode(...bytes.subarray(offset, offset + chunkSize));
  }
  return btoa(binary);
}

/** Base64url keeps its `=` padding: Omni's plain key ids are padded (Go `base64.URLEncoding`). */
export function toBase64Url(bytes: Uint8Array): string {
  return toBase64(bytes).replaceAll("+", "-").replaceAll("/", "_");
}

const standardBase64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Decodes padded standard base64, or returns `undefined` when the text is not that. */
export function fromBase64(text: string): Uint8Array | undefined {
  if (!standardBase64.test(text)) {
    return undefined;
  }
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index++) {
    bytes[index] = binary.charCodeAt(index);
  }
  return bytes;
}
