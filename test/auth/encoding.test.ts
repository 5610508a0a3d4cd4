import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { fromBase64, toBase64, toBase64Url } from "../../src/auth/encoding.js";

describe("base64", () => {
  it("encodes every length the way Node's Buffer does, padding included", () => {
    for (let length = 0; length <= 200; length++) {
      const bytes = new Uint8Array(randomBytes(length));
      expect(toBase64(bytes)).toBe(Buffer.from(bytes).toString("base64"));
    }
  });

  it("round-trips through fromBase64", () => {
    const bytes = new Uint8Array(randomBytes(1000));
    expect(fromBase64(toBase64(bytes))).toEqual(bytes);
  });

  it("keeps the padding in base64url, as Omni's key ids have it", () => {
    const bytes = Uint8Array.of(0xfb, 0xff);
    expect(toBase64Url(bytes)).toBe("-_8=");
  });
});
