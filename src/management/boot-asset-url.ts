import type { BootAssetURLResponse } from "../gen/omni/management/management_pb.js";
import { redacted } from "./secret-property.js";

/**
 * Where to download a boot asset. `headers` must be sent with the download and can hold
 * credentials for the Image Factory, so their values stay out of `JSON.stringify`.
 */
export class BootAssetUrl {
  readonly url: string;
  declare readonly headers: Readonly<Record<string, string>>;
  readonly imageFactoryHost: string;
  readonly storageKey: string;

  constructor(response: BootAssetURLResponse) {
    this.url = response.url;
    Object.defineProperty(this, "headers", {
      value: Object.freeze({ ...response.headers }),
      enumerable: false,
    });
    this.imageFactoryHost = response.imageFactoryHost;
    this.storageKey = response.storageKey;
  }

  toString(): string {
    return `BootAssetUrl(${this.url})`;
  }

  toJSON(): Record<string, unknown> {
    const headers: Record<string, string> = {};
    for (const name of Object.keys(this.headers)) {
      headers[name] = redacted;
    }
    return {
      url: this.url,
      headers,
      imageFactoryHost: this.imageFactoryHost,
      storageKey: this.storageKey,
    };
  }
}
