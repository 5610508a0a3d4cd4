import { ValidationError } from "../errors.js";

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

/**
 * The platform's error for a malformed header quotes the name or value it refused, and header
 * values are where callers put bearer tokens. This one names the header only when its name is
 * well formed, and never shows a value.
 */
function malformedHeaderError(init: HeadersInit): ValidationError {
  for (const entry of entriesOf(init)) {
    if (!Array.isArray(entry) || entry.length !== 2) {
      break;
    }
    const [name, value] = entry.map(String) as [string, string];
    if (!isAccepted([[name, ""]])) {
      return new ValidationError(
        "headers",
        "has a name that is not a valid HTTP header name (the name is not shown)",
      );
    }
    if (!isAccepted([["x", value]])) {
      return new ValidationError(
        `headers.${name.toLowerCase()}`,
        "is not a valid header value: no line breaks, NUL or characters beyond U+00FF (the value is not shown)",
      );
    }
  }
  return new ValidationError(
    "headers",
    "must be a Headers object, a record of strings or a list of [name, value] pairs",
  );
}

/** The request headers of a call; a malformed one is a `ValidationError` that shows no value. */
export function requestHeaders(init: HeadersInit | undefined): Headers {
  try {
    return new Headers(init);
  } catch {
    throw malformedHeaderError(init ?? {});
  }
}
