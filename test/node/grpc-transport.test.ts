import {
  createSecureServer,
  createServer,
  type Http2SecureServer,
  type Http2Server,
  type ServerHttp2Session,
} from "node:http2";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { Code, ConnectError, type ConnectRouter, createClient } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type OmniEmulator, startOmniEmulator } from "../../src/emulator/index.js";
import { ValidationError } from "../../src/errors.js";
import { ManagementService } from "../../src/gen/omni/management/management_pb.js";
import { createGrpcTransport, resolveGrpcEndpoint } from "../../src/node/grpc-transport.js";
import { makeTestCertificates, type TestCertificates } from "./tls-certificates.js";

function routes(router: ConnectRouter) {
  router.service(ManagementService, {
    omniconfig: (_request, context) => ({
      omniconfig: new TextEncoder().encode(
        `seen cluster=${context.requestHeader.get("cluster") ?? ""}`,
      ),
    }),
  });
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

async function listen(server: Http2Server | Http2SecureServer): Promise<number> {
  // The client keeps its HTTP/2 session open while idle; closing the server must end them.
  const sessions = new Set<ServerHttp2Session>();
  server.on("session", (session: ServerHttp2Session) => {
    sessions.add(session);
    session.on("close", () => sessions.delete(session));
  });
  openSessions.set(server, sessions);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

const openSessions = new Map<Http2Server | Http2SecureServer, Set<ServerHttp2Session>>();

function close(server: Http2Server | Http2SecureServer): Promise<void> {
  for (const session of openSessions.get(server) ?? []) {
    session.destroy();
  }
  return new Promise((resolve) => server.close(() => resolve()));
}

describe("createGrpcTransport over TLS", () => {
  let certificates: TestCertificates;
  let server: Http2SecureServer;
  let url: string;

  beforeAll(async () => {
    certificates = makeTestCertificates();
    server = createSecureServer(
      { key: certificates.serverKey, cert: certificates.serverCert },
      connectNodeAdapter({ routes }),
    );
    url = `https://127.0.0.1:${await listen(server)}`;
  });

  afterAll(async () => {
    await close(server);
  });

  it("trusts a server signed by the CA given in tls.ca", async () => {
    const transport = createGrpcTransport({ baseUrl: url, tls: { ca: certificates.caCert } });
    const response = await createClient(ManagementService, transport).omniconfig(
      {},
      { headers: { cluster: "prod" } },
    );
    expect(text(response.omniconfig)).toBe("seen cluster=prod");
  });

  it("accepts the CA as bytes inside a list", async () => {
    const transport = createGrpcTransport({
      baseUrl: url,
      tls: { ca: [new TextEncoder().encode(certificates.caCert)] },
    });
    await expect(createClient(ManagementService, transport).omniconfig({})).resolves.toBeDefined();
  });

  it("rejects the same server without the CA", async () => {
    const transport = createGrpcTransport({ baseUrl: url });
    const error = await createClient(ManagementService, transport)
      .omniconfig({})
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(ConnectError);
    expect(String((error as ConnectError).message)).toMatch(/certificate/i);
  });

  it("connects without the CA only when insecureSkipVerify is set", async () => {
    const transport = createGrpcTransport({ baseUrl: url, tls: { insecureSkipVerify: true } });
    await expect(createClient(ManagementService, transport).omniconfig({})).resolves.toBeDefined();
  });
});

describe("createGrpcTransport over cleartext HTTP/2", () => {
  let server: Http2Server;
  let port: number;

  beforeAll(async () => {
    server = createServer(connectNodeAdapter({ routes }));
    port = await listen(server);
  });

  afterAll(async () => {
    await close(server);
  });

  it.each(["http", "grpc"])("speaks h2c to a %s:// URL, ignoring its path", async (scheme) => {
    const transport = createGrpcTransport({
      baseUrl: `${scheme}://127.0.0.1:${port}/ignored/path`,
    });
    const response = await createClient(ManagementService, transport).omniconfig({});
    expect(text(response.omniconfig)).toBe("seen cluster=");
  });

  it("reports a refused connection as unavailable", async () => {
    const stopped = createServer();
    const stoppedPort = await listen(stopped);
    await close(stopped);
    const transport = createGrpcTransport({ baseUrl: `http://127.0.0.1:${stoppedPort}` });
    const error = await createClient(ManagementService, transport)
      .omniconfig({})
      .catch((e: unknown) => e);
    expect((error as ConnectError).code).toBe(Code.Unavailable);
  });
});

describe("createGrpcTransport pointed at a port that speaks HTTP/1.1", () => {
  let emulator: OmniEmulator;

  beforeAll(async () => {
    emulator = await startOmniEmulator({ simulation: false });
  });

  afterAll(async () => {
    await emulator.close();
  });

  const wrongPort =
    "not HTTP/2 gRPC: is this the gRPC-Web or gateway port? createGrpcTransport needs the port that serves gRPC over HTTP/2";

  it("names what the emulator's gRPC-Web port answered, for unary calls and streams", async () => {
    const transport = createGrpcTransport({ baseUrl: emulator.grpcWebUrl });
    const management = createClient(ManagementService, transport);
    const unary = ConnectError.from(await management.omniconfig({}).catch((e: unknown) => e));
    expect(unary.code).toBe(Code.Unavailable);
    expect(unary.rawMessage).toContain(`the server at ${emulator.grpcWebUrl} answered HTTP/1.1 (`);
    expect(unary.rawMessage).toContain(wrongPort);
    const stream = await (async () => {
      for await (const _ of management.machineLogs({ machineId: "any" })) {
        // Only the error matters.
      }
    })().catch((e: unknown) => ConnectError.from(e));
    expect(stream?.code).toBe(Code.Unavailable);
    expect(stream?.rawMessage).toContain(wrongPort);
  });

  it("names the content type and the HTTP version over TLS too", async () => {
    const certificates = makeTestCertificates();
    const server = createHttpsServer(
      { key: certificates.serverKey, cert: certificates.serverCert },
      (_req, res) => {
        res.writeHead(415, { "content-type": "application/grpc-web+proto" }).end();
      },
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const baseUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const transport = createGrpcTransport({ baseUrl, tls: { ca: certificates.caCert } });
      const error = ConnectError.from(
        await createClient(ManagementService, transport)
          .omniconfig({})
          .catch((e: unknown) => e),
      );
      expect(error.code).toBe(Code.Unavailable);
      expect(error.rawMessage).toBe(
        `the server at ${baseUrl} answered HTTP/1.1 (status 415, content-type application/grpc-web+proto), ${wrongPort} (the emulator's \`url\`); that port takes createGrpcWebTransport or createGatewayTransport`,
      );
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe("resolveGrpcEndpoint", () => {
  it.each([
    ["https://omni.example.com", "https://omni.example.com:443", true],
    ["https://omni.example.com:8443/some/path", "https://omni.example.com:8443", true],
    ["http://omni.internal", "http://omni.internal:80", false],
    ["grpc://127.0.0.1:8080", "http://127.0.0.1:8080", false],
    ["http://[::1]:8080", "http://[::1]:8080", false],
  ])("reads %s as %s", (input, baseUrl, secure) => {
    expect(resolveGrpcEndpoint(input)).toEqual({ baseUrl, secure });
  });

  it.each([
    ["", "must be the URL"],
    ["omni.example.com", "not a URL"],
    ["ftp://omni.example.com", 'scheme "ftp:"'],
    ["https://me:secret@omni.example.com", "credentials"],
  ])("rejects %j", (input, message) => {
    expect(() => resolveGrpcEndpoint(input)).toThrow(ValidationError);
    expect(() => resolveGrpcEndpoint(input)).toThrow(message);
  });

  it.each([
    ["omni.example.com:443", "https://omni.example.com:443"],
    ["127.0.0.1:8080", "https://127.0.0.1:8080"],
    ["localhost:8080/", "https://localhost:8080"],
  ])("suggests a scheme for the bare host and port %j", (input, suggestion) => {
    expect(() => resolveGrpcEndpoint(input, "OMNI_ENDPOINT")).toThrow(
      `OMNI_ENDPOINT: has no scheme; for host ${input.replace(/:.*/, "")} and port`,
    );
    expect(() => resolveGrpcEndpoint(input)).toThrow(`write ${suggestion}`);
  });

  it.each([
    ["a service-account key", "eyJuYW1lIjoiY2kiLCJwZ3Bfa2V5IjoiLS0tLS1CRUdJTiBQR1Ag", "eyJuYW1l"],
    ["text with a colon", "s3cr3t-value:with-a-colon", "s3cr3t"],
    ["a long scheme", "averyveryverylongschemename://host", "averyvery"],
    ["a username as scheme", "jane:s3cr3t@omni.example.com", "jane"],
    ["an unparsable URL", "https://exa mple.com/s3cr3t", "s3cr3t"],
  ])("describes %s without repeating it", (_what, input, secret) => {
    const error = (() => {
      try {
        resolveGrpcEndpoint(input);
      } catch (e) {
        return e as ValidationError;
      }
      throw new Error("expected a ValidationError");
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect(`${error.message} ${JSON.stringify(error)}`).not.toContain(secret);
  });
});

describe("createGrpcTransport options", () => {
  it("refuses TLS options on a cleartext URL", () => {
    expect(() =>
      createGrpcTransport({ baseUrl: "http://127.0.0.1:1", tls: { insecureSkipVerify: true } }),
    ).toThrow(/tls: applies only to https/);
  });

  it.each([[-1], [Number.POSITIVE_INFINITY], [30 * 24 * 3600_000]])(
    "refuses defaultTimeoutMs %s",
    (defaultTimeoutMs) => {
      expect(() =>
        createGrpcTransport({ baseUrl: "https://omni.example.com", defaultTimeoutMs }),
      ).toThrow(/defaultTimeoutMs: must be/);
    },
  );

  it("refuses a CA that is a file path instead of PEM", () => {
    expect(() =>
      createGrpcTransport({ baseUrl: "https://omni.example.com", tls: { ca: "/etc/ssl/ca.pem" } }),
    ).toThrow(/tls.ca: is not a PEM certificate/);
  });
});
