import { ValidationError } from "../errors.js";
import { describeScheme, parseUrlInput } from "./url-input.js";

const example = "https://omni.example.com";

/**
 * Checks a browser-side transport's base URL before any request is made and returns it without
 * trailing slashes. An absolute http(s) URL works everywhere; a path such as `/` is accepted
 * where there is a page origin to resolve it against (browsers, Electron renderers).
 */
export function normalizeBaseUrl(baseUrl: unknown, argument = "baseUrl"): string {
  if (typeof baseUrl !== "string" || baseUrl.trim() === "") {
    throw new ValidationError(argument, `must be the URL of Omni, such as ${example}`);
  }
  const trimmed = baseUrl.trim();
  if (trimmed.startsWith("/")) {
    if (typeof globalThis.location === "undefined") {
      throw new ValidationError(
        argument,
        `is a path, which only works in a page; outside a browser give the full URL, such as ${example}`,
      );
    }
    return trimmed.replace(/\/+$/, "");
  }
  const url = parseUrlInput(trimmed, argument, example);
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new ValidationError(
      argument,
      `${describeScheme(url)} is not supported here; use https:// (or http:// for a local, unencrypted endpoint)`,
    );
  }
  if (url.search !== "" || url.hash !== "") {
    throw new ValidationError(argument, "must not have a query string or a fragment");
  }
  if (url.username !== "" || url.password !== "") {
    throw new ValidationError(argument, "must not carry credentials; authenticate with `auth`");
  }
  return url.href.replace(/\/+$/, "");
}
