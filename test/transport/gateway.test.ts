import { create, createRegistry, toBinary } from "@bufbuild/protobuf";
import { anyUnpack } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, createClient, type Interceptor } from "@connectrpc/connect";
import { afterEach, describe, expect, it } from "vitest";
import { createOmniClient } from "../../src/client.js";
import { FailedPreconditionError, ValidationError } from "../../src/errors.js";
import { DataSchema } from "../../src/gen/common/common_pb.js";
import { ManagementService } from "../../src/gen/omni/management/management_pb.js";
import { ClusterSpecSchema } from "../../src/gen/omni/specs/omni_pb.js";
import {
  MachineService,
  ServiceStateEvent_Action,
  ServiceStateEventSchema,
} from "../../src/gen/talos/machine/machine_pb.js";
import { createGatewayTransport } from "../../src/transport/gateway-transport.js";
import { chunkedFetch, startRecordedGateway } from "./recorded-gateway.js";

type Gateway = Awaited<ReturnType<typeof startRecordedGateway>>;
let gateway: Gateway | undefined;

afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
});

async function caught(promise: Promise<unknown>): Promise<ConnectError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConnectError);
  return error as ConnectError;
}

/** A generated ManagementService client on a plain gateway transport to `baseUrl`. */
function managementOver(baseUrl: string) {
  return createClient(ManagementService, createGatewayTransport({ baseUrl }));
}

async function drain<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of stream) {
    items.push(item);
  }
  return items;
}

const base64 = (text: string) => Buffer.from(text).toString("base64");

describe("createGatewayTransport: unary", () => {
  it("posts lowerCamel JSON to /api/<Service>/<Method> and reads snake_case answers", async () => {
    gateway = await startRecordedGateway((_req, res) => {
      res.writeHead(200, {
        "content-type": "application/json",
        "grpc-metadata-x-served-by": "omni-1",
        "grpc-trailer-x-took": "3ms",
      });
      res.end(JSON.stringify({ kubeconfig: base64("apiVersion: v1\n"), unknown_field: 1 }));
    });
    const client = createClient(
      ManagementService,
      createGatewayTransport({ baseUrl: `${gateway.url}/` }),
    );
    let served: string | null = null;
    let took: string | null = null;
    const response = await client.kubeconfig(
      { serviceAccount: true, serviceAccountUser: "ci-bot" },
      {
        headers: { cluster: "talos-default", runtime: "Omni" },
        onHeader: (h) => {
          served = h.get("x-served-by");
        },
        onTrailer: (t) => {
          took = t.get("x-took");
        },
      },
    );
    expect(new TextDecoder().decode(response.kubeconfig)).toBe("apiVersion: v1\n");
    expect(served).toBe("omni-1");
    expect(took).toBe("3ms");
    const [request] = gateway.requests;
    expect(request?.method).toBe("POST");
    expect(request?.path).toBe("/api/management.ManagementService/Kubeconfig");
    expect(JSON.parse(request?.body ?? "")).toEqual({
      serviceAccount: true,
      serviceAccountUser: "ci-bot",
    });
    expect(request?.headers["content-type"]).toBe("application/json");
    expect(request?.headers["grpc-metadata-cluster"]).toBe("talos-default");
    expect(request?.headers["grpc-metadata-runtime"]).toBe("Omni");
  });

  it("does not add a second /api when the base URL already ends in it", async () => {
    gateway = await startRecordedGateway((_req, res) => res.end("{}"));
    const client = createClient(
      ManagementService,
      createGatewayTransport({ baseUrl: `${gateway.url}/api` }),
    );
    await client.omniconfig({});
    expect(gateway.requests[0]?.path).toBe("/api/management.ManagementService/Omniconfig");
  });

  it("sends what interceptors add as Grpc-Metadata headers", async () => {
    gateway = await startRecordedGateway((_req, res) => res.end("{}"));
    const seen: string[] = [];
    const signer: Interceptor = (next) => async (req) => {
      seen.push(`${req.service.typeName}/${req.method.name} ${req.url}`);
      req.header.set("x-sidero-signature", "siderov1 ci 0123 AAAA");
      return await next(req);
    };
    const client = createClient(
      ManagementService,
      createGatewayTransport({ baseUrl: gateway.url, interceptors: [signer] }),
    );
    await client.omniconfig({});
    expect(seen).toEqual([
      `management.ManagementService/Omniconfig ${gateway.url}/api/management.ManagementService/Omniconfig`,
    ]);
    expect(gateway.requests[0]?.headers["grpc-metadata-x-sidero-signature"]).toBe(
      "siderov1 ci 0123 AAAA",
    );
  });

  it.each([
    [403, { code: 7, message: "insufficient role" }, Code.PermissionDenied, "insufficient role"],
    [401, { code: 16, message: "invalid signature" }, Code.Unauthenticated, "invalid signature"],
    [
      404,
      { code: 5, message: "cluster x doesn't exist" },
      Code.NotFound,
      "cluster x doesn't exist",
    ],
    [404, { code: 5, message: "Not Found" }, Code.Unimplemented, "no such method"],
    [409, { code: 6, message: "exists", details: [] }, Code.AlreadyExists, "exists"],
    [400, { code: 9, message: "EULA has not been accepted" }, Code.FailedPrecondition, "EULA"],
    // Not grpc-gateway's: no gRPC code, so the HTTP status decides.
    [401, { message: "Unauthorized" }, Code.Unauthenticated, "Unauthorized"],
    [503, { message: "no healthy upstream" }, Code.Unavailable, "no healthy upstream"],
    [502, { code: 502, message: "Bad Gateway" }, Code.Unavailable, "Bad Gateway"],
  ])("maps a %i JSON body to its code", async (status, body, code, message) => {
    gateway = await startRecordedGateway((_req, res) => {
      res.writeHead(status, { "content-type": "application/json", "grpc-metadata-trace": "t1" });
      res.end(JSON.stringify(body));
    });
    const client = managementOver(gateway.url);
    const error = await caught(client.omniconfig({}));
    expect(error.code).toBe(code);
    expect(error.rawMessage).toContain(message);
    expect(error.metadata.get("trace")).toBe("t1");
  });

  it.each([
    [
      502,
      "<html><body><h1>502 Bad Gateway</h1></body></html>",
      Code.Unavailable,
      "502 Bad Gateway",
    ],
    [503, "upstream connect error", Code.Unavailable, "upstream connect error"],
    [401, "", Code.Unauthenticated, "HTTP 401"],
    [429, "slow down", Code.ResourceExhausted, "slow down"],
    [404, "404 page not found\n", Code.Unimplemented, "HTTP 404"],
    [404, "<html>no such page</html>", Code.Unimplemented, "no such page"],
    [400, "The plain HTTP request was sent to HTTPS port", Code.Internal, "plain HTTP"],
    [405, "read-only", Code.Unimplemented, "read-only"],
    [418, "teapot", Code.Unknown, "HTTP 418"],
  ])("maps a %i non-JSON body from a proxy by status", async (status, body, code, message) => {
    gateway = await startRecordedGateway((_req, res) => {
      res.writeHead(status, { "content-type": "text/html" });
      res.end(body);
    });
    const client = managementOver(gateway.url);
    const error = await caught(client.omniconfig({}));
    expect(error.code).toBe(code);
    expect(error.rawMessage).toContain(message);
  });

  it("takes an empty 200 body only where the answer is google.protobuf.Empty", async () => {
    gateway = await startRecordedGateway((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end("");
    });
    const client = managementOver(gateway.url);
    await expect(client.destroyServiceAccount({ name: "ci" })).resolves.toBeDefined();
    const error = await caught(client.omniconfig({}));
    expect(error.code).toBe(Code.Internal);
    expect(error.rawMessage).toContain("empty body where management.OmniconfigResponse belongs");
  });

  it("fails with a deadline error when the gateway does not answer in time", async () => {
    gateway = await startRecordedGateway(() => {
      // Never answers.
    });
    const client = managementOver(gateway.url);
    const error = await caught(client.omniconfig({}, { timeoutMs: 50 }));
    expect(error.code).toBe(Code.DeadlineExceeded);
    expect(gateway.requests[0]?.headers["grpc-timeout"]).toBe("50m");
    await gateway.requests[0]?.closedEarly;
  });

  it("applies defaultTimeoutMs, and a per-call timeout of zero or less turns it off", async () => {
    gateway = await startRecordedGateway((req, res) => {
      if (req.headers["grpc-timeout"] === undefined) {
        res.end("{}");
      }
    });
    const transport = createGatewayTransport({ baseUrl: gateway.url, defaultTimeoutMs: 40 });
    const client = createClient(ManagementService, transport);
    expect((await caught(client.omniconfig({}))).code).toBe(Code.DeadlineExceeded);
    await expect(client.omniconfig({}, { timeoutMs: 0 })).resolves.toBeDefined();
  });

  it("cancels through an AbortSignal and closes the request", async () => {
    gateway = await startRecordedGateway(() => {
      // Never answers.
    });
    const client = managementOver(gateway.url);
    const controller = new AbortController();
    const call = client.omniconfig({}, { signal: controller.signal });
    await waitFor(() => gateway?.requests.length === 1);
    controller.abort();
    expect((await caught(call)).code).toBe(Code.Canceled);
    await gateway.requests[0]?.closedEarly;
  });

  it("reports an unreachable gateway as unavailable", async () => {
    const closed = await startRecordedGateway(() => {});
    await closed.close();
    const client = managementOver(closed.url);
    const error = await caught(client.omniconfig({}));
    expect(error.code).toBe(Code.Unavailable);
    expect(error.rawMessage).toContain("cannot reach the Omni gateway");
  });

  it("fails a redirect for good, once, saying where it pointed", async () => {
    gateway = await startRecordedGateway((_req, res) => {
      res.writeHead(308, { location: "https://omni.example.com/api/new-home" });
      res.end();
    });
    // The client's default retry policy retries UNAVAILABLE reads; a redirect must not be one.
    const client = createOmniClient({
      transport: createGatewayTransport({ baseUrl: gateway.url }),
    });
    const error = await client.management.omniconfig().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FailedPreconditionError);
    expect((error as FailedPreconditionError).rawMessage).toBe(
      "the Omni gateway answered with a redirect (HTTP 308) to https://omni.example.com/api/new-home; set baseUrl to the address Omni answers at directly",
    );
    expect(gateway.requests).toHaveLength(1);
  });

  it("leaves out a redirect target that carries a query or credentials", async () => {
    for (const location of [
      "https://sso.example.com/login?state=s3cr3t",
      "https://user:s3cr3t@omni.example.com/",
    ]) {
      const client = createClient(
        ManagementService,
        createGatewayTransport({
          baseUrl: "http://omni.test",
          fetch: async () => new Response(null, { status: 302, headers: { location } }),
        }),
      );
      const error = await caught(client.omniconfig({}));
      expect(error.code).toBe(Code.FailedPrecondition);
      expect(error.rawMessage).toMatch(/^the Omni gateway answered with a redirect \(HTTP 302\);/);
      expect(error.rawMessage).not.toContain("s3cr3t");
    }
  });

  it("reports a connection lost while reading the answer as unavailable", async () => {
    gateway = await startRecordedGateway((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"kubeconfig": "YXBp');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    const client = managementOver(gateway.url);
    const error = await caught(client.kubeconfig({}));
    expect(error.code).toBe(Code.Unavailable);
    expect(error.rawMessage).toContain(
      "the connection to the Omni gateway was lost while reading the answer",
    );
  });

  it("reports a deadline or an abort that cuts an answer short as such", async () => {
    gateway = await startRecordedGateway((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"kubeconfig": "YXBp');
    });
    const client = managementOver(gateway.url);
    expect((await caught(client.kubeconfig({}, { timeoutMs: 100 }))).code).toBe(
      Code.DeadlineExceeded,
    );
    const controller = new AbortController();
    const call = client.kubeconfig({}, { signal: controller.signal });
    await waitFor(() => gateway?.requests.length === 2);
    setTimeout(() => controller.abort(), 20);
    expect((await caught(call)).code).toBe(Code.Canceled);
  });

  it("rejects an answer that is not JSON as a protocol error", async () => {
    const client = createClient(
      ManagementService,
      createGatewayTransport({
        baseUrl: "http://omni.test",
        fetch: chunkedFetch(["<html>login</html>"]),
      }),
    );
    expect((await caught(client.omniconfig({}))).code).toBe(Code.Internal);
  });
});

describe("createGatewayTransport: server streaming", () => {
  const line = (hostname: string, text: string) =>
    `${JSON.stringify({ result: { metadata: { hostname }, bytes: base64(text) } })}\n`;

  function logsClient(chunks: (string | Uint8Array)[], init?: ResponseInit) {
    return createClient(
      ManagementService,
      createGatewayTransport({ baseUrl: "http://omni.test", fetch: chunkedFetch(chunks, init) }),
    );
  }

  it("reads lines split across chunks, inside a line and inside a UTF-8 character", async () => {
    const body = new TextEncoder().encode(
      `${line("nœud-1", "first")}\n${line("nœud-€", "second")}\r\n\n${line("n3", "third")}`,
    );
    const euro = body.indexOf(0xe2); // the first byte of "€"
    const chunks = [body.slice(0, 7), body.slice(7, euro + 1), body.slice(euro + 1)];
    const items = await drain(logsClient(chunks).machineLogs({ machineId: "m1" }));
    expect(items.map((item) => item.metadata?.hostname)).toEqual(["nœud-1", "nœud-€", "n3"]);
    expect(items.map((item) => new TextDecoder().decode(item.bytes))).toEqual([
      "first",
      "second",
      "third",
    ]);
  });

  it("accepts a last line without a trailing newline", async () => {
    const items = await drain(
      logsClient([line("a", "1"), line("b", "2").trimEnd()]).machineLogs({ machineId: "m" }),
    );
    expect(items).toHaveLength(2);
  });

  it("yields the messages before an error line, then throws its status", async () => {
    const stream = logsClient([
      line("a", "1"),
      line("b", "2"),
      `${JSON.stringify({ error: { code: 14, message: "machine went away", details: [] } })}\n`,
      line("c", "never"),
    ]).machineLogs({ machineId: "m" });
    const seen: string[] = [];
    const error = await caught(
      (async () => {
        for await (const item of stream) {
          seen.push(item.metadata?.hostname ?? "");
        }
      })(),
    );
    expect(seen).toEqual(["a", "b"]);
    expect(error.code).toBe(Code.Unavailable);
    expect(error.rawMessage).toBe("machine went away");
  });

  it("fails before the first message when the gateway answers with an error status", async () => {
    const stream = logsClient([JSON.stringify({ code: 16, message: "invalid signature" })], {
      status: 401,
    }).machineLogs({ machineId: "m" });
    const error = await caught(drain(stream));
    expect(error.code).toBe(Code.Unauthenticated);
    expect(error.rawMessage).toBe("invalid signature");
  });

  it("streams from a real server as lines arrive, and cancels mid-stream", async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    gateway = await startRecordedGateway((_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "grpc-metadata-node": "n1" });
      res.write(line("first", "x"));
      void released.then(() => res.write(line("second", "y")));
    });
    const client = managementOver(gateway.url);
    const controller = new AbortController();
    const iterator = client
      .machineLogs({ machineId: "m", follow: true }, { signal: controller.signal })
      [Symbol.asyncIterator]();
    expect((await iterator.next()).value?.metadata?.hostname).toBe("first");
    release();
    expect((await iterator.next()).value?.metadata?.hostname).toBe("second");
    const pending = iterator.next();
    controller.abort();
    expect((await caught(pending)).code).toBe(Code.Canceled);
    await gateway.requests[0]?.closedEarly;
    expect(JSON.parse(gateway.requests[0]?.body ?? "")).toEqual({ machineId: "m", follow: true });
  });

  it("ends a stream with a deadline error when timeoutMs passes", async () => {
    gateway = await startRecordedGateway((_req, res) => {
      res.writeHead(200);
      res.write(line("only", "x"));
    });
    const client = managementOver(gateway.url);
    const seen: string[] = [];
    const error = await caught(
      (async () => {
        for await (const item of client.machineLogs({ machineId: "m" }, { timeoutMs: 100 })) {
          seen.push(item.metadata?.hostname ?? "");
        }
      })(),
    );
    expect(seen).toEqual(["only"]);
    expect(error.code).toBe(Code.DeadlineExceeded);
  });

  it("decodes google.protobuf.Any content from the called service's own proto file", async () => {
    const event = {
      metadata: { hostname: "cp-1" },
      data: {
        "@type": "type.googleapis.com/machine.ServiceStateEvent",
        service: "etcd",
        action: 3,
        message: "Health check successful",
      },
      id: "d2n5",
      actor_id: "",
    };
    const client = createClient(
      MachineService,
      createGatewayTransport({
        baseUrl: "http://omni.test",
        fetch: chunkedFetch([`${JSON.stringify({ result: event })}\n`]),
      }),
    );
    const [received] = await drain(client.events({ tailEvents: 1 }));
    expect(received?.data?.typeUrl).toBe("type.googleapis.com/machine.ServiceStateEvent");
    const state = received?.data ? anyUnpack(received.data, ServiceStateEventSchema) : undefined;
    expect(state?.service).toBe("etcd");
    expect(state?.action).toBe(ServiceStateEvent_Action.RUNNING);
  });

  it("decodes Any content of other files through the registry option", async () => {
    const line = `${JSON.stringify({
      result: {
        data: { "@type": "type.googleapis.com/specs.ClusterSpec", kubernetes_version: "1.33.1" },
      },
    })}\n`;
    const events = (registry?: ReturnType<typeof createRegistry>) =>
      createClient(
        MachineService,
        createGatewayTransport({
          baseUrl: "http://omni.test",
          fetch: chunkedFetch([line]),
          registry,
        }),
      ).events({});
    const unknown = await caught(drain(events()));
    expect(unknown.code).toBe(Code.Internal);
    expect(unknown.rawMessage).toContain("specs.ClusterSpec");
    const [received] = await drain(events(createRegistry(ClusterSpecSchema)));
    const spec = received?.data ? anyUnpack(received.data, ClusterSpecSchema) : undefined;
    expect(spec?.kubernetesVersion).toBe("1.33.1");
  });

  it("reports a connection lost mid-stream as unavailable", async () => {
    gateway = await startRecordedGateway((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write(line("first", "x"));
      setTimeout(() => res.socket?.destroy(), 20);
    });
    const client = managementOver(gateway.url);
    const seen: string[] = [];
    const error = await caught(
      (async () => {
        for await (const item of client.machineLogs({ machineId: "m", follow: true })) {
          seen.push(item.metadata?.hostname ?? "");
        }
      })(),
    );
    expect(seen).toEqual(["first"]);
    expect(error.code).toBe(Code.Unavailable);
    expect(error.rawMessage).toContain("the connection to the Omni gateway was lost mid-stream");
  });

  it("decodes bytes fields exactly", async () => {
    const payload = create(DataSchema, { bytes: Uint8Array.of(0, 255, 10, 13) });
    const items = await drain(
      logsClient([
        `${JSON.stringify({ result: { bytes: Buffer.from(payload.bytes).toString("base64") } })}\n`,
      ]).machineLogs({ machineId: "m" }),
    );
    expect(toBinary(DataSchema, items[0] ?? create(DataSchema))).toEqual(
      toBinary(DataSchema, payload),
    );
  });
});

describe("createGatewayTransport: options", () => {
  it.each([
    ["", "baseUrl"],
    ["ftp://omni.example.com", "scheme"],
    ["omni.example.com", "not a URL"],
    ["/", "only works in a page"],
    ["https://user:pw@omni.example.com", "credentials"],
  ])("rejects baseUrl %j before any request", (baseUrl, message) => {
    const error = (() => {
      try {
        createGatewayTransport({ baseUrl });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).argument).toBe("baseUrl");
    expect((error as ValidationError).message).toContain(message);
    expect((error as ValidationError).message).not.toContain("pw@");
  });

  it("suggests the scheme for a bare host and port", () => {
    expect(() => createGatewayTransport({ baseUrl: "omni.example.com:443" })).toThrow(
      "baseUrl: has no scheme; for host omni.example.com and port 443 write https://omni.example.com:443",
    );
  });

  it.each([[Number.POSITIVE_INFINITY], [-1], [0], [Number.NaN], [30 * 24 * 3600_000], ["5000"]])(
    "rejects defaultTimeoutMs %s",
    (defaultTimeoutMs) => {
      expect(() =>
        createGatewayTransport({
          baseUrl: "https://omni.example.com",
          defaultTimeoutMs: defaultTimeoutMs as number,
        }),
      ).toThrow(/^\[InvalidArgument\] defaultTimeoutMs: /);
    },
  );

  it("accepts the longest deadline gRPC carries, and nothing longer", () => {
    expect(() =>
      createGatewayTransport({ baseUrl: "https://o.example", defaultTimeoutMs: 99_999_999 }),
    ).not.toThrow();
    expect(() =>
      createGatewayTransport({ baseUrl: "https://o.example", defaultTimeoutMs: 100_000_000 }),
    ).toThrow(/the longest deadline gRPC carries/);
  });

  it("rejects a registry that is not one", () => {
    expect(() =>
      createGatewayTransport({
        baseUrl: "https://omni.example.com",
        registry: {} as ReturnType<typeof createRegistry>,
      }),
    ).toThrow(ValidationError);
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
