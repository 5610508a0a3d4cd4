import { ValidationError } from "../errors.js";
import { isFieldObject } from "../validation.js";
import { isGrpcMetadataKey, isGrpcMetadataValue } from "./grpc-metadata.js";

function isAccepted(entries: [string, string][]): boolean {
  try {
    new Headers(entries);
    return true;
  } catch {
    return false;
  }
}

function entriesOf(init: HeadersInit): unknown[] {
  if (Array.isArray(init)) {
    return init;
  }
  return typeof init === "object" && init !== null ? Object.entries(init) : [];
}

const headersShape =
  "must be a Headers object, a record of strings or a list of [name, value] pairs";

function isIterable(value: unknown): value is Iterable<unknown> {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { [Symbol.iterator]?: unknown })[Symbol.iterator] === "function"
  );
}

/**
 * Checks headers before `Headers` reads them, and returns them in a form that can be read again:
 * `Headers` turns any value into text, so `null` would be sent as "null" and an object as
 * "[object Object]". Pairs may come in any iterable that can be read again (an array, a Map,
 * another library's Headers), and are copied. A value's header is named only when its name is a
 * valid one, and no value is shown: header values are where callers put bearer tokens.
 */
export function checkedHeadersInit(argument: string, init: unknown): HeadersInit | undefined {
  if (init === undefined || init instanceof Headers) {
    return init;
  }
  if (isIterable(init)) {
    // An iterator (a generator, say) would be used up here, and headers are read more than once.
    if ((init[Symbol.iterator]() as unknown) === init) {
      throw new ValidationError(argument, `${headersShape}, not an iterator that reads only once`);
    }
    const pairs: [string, string][] = [];
    for (const pair of init) {
      if (
        !Array.isArray(pair) ||
        pair.length !== 2 ||
        typeof pair[0] !== "string" ||
        typeof pair[1] !== "string"
      ) {
        throw new ValidationError(
          argument,
          `${headersShape}; entry ${pairs.length} is not a pair of strings (its contents are not shown)`,
        );
      }
      pairs.push([pair[0], pair[1]]);
    }
    return pairs;
  }
  if (!isFieldObject(init)) {
    throw new ValidationError(argument, headersShape);
  }
  for (const [name, value] of Object.entries(init)) {
    if (typeof value !== "string") {
      const named = isAccepted([[name, ""]]);
      throw new ValidationError(
        named ? `${argument}.${name.toLowerCase()}` : argument,
        named
          ? "must be a string; header values are sent as they are, never converted"
          : "has a value that is not a string (the name is not shown)",
      );
    }
  }
  return init as Record<string, string>;
}

/**
 * The platform's error for a malformed header quotes the name or value it refused, and header
 * values are where callers put bearer tokens. This one names the header only when its name is
 * well formed, and never shows a value.
 */
function malformedHeaderError(init: HeadersInit, argument: string): ValidationError {
  for (const entry of entriesOf(init)) {
    if (!Array.isArray(entry) || entry.length !== 2) {
      break;
    }
    const [name, value] = entry as [string, string];
    if (!isAccepted([[name, ""]])) {
      return new ValidationError(
        argument,
        "has a name that is not a valid HTTP header name (the name is not shown)",
      );
    }
    if (!isAccepted([["x", value]])) {
      return new ValidationError(
        `${argument}.${name.toLowerCase()}`,
        "is not a valid header value: no line breaks, NUL or characters beyond U+00FF (the value is not shown)",
      );
    }
  }
  return new ValidationError(argument, headersShape);
}

/**
 * grpc-gateway silently drops metadata gRPC does not allow, so a signed key would fail as a bad
 * signature far from its cause; it is refused here instead.
 */
function checkMetadata(headers: Headers, argument: string): void {
  headers.forEach((value, key) => {
    if (!isGrpcMetadataKey(key)) {
      throw new ValidationError(
        argument,
        "has a name gRPC metadata does not allow: only a-z, 0-9, '.', '_' and '-' (the name is not shown)",
      );
    }
    if (!isGrpcMetadataValue(key, value)) {
      throw new ValidationError(
        `${argument}.${key}`,
        "is not valid gRPC metadata: only printable ASCII, unless the name ends in -bin (the value is not shown)",
      );
    }
  });
}

/**
 * Omni's router splits `nodes` on commas without trimming, so the ", " that `Headers` puts
 * between appended values would make every node but the first unknown.
 */
function joinNodes(headers: Headers): void {
  const nodes = headers.get("nodes");
  if (nodes?.includes(", ")) {
    headers.set(
      "nodes",
      nodes
        .split(",")
        .map((node) => node.trim())
        .join(","),
    );
  }
}

/**
 * The request headers of a call, checked as gRPC metadata; a malformed one is a
 * `ValidationError` that shows no value. `argument` is how the caller named the headers.
 */
export function requestHeaders(init: HeadersInit | undefined, argument = "headers"): Headers {
  const checked = checkedHeadersInit(argument, init);
  let headers: Headers;
  try {
    headers = new Headers(checked);
  } catch {
    throw malformedHeaderError(checked ?? {}, argument);
  }
  checkMetadata(headers, argument);
  joinNodes(headers);
  return headers;
}
