import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { createServer as createTlsServer } from "node:tls";
import { createClient } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOmniClient } from "../../src/client.js";
import {
  FailedPreconditionError,
  InternalError,
  type OmniError,
  ResourceExhaustedError,
  UnavailableError,
} from "../../src/errors.js";
import { ManagementService } from "../../src/gen/omni/management/management_pb.js";
import { makeTestCertificates } from "../node/tls-certificates.js";
import {
  type Behaviour,
  type HostileServer,
  hostileTransport,
  settledWithin,
  streamTexts,
  unaryText,
  useHostileServers,
} from "./hostile/index.js";
import { drain, type TransportName, transportNames } from "./support.js";

type ErrorClass = abstract new (...args: never[]) => OmniError;
type CallKind = "unary" | "stream";

/** One row of the table: what a case must end in on every transport that can carry it. */
interface Row {
  case: string;
  behaviour: Behaviour;
  /** The error class; `undefined` for an answer that must come through whole. */
  error: ErrorClass | undefined;
  /** Whether a unary read is sent again (streams never are). */
  retried: boolean;
  /** Transports whose protocol cannot carry the case (RST_STREAM is HTTP/2's, ...). */
  notOn?: readonly TransportName[];
  /** What the message must say. */
  message?: RegExp;
}

const MiB = 1024 * 1024;

/**
 * The rule every transport keeps: a broken answer is INTERNAL (the server's or a proxy's fault,
 * not retried), a lost connection or a server that says it is unavailable is UNAVAILABLE (reads
 * are retried), a redirect is FAILED_PRECONDITION (fixed only by fixing baseUrl), a message over
 * the cap is RESOURCE_EXHAUSTED, and only a cancel the caller asked for is CANCELED.
 */
const table: Row[] = [
  { case: "a well-formed answer", behaviour: { kind: "ok" }, error: undefined, retried: false },
  {
    case: "the connection dropped before the answer",
    behaviour: { kind: "drop-before-answer" },
    error: UnavailableError,
    retried: true,
  },
  {
    case: "the connection dropped mid-body",
    behaviour: { kind: "drop-mid-body" },
    error: UnavailableError,
    retried: true,
  },
  {
    case: "the connection reset (TCP RST) mid-body",
    behaviour: { kind: "reset-mid-body" },
    error: UnavailableError,
    retried: true,
  },
  {
    case: "an answer that ends cleanly in the middle of a message",
    behaviour: { kind: "truncated" },
    error: InternalError,
    retried: false,
  },
  {
    case: "an RST_STREAM (CANCEL) in the middle of a message",
    behaviour: { kind: "rst-mid-message" },
    error: InternalError,
    retried: false,
    notOn: ["gRPC-Web", "gateway"],
  },
  {
    case: "an RST_STREAM (CANCEL) before any answer",
    behaviour: { kind: "rst-cancel" },
    error: UnavailableError,
    retried: true,
    notOn: ["gRPC-Web", "gateway"],
    message: /this client did not cancel it/,
  },
  {
    case: "an HTML page with status 200",
    behaviour: { kind: "html-200" },
    error: InternalError,
    retried: false,
  },
  {
    case: "an HTML page with status 502",
    behaviour: { kind: "html-502" },
    error: UnavailableError,
    retried: true,
  },
  {
    case: "an HTML error page (502) of 100 MiB",
    behaviour: { kind: "huge-error-page", bytes: 100 * MiB },
    error: UnavailableError,
    retried: true,
    notOn: ["native gRPC"],
    message: /^HTTP 502/,
  },
  {
    case: "a redirect",
    behaviour: { kind: "redirect" },
    error: FailedPreconditionError,
    retried: false,
    message: /redirect \(HTTP 302\) to https:\/\/elsewhere\.example\.com\/login; set baseUrl/,
  },
  {
    case: "a status CANCELLED the caller did not ask for",
    behaviour: { kind: "status-canceled" },
    error: UnavailableError,
    retried: true,
    message: /this client did not cancel it/,
  },
  {
    case: "a status UNAVAILABLE",
    behaviour: { kind: "status-unavailable" },
    error: UnavailableError,
    retried: true,
  },
  {
    case: "a status with a message of 20 MiB (60 KB on HTTP/2, whose client reads at most 64 KiB of headers)",
    behaviour: { kind: "huge-status-message", chars: 20 * MiB },
    error: InternalError,
    retried: false,
    message: /^x{4096}… \(\d+ more characters\)$/,
  },
  {
    case: "answer headers of 400 KB",
    behaviour: { kind: "huge-headers", bytes: 400_000 },
    error: ResourceExhaustedError,
    retried: false,
    message: /headers of the answer from .* are larger than/,
  },
  {
    case: "a message of 100 MiB",
    behaviour: { kind: "oversize", bytes: 100 * MiB },
    error: ResourceExhaustedError,
    retried: false,
    message: /maxResponseBytes/,
  },
  {
    case: "a stream or answer that ends without a status",
    behaviour: { kind: "no-status" },
    error: InternalError,
    retried: false,
    notOn: ["gateway"],
  },
];

/** The behaviour as the transport's protocol can carry it. */
function behaviourOn(name: TransportName, behaviour: Behaviour): Behaviour {
  if (behaviour.kind === "huge-status-message" && name === "native gRPC") {
    // nghttp2 refuses a header field over 64 KiB outright (see the Reliability notes).
    return { kind: "huge-status-message", chars: 60_000 };
  }
  return behaviour;
}

const cases = table.flatMap((row) =>
  transportNames
    .filter((name) => !row.notOn?.includes(name))
    .flatMap((name) => (["unary", "stream"] as const).map((kind) => ({ row, name, kind }))),
);

async function call(server: HostileServer, name: TransportName, kind: CallKind) {
  const client = createOmniClient({
    transport: hostileTransport(name, server),
    retry: { maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 1 },
  });
  const raw = createClient(ManagementService, client.transport);
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  const outcome =
    kind === "unary"
      ? raw.omniconfig({}, { timeoutMs: 15_000 }).then((answer) => [decode(answer.omniconfig)])
      : drain(raw.machineLogs({ machineId: "m-1" }, { timeoutMs: 15_000 })).then((chunks) =>
          chunks.map((chunk) => decode(chunk.bytes)),
        );
  return await settledWithin(outcome, 20_000);
}

describe("a hostile server's answers read the same on every transport", () => {
  const serverFor = useHostileServers();

  it.each(cases)("$row.case over $name ($kind)", async ({ row, name, kind }) => {
    const server = serverFor(name);
    server.behave(behaviourOn(name, row.behaviour));
    const outcome = await call(server, name, kind);
    expect(outcome, "the call hung").not.toBe("hung");
    if (outcome === "hung") {
      return;
    }
    if (row.error === undefined) {
      expect(outcome).toEqual({ value: kind === "unary" ? [unaryText] : streamTexts });
      expect(server.stats.requests).toBe(1);
      return;
    }
    expect("error" in outcome, "the call should have failed").toBe(true);
    const error = "error" in outcome ? outcome.error : undefined;
    expect(error).toBeInstanceOf(row.error);
    if (row.message) {
      expect((error as OmniError).rawMessage).toMatch(row.message);
    }
    // A unary read is sent again only when the case is worth retrying; a stream never is.
    expect(server.stats.requests).toBe(kind === "unary" && row.retried ? 2 : 1);
    if (row.behaviour.kind === "oversize" || row.behaviour.kind === "huge-error-page") {
      // The cap is counted while reading: the rest of the 100 MiB is never read.
      expect(server.stats.payloadBytesWritten).toBeLessThan(server.stats.requests * 48 * MiB);
    }
  });
});

describe("plain http:// pointed at a TLS port", () => {
  let url: string;
  let close: () => Promise<void>;

  beforeAll(async () => {
    const certificates = makeTestCertificates();
    const server = createTlsServer(
      { key: certificates.serverKey, cert: certificates.serverCert, ALPNProtocols: ["h2"] },
      (socket) => socket.on("error", () => {}),
    );
    server.on("tlsClientError", () => {});
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => new Promise((resolve) => server.close(() => resolve()));
  });

  afterAll(() => close());

  it.each(transportNames)(
    "is Unavailable over %s, and native gRPC says the server speaks TLS",
    async (name) => {
      const client = createOmniClient({
        transport: hostileTransport(name, { url } as HostileServer),
        retry: false,
      });
      const outcome = await settledWithin(client.management.omniconfig({}, { timeoutMs: 10_000 }));
      expect(outcome).not.toBe("hung");
      const error = outcome !== "hung" && "error" in outcome ? outcome.error : undefined;
      expect(error).toBeInstanceOf(UnavailableError);
      if (name === "native gRPC") {
        expect((error as OmniError).rawMessage).toContain(
          `the server at ${url} seems to speak TLS`,
        );
        expect((error as OmniError).rawMessage).toContain(`use ${url.replace("http:", "https:")}`);
      }
    },
  );
});
