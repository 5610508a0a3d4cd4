import type { IncomingMessage, ServerResponse } from "node:http";
import { createGzip, gzipSync } from "node:zlib";
import {
  createRegistry,
  type DescFile,
  type DescMethod,
  type DescMethodStreaming,
  type DescMethodUnary,
  type DescService,
  fromJson,
  type JsonValue,
  type Registry,
  toJson,
} from "@bufbuild/protobuf";
import { Code, ConnectError, type Transport } from "@connectrpc/connect";

/** grpc-gateway's `HTTPStatusFromCode`. */
const httpStatusByCode: Record<Code, number> = {
  [Code.Canceled]: 499,
  [Code.Unknown]: 500,
  [Code.InvalidArgument]: 400,
  [Code.DeadlineExceeded]: 504,
  [Code.NotFound]: 404,
  [Code.AlreadyExists]: 409,
  [Code.PermissionDenied]: 403,
  [Code.ResourceExhausted]: 429,
  [Code.FailedPrecondition]: 400,
  [Code.Aborted]: 409,
  [Code.OutOfRange]: 400,
  [Code.Unimplemented]: 501,
  [Code.Internal]: 500,
  [Code.Unavailable]: 503,
  [Code.DataLoss]: 500,
  [Code.Unauthenticated]: 401,
};

const maxBodyBytes = 32 * 1024 * 1024;
const metadataPrefix = "grpc-metadata-";

/** The gateway's JSON form: snake_case names and enum numbers, like Omni's marshaler. */
const jsonWriteOptions = { useProtoFieldName: true, enumAsInteger: true } as const;
const registries = new WeakMap<DescFile, Registry>();

/**
 * The types protojson can name in a `google.protobuf.Any` (`"@type"`) of a method's JSON: those of
 * its service's file and of every file that one imports, directly or not. Built once a file.
 */
function registryFor(method: DescMethod): Registry {
  const file = method.parent.file;
  let registry = registries.get(file);
  if (registry === undefined) {
    const reachable = new Set<DescFile>();
    const visit = (next: DescFile): void => {
      if (!reachable.has(next)) {
        reachable.add(next);
        for (const dependency of next.dependencies) {
          visit(dependency);
        }
      }
    };
    visit(file);
    registry = createRegistry(...reachable);
    registries.set(file, registry);
  }
  return registry;
}

function statusBody(error: ConnectError): { code: Code; message: string } {
  return { code: error.code, message: error.rawMessage };
}

/** The `/api/<pkg.Service>/<Method>` routes of the services the emulator serves. */
export function gatewayRoutes(services: readonly DescService[]): Map<string, DescMethod> {
  const routes = new Map<string, DescMethod>();
  for (const service of services) {
    for (const method of service.methods) {
      routes.set(`/api/${service.typeName}/${method.name}`, method);
    }
  }
  return routes;
}

/**
 * grpc-gateway passes on only what gRPC metadata allows and drops the rest without a word: keys
 * of lower-case letters, digits, `.`, `_` and `-`, and values of printable ASCII unless the key
 * ends in `-bin` (binary metadata).
 */
function isForwarded(key: string, value: string): boolean {
  return /^[a-z0-9._-]+$/.test(key) && (key.endsWith("-bin") || /^[\x20-\x7e]*$/.test(value));
}

/** grpc-gateway turns `Grpc-Metadata-<key>` headers (and `Authorization`) into gRPC metadata. */
function metadataFrom(req: IncomingMessage): Headers {
  const header = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) {
      continue;
    }
    const lower = name.toLowerCase();
    const joined = Array.isArray(value) ? value.join(", ") : value;
    const key =
      lower.startsWith(metadataPrefix) && lower.length > metadataPrefix.length
        ? lower.slice(metadataPrefix.length)
        : lower === "authorization"
          ? lower
          : undefined;
    if (key !== undefined && isForwarded(key, joined)) {
      header.append(key, joined);
    }
  }
  return header;
}

const unitMs: Readonly<Record<string, number>> = {
  H: 3_600_000,
  M: 60_000,
  S: 1000,
  m: 1,
  u: 0.001,
  n: 0.000001,
};
const maxInt64 = 2n ** 63n - 1n;
/** The longest delay Node's timers take (2^31 - 1 ms). */
const maxTimerMs = 2 ** 31 - 1;

/**
 * `Grpc-Timeout` as grpc-gateway reads it: a 64-bit integer and a unit (H, M, S, m, u, n). Any
 * other value fails the call with INVALID_ARGUMENT before the request body is read. Zero means
 * no deadline; a negative one has already passed.
 */
function timeoutFrom(req: IncomingMessage): number | undefined {
  const header = req.headers["grpc-timeout"];
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value === "") {
    return undefined;
  }
  const [, amount, unit] = /^([+-]?\d+)([HMSmun])$/.exec(value) ?? [];
  if (amount === undefined || unit === undefined || !fitsInt64(BigInt(amount))) {
    throw new ConnectError(`invalid grpc-timeout: ${value}`, Code.InvalidArgument);
  }
  const milliseconds = Number(amount) * (unitMs[unit] ?? 1000);
  if (milliseconds === 0) {
    return undefined;
  }
  // Omni's Go timers hold ~292 years; Node's hold ~24.8 days and fire at once past that.
  return Math.min(maxTimerMs, Math.max(1, Math.ceil(milliseconds)));
}

function fitsInt64(value: bigint): boolean {
  return value >= -maxInt64 - 1n && value <= maxInt64;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > maxBodyBytes) {
      throw new ConnectError("request body too large", Code.ResourceExhausted);
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function parseInput(method: DescMethod, text: string) {
  let json: JsonValue;
  try {
    json = text.trim() === "" ? {} : (JSON.parse(text) as JsonValue);
  } catch (error) {
    throw new ConnectError(
      `invalid JSON body: ${error instanceof Error ? error.message : String(error)}`,
      Code.InvalidArgument,
    );
  }
  try {
    return fromJson(method.input, json, {
      ignoreUnknownFields: false,
      registry: registryFor(method),
    });
  } catch (error) {
    throw new ConnectError(
      error instanceof Error ? error.message : String(error),
      Code.InvalidArgument,
    );
  }
}

async function* once<T>(value: T): AsyncIterable<T> {
  yield value;
}

function acceptsGzip(req: IncomingMessage): boolean {
  return /\bgzip\b/.test(req.headers["accept-encoding"] ?? "");
}

function sendJson(req: IncomingMessage, res: ServerResponse, status: number, body: unknown): void {
  const bytes = Buffer.from(JSON.stringify(body), "utf8");
  res.statusCode = status;
  res.setHeader("Content-Type", "application/json");
  if (acceptsGzip(req)) {
    res.setHeader("Content-Encoding", "gzip");
    res.end(gzipSync(bytes));
    return;
  }
  res.end(bytes);
}

function sendError(
  req: IncomingMessage,
  res: ServerResponse,
  error: ConnectError,
  wrap: boolean,
): void {
  if (error.code === Code.Unauthenticated) {
    res.setHeader("WWW-Authenticate", error.rawMessage);
  }
  const body = statusBody(error);
  sendJson(req, res, httpStatusByCode[error.code] ?? 500, wrap ? { error: body } : body);
}

/**
 * Omni's HTTP/JSON gateway over the same handlers as the other protocols: the request goes
 * through an in-process Connect transport, so interceptors (faults, auth) run exactly once.
 */
export function createGatewayHandler(
  transport: Transport,
  routes: ReadonlyMap<string, DescMethod>,
): (req: IncomingMessage, res: ServerResponse, path: string) => Promise<void> {
  return async (req, res, path) => {
    const method = routes.get(path);
    if (!method) {
      sendJson(req, res, 404, { code: Code.NotFound, message: "Not Found" });
      return;
    }
    if (req.method !== "POST") {
      sendJson(req, res, 405, { code: Code.Unimplemented, message: "Method Not Allowed" });
      return;
    }
    const abort = new AbortController();
    res.on("close", () =>
      abort.abort(new ConnectError("client closed the request", Code.Canceled)),
    );
    const streaming = method.methodKind === "server_streaming";
    let timeoutMs: number | undefined;
    let input: ReturnType<typeof parseInput>;
    try {
      timeoutMs = timeoutFrom(req);
      input = parseInput(method, await readBody(req));
    } catch (error) {
      // grpc-gateway rejects a bad timeout header or body while setting up the call, before any
      // stream exists, so with a plain status body even for a streaming method.
      sendError(req, res, ConnectError.from(error), false);
      return;
    }
    try {
      const header = metadataFrom(req);
      if (method.methodKind === "unary") {
        const response = await transport.unary(
          method as DescMethodUnary,
          abort.signal,
          timeoutMs,
          header,
          input,
        );
        sendJson(
          req,
          res,
          200,
          toJson(method.output, response.message, {
            ...jsonWriteOptions,
            registry: registryFor(method),
          }),
        );
        return;
      }
      if (method.methodKind !== "server_streaming") {
        throw new ConnectError(
          "streaming calls are not supported over the gateway",
          Code.Unimplemented,
        );
      }
      const response = await transport.stream(
        method as DescMethodStreaming,
        abort.signal,
        timeoutMs,
        header,
        once(input),
      );
      await writeStream(req, res, method, response.message);
    } catch (error) {
      if (!res.headersSent) {
        sendError(req, res, ConnectError.from(error), streaming);
      } else if (!res.writableEnded) {
        res.end();
      }
    }
  };
}

/**
 * Writes `{"result": ...}` lines; headers go out with the first message, so an error before it
 * still sets the HTTP status, and a later error becomes an `{"error": ...}` line.
 */
async function writeStream(
  req: IncomingMessage,
  res: ServerResponse,
  method: DescMethod,
  messages: AsyncIterable<Parameters<typeof toJson>[1]>,
): Promise<void> {
  const iterator = messages[Symbol.asyncIterator]();
  const first = await iterator.next();
  res.statusCode = 200;
  res.setHeader("Content-Type", "application/json");
  res.setHeader("Transfer-Encoding", "chunked");
  const gzip = acceptsGzip(req) ? createGzip() : undefined;
  if (gzip) {
    res.setHeader("Content-Encoding", "gzip");
    gzip.pipe(res);
  }
  const write = (value: unknown): void => {
    const line = `${JSON.stringify(value)}\n`;
    if (gzip) {
      gzip.write(line);
      gzip.flush();
    } else {
      res.write(line);
    }
  };
  res.flushHeaders();
  try {
    for (let step = first; !step.done; step = await iterator.next()) {
      write({
        result: toJson(method.output, step.value, {
          ...jsonWriteOptions,
          registry: registryFor(method),
        }),
      });
    }
  } catch (error) {
    write({ error: statusBody(ConnectError.from(error)) });
  } finally {
    if (gzip) {
      gzip.end();
    } else {
      res.end();
    }
  }
}
