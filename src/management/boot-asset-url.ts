import type { BootAssetURLResponse } from "../gen/omni/management/management_pb.js";
import { defineSecret, redacted } from "./secret-property.js";

/**
 * The URL without what can authenticate: the user-info part and the query string. Omni puts
 * Image Factory credentials in PXE and standalone URLs, since firmware cannot send headers.
 */
function withoutCredentials(url: string): string {
  if (url === "") {
    return url;
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return redacted;
  }
  const userInfo = parsed.username !== "" || parsed.password !== "" ? `${redacted}@` : "";
  const query = parsed.search === "" ? "" : `?${redacted}`;
  return `${parsed.protocol}//${userInfo}${parsed.host}${parsed.pathname}${query}`;
}

/**
 * Where to download a boot asset. The URL and the `headers` to send with the download can hold
 * Image Factory credentials: both are readable, `JSON.stringify` and `String()` show the URL
 * without them and no header values, and `console.log` shows neither.
 */
export class BootAssetUrl {
  declare readonly url: string;
  declare readonly headers: Readonly<Record<string, string>>;
  readonly imageFactoryHost: string;
  readonly storageKey: string;

  constructor(response: BootAssetURLResponse) {
    defineSecret(this, "url", response.url);
    Object.defineProperty(this, "headers", {
      value: Object.freeze({ ...response.headers }),
      enumerable: false,
    });
    this.imageFactoryHost = response.imageFactoryHost;
    this.storageKey = response.storageKey;
  }

  toString(): string {
    return `BootAssetUrl(${withoutCredentials(this.url)})`;
  }

  toJSON(): Record<string, unknown> {
    const headers: Record<string, string> = {};
    for (const name of Object.keys(this.headers)) {
      headers[name] = redacted;
    }
    return {
      url: withoutCredentials(this.url),
      headers,
      imageFactoryHost: this.imageFactoryHost,
      storageKey: this.storageKey,
    };
  }
}
