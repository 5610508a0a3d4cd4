// Byte/text conversions shared by the signers, written for browsers and Node alike (no Buffer).

export const utf8Encoder = new TextEncoder();

const base64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// A table walk instead of btoa: btoa needs a "binary string" built first, and on Node 20 the
// pair costs three times as much for the 64-byte signature that every signed call encodes.
export function toBase64(bytes: Uint8Array): string {
  let text = "";
  const whole = bytes.length - (bytes.length % 3);
  let index = 0;
  for (; index < whole; index += 3) {
    const bits =
      ((bytes[index] as number) << 16) |
      ((bytes[index + 1] as number) << 8) |
      (bytes[index + 2] as number);
    text +=
      base64Alphabet.charAt(bits >> 18) +
      base64Alphabet.charAt((bits >> 12) & 63) +
      base64Alphabet.charAt((bits >> 6) & 63) +
      base64Alphabet.charAt(bits & 63);
  }
  const rest = bytes.length - whole;
  if (rest > 0) {
    const bits =
      ((bytes[index] as number) << 16) | (rest === 2 ? (bytes[index + 1] as number) << 8 : 0);
    text += base64Alphabet.charAt(bits >> 18) + base64Alphabet.charAt((bits >> 12) & 63);
    text += rest === 2 ? `${base64Alphabet.charAt((bits >> 6) & 63)}=` : "==";
  }
  return text;
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
