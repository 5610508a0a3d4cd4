import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { fromBase64, toBase64Url } from "../../src/auth/encoding.js";

describe("base64", () => {
  it("decodes every length the way Node's Buffer encodes it, padding included", () => {
    for (let length = 0; length <= 200; length++) {
      const bytes = new Uint8Array(randomBytes(length));
      expect(fromBase64(Buffer.from(bytes).toString("base64"))).toEqual(bytes);
    }
  });

  it("refuses what is not padded standard base64", () => {
    for (const text of ["abc", "ab=c", "-_8=", "YWJj\nZA==", "YW Jj", "YWJjZA"]) {
      expect(fromBase64(text), text).toBeUndefined();
    }
  });

  it("keeps the padding in base64url, as Omni's key ids have it", () => {
    const bytes = Uint8Array.of(0xfb, 0xff);
    expect(toBase64Url(bytes)).toBe("-_8=");
    for (let length = 0; length <= 40; length++) {
      const random = new Uint8Array(randomBytes(length));
      const padded = Buffer.from(random)
        .toString("base64")
        .replaceAll("+", "-")
        .replaceAll("/", "_");
      expect(toBase64Url(random)).toBe(padded);
    }
  });
});
