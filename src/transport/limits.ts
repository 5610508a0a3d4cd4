import { Code, ConnectError } from "@connectrpc/connect";

/**
 * The largest message a transport reads by default: 32 MiB, Omni's own limit for one message in
 * either direction (`GRPCMaxMessageSize`, which its Go client uses too). A gateway answer counts
 * whole for a unary call and line by line for a stream; gRPC and gRPC-Web count each message.
 */
export const DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

/** The largest cap a gRPC length prefix can state (four bytes). */
export const LARGEST_MAX_RESPONSE_BYTES = 0xffff_ffff;

/**
 * The most characters of an error message that came from the other side (a gRPC status message,
 * a gateway's `message`, a trailer). Omni's own messages (a validation failure listing every
 * problem) stay well under it; anything longer is cut, with a note of how long it was.
 */
export const MAX_ERROR_MESSAGE_CHARS = 4096;

/**
 * The most characters quoted from an answer that is not a status at all (a proxy's HTML page, a
 * load balancer's plain text): enough to show its complaint, never the whole page.
 */
export const MAX_EXCERPT_CHARS = 160;

/**
 * `text` cut to at most `maxChars` characters, with what was left out named, so a 20 MiB status
 * message costs a few kilobytes in `error.message`, logs and `JSON.stringify`.
 */
export function boundText(text: string, maxChars: number): string {
  if (text.length <= maxChars) {
    return text;
  }
  return `${text.slice(0, maxChars)}… (${text.length - maxChars} more characters)`;
}

/** A message from the other side, bounded by `MAX_ERROR_MESSAGE_CHARS`. */
export function boundMessage(text: string): string {
  return boundText(text, MAX_ERROR_MESSAGE_CHARS);
}

/** The start of a foreign answer on one line, bounded by `MAX_EXCERPT_CHARS`. */
export function excerptOf(text: string): string {
  // Only the start is ever shown: collapsing a whole 30 MiB page first would cost for nothing.
  const start = text.slice(0, MAX_EXCERPT_CHARS * 4);
  const excerpt = start.replace(/\s+/g, " ").trim();
  return excerpt.length > MAX_EXCERPT_CHARS || start.length < text.length
    ? `${excerpt.slice(0, MAX_EXCERPT_CHARS)}…`
    : excerpt;
}

/** The error for an answer larger than the transport reads: `RESOURCE_EXHAUSTED`, never retried. */
export function responseTooLarge(
  what: string,
  bytes: number | undefined,
  max: number,
): ConnectError {
  const size = bytes === undefined ? "more than" : `${bytes} bytes, more than`;
  return new ConnectError(
    `${what} is ${size} the ${max} bytes this transport reads (maxResponseBytes)`,
    Code.ResourceExhausted,
  );
}
