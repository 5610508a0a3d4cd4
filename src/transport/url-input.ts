import { ValidationError } from "../errors.js";

// A DNS name or IPv4 address, then a port: the only shape of text that is safe to repeat back,
// because no key, token or base64 document looks like it.
const hostAndPort =
  /^((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*):(\d{1,5})\/?$/i;
const plainScheme = /^[a-z][a-z0-9+.-]{0,15}:$/;
const anyScheme = /^[a-z][a-z0-9+.-]*:/i;

/**
 * Parses the text a user gave as Omni's URL. Errors say what is wrong without repeating the
 * text: when an endpoint variable is swapped with a key variable, the "URL" is the key. Only a
 * plain `host:port`, which needs nothing but a scheme, is echoed, so the fix can be spelled out.
 */
export function parseUrlInput(text: string, argument: string, example: string): URL {
  const hostPort = hostAndPort.exec(text);
  if (hostPort !== null) {
    const [, host, port] = hostPort;
    throw new ValidationError(
      argument,
      `has no scheme; for host ${host} and port ${port} write https://${host}:${port}`,
    );
  }
  if (!anyScheme.test(text)) {
    throw new ValidationError(
      argument,
      `is not a URL (it does not start with a scheme such as https://); expected one like ${example}`,
    );
  }
  try {
    return new URL(text);
  } catch {
    throw new ValidationError(argument, `is not a valid URL; expected one like ${example}`);
  }
}

/**
 * How a message names a URL's scheme: by its text only when it is short and plain and followed
 * by `//`, as in `ftp://`; `name:secret@host` parses as a URL too, with a "scheme" of `name:`.
 */
export function describeScheme(url: URL): string {
  const shown = plainScheme.test(url.protocol) && url.href.startsWith(`${url.protocol}//`);
  return shown ? `scheme "${url.protocol}"` : "its scheme";
}
