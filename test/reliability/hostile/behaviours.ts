import { create, toBinary } from "@bufbuild/protobuf";
import { DataSchema } from "../../../src/gen/common/common_pb.js";
import { OmniconfigResponseSchema } from "../../../src/gen/omni/management/management_pb.js";

/**
 * What a hostile server does with the next calls. Every server of ours (native gRPC over HTTP/2,
 * gRPC-Web and the JSON gateway over HTTP/1.1) plays each behaviour its protocol can carry.
 */
export type Behaviour =
  /** A well-formed answer: one message for a unary call, two then OK for a stream. */
  | { kind: "ok" }
  /** The connection is closed as soon as the request arrives. */
  | { kind: "drop-before-answer" }
  /** Headers and half a message, then the connection is closed. */
  | { kind: "drop-mid-body" }
  /** Headers and half a message, then the connection is reset (a TCP RST). */
  | { kind: "reset-mid-body" }
  /** Headers and half a message, then the answer ends cleanly. */
  | { kind: "truncated" }
  /** HTTP/2 only: half a message, then RST_STREAM with CANCEL. */
  | { kind: "rst-mid-message" }
  /** HTTP/2 only: RST_STREAM with CANCEL before any answer. */
  | { kind: "rst-cancel" }
  /** An HTML page with status 200. */
  | { kind: "html-200" }
  /** An HTML page with status 502, as a load balancer answers. */
  | { kind: "html-502" }
  /** HTTP/1.1 only: an HTML error page (status 502) of `bytes` bytes. */
  | { kind: "huge-error-page"; bytes: number }
  /** A 302 to another host. */
  | { kind: "redirect" }
  /** A gRPC status CANCELLED the client did not ask for (a proxy or a server shutting down). */
  | { kind: "status-canceled" }
  /** A gRPC status UNAVAILABLE. */
  | { kind: "status-unavailable" }
  /** A gRPC status INTERNAL whose message has `chars` characters. */
  | { kind: "huge-status-message"; chars: number }
  /** Answer headers of about `bytes` bytes in all, in fields of at most 40,000 bytes each. */
  | { kind: "huge-headers"; bytes: number }
  /** A message of `bytes` bytes, announced and written out (until the client goes). */
  | { kind: "oversize"; bytes: number }
  /** A message of `bytes` bytes and then OK, to check a cap lets what is under it through. */
  | { kind: "sized"; bytes: number }
  /** gRPC and gRPC-Web only: a whole message, then the answer ends without a status. */
  | { kind: "no-status" }
  /** Headers and half a message, then silence until the client goes. */
  | { kind: "stall" }
  /** The request is read and never answered. */
  | { kind: "silent" };

export type BehaviourKind = Behaviour["kind"];

/** What a hostile server saw, for tests to check what left the client. */
export interface HostileStats {
  /** TCP connections accepted. */
  connections: number;
  /** Calls that reached the server: HTTP/2 streams, HTTP/1.1 requests. */
  requests: number;
  /** Calls whose answer was closed before the server ended it (the client went away). */
  closedEarly: number;
  /** Calls that were sent half a message and are waiting (`stall`). */
  stalled: number;
  /** Bytes of message payload written for `oversize`. */
  payloadBytesWritten: number;
}

export interface HostileServer {
  /** The base URL the transport of this protocol takes. */
  readonly url: string;
  readonly stats: HostileStats;
  behave(behaviour: Behaviour): void;
  /** Zeroes the counters. */
  reset(): void;
  close(): Promise<void>;
}

export function emptyStats(): HostileStats {
  return { connections: 0, requests: 0, closedEarly: 0, stalled: 0, payloadBytesWritten: 0 };
}

export const unaryPath = "/management.ManagementService/Omniconfig";
export const streamPath = "/management.ManagementService/MachineLogs";

/** The document of the unary answer, and the chunks of a stream. */
export const unaryText = "contexts: {}";
export const streamTexts = ["first line\n", "second line\n"];

const encoder = new TextEncoder();

export function unaryMessage(): Uint8Array {
  return toBinary(
    OmniconfigResponseSchema,
    create(OmniconfigResponseSchema, { omniconfig: encoder.encode(unaryText) }),
  );
}

export function streamMessage(text: string): Uint8Array {
  return toBinary(DataSchema, create(DataSchema, { bytes: encoder.encode(text) }));
}

/** A gRPC length-prefixed message (flags 0, or 0x80 for a gRPC-Web trailer frame). */
export function envelope(data: Uint8Array, flags = 0, length = data.byteLength): Uint8Array {
  const out = new Uint8Array(5 + data.byteLength);
  const view = new DataView(out.buffer);
  view.setUint8(0, flags);
  view.setUint32(1, length);
  out.set(data, 5);
  return out;
}

/**
 * The tag and length of a protobuf bytes field of `length` bytes: field 1 of the unary answer
 * (`OmniconfigResponse.omniconfig`), field 2 of a stream's (`Data.bytes`).
 */
export function fieldHeader(field: number, length: number): Uint8Array {
  const bytes = [(field << 3) | 2];
  let rest = length;
  while (rest >= 0x80) {
    bytes.push((rest & 0x7f) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  bytes.push(rest);
  return new Uint8Array(bytes);
}

/** Header fields of `bytes` bytes in all that HPACK cannot shrink, at most 40,000 bytes each. */
export function paddingHeaders(bytes: number): Record<string, string> {
  const headers: Record<string, string> = {};
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  let seed = 7;
  for (let index = 0; index * 40_000 < bytes; index++) {
    let value = "";
    for (let char = 0; char < Math.min(40_000, bytes - index * 40_000); char++) {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      value += alphabet[seed % alphabet.length];
    }
    headers[`x-padding-${index}`] = value;
  }
  return headers;
}

export const htmlPage =
  "<!DOCTYPE html><html><head><title>Sign in</title></head><body><h1>Please sign in</h1>" +
  "<p>This page is served by a proxy in front of the API.</p></body></html>";

export const redirectTarget = "https://elsewhere.example.com/login";

/** Long-running server work ends by itself after this, whatever the client does. */
export const serverWorkLimitMs = 20_000;

/**
 * Writes `total` bytes of `fill` in chunks of 1 MiB through `write`, waiting for the peer to
 * drain, until done or `gone()`; counts each chunk in `stats`. Returns whether all were written.
 */
export async function writeOut(
  total: number,
  fill: number,
  write: (chunk: Uint8Array) => boolean,
  drained: () => Promise<void>,
  gone: () => boolean,
  stats: HostileStats,
): Promise<boolean> {
  const chunkBytes = 1024 * 1024;
  const chunk = new Uint8Array(chunkBytes).fill(fill);
  const giveUpAt = Date.now() + serverWorkLimitMs;
  let written = 0;
  while (written < total) {
    if (gone() || Date.now() > giveUpAt) {
      return false;
    }
    const size = Math.min(chunkBytes, total - written);
    const piece = size === chunkBytes ? chunk : chunk.subarray(0, size);
    written += size;
    stats.payloadBytesWritten += size;
    if (!write(piece)) {
      await drained();
    }
  }
  return true;
}
