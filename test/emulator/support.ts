import { webcrypto } from "node:crypto";
import {
  create,
  type DescMessage,
  type DescMethodStreaming,
  type DescMethodUnary,
  fromJson,
  type JsonValue,
  type MessageInitShape,
  toJson,
} from "@bufbuild/protobuf";
import { Code, ConnectError, type Interceptor, type Transport } from "@connectrpc/connect";
import {
  createConnectTransport,
  createGrpcTransport,
  createGrpcWebTransport,
} from "@connectrpc/connect-node";
import * as openpgp from "openpgp";
import type { OmniEmulator } from "../../src/emulator/index.js";

/** A test-side siderov1 signer, written apart from the SDK's so that the emulator is checked independently. */
export interface TestSigner {
  identity: string;
  keyId: string;
  sign(payload: Uint8Array): Promise<Uint8Array>;
}

export async function serviceAccountSigner(encoded: string): Promise<TestSigner> {
  const { name, pgp_key } = JSON.parse(Buffer.from(encoded, "base64").toString("utf8")) as {
    name: string;
    pgp_key: string;
  };
  const privateKey = await openpgp.readPrivateKey({ armoredKey: pgp_key });
  return {
    identity: name,
    keyId: privateKey.getFingerprint(),
    async sign(payload) {
      const signature = await openpgp.sign({
        message: await openpgp.createMessage({ binary: payload }),
        signingKeys: privateKey,
        detached: true,
        format: "binary",
      });
      return signature as Uint8Array;
    },
  };
}

export interface EcdsaTestKey {
  signer: TestSigner;
  pem: string;
}

export async function ecdsaTestKey(identity: string): Promise<EcdsaTestKey> {
  const pair = await webcrypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, [
    "sign",
    "verify",
  ]);
  const raw = new Uint8Array(await webcrypto.subtle.exportKey("raw", pair.publicKey));
  const digest = new Uint8Array(await webcrypto.subtle.digest("SHA-256", raw));
  const keyId = Buffer.from(digest).toString("base64").replace(/\+/g, "-").replace(/\//g, "_");
  const spki = Buffer.from(await webcrypto.subtle.exportKey("spki", pair.publicKey)).toString(
    "base64",
  );
  const pem = `-----BEGIN PUBLIC KEY-----\n${spki.match(/.{1,64}/g)?.join("\n")}\n-----END PUBLIC KEY-----\n`;
  return {
    pem,
    signer: {
      identity,
      keyId,
      async sign(payload) {
        const signature = await webcrypto.subtle.sign(
          { name: "ECDSA", hash: "SHA-256" },
          pair.privateKey,
          payload,
        );
        return new Uint8Array(signature);
      },
    },
  };
}

const signedKeys = [
  "x-sidero-timestamp",
  "nodes",
  "selectors",
  "fieldSelectors",
  "runtime",
  "context",
  "cluster",
  "namespace",
  "uid",
  "authorization",
];

/** Ways a test corrupts a signed call after (or while) signing it. */
export interface Tamper {
  /** Seconds added to the timestamp that is signed and sent. */
  clockOffsetSeconds?: number;
  /** Method name put into the payload instead of the real one. */
  payloadMethod?: string;
  /** Rewrites the payload headers before signing. */
  payloadHeaders?: (headers: Record<string, unknown>) => Record<string, unknown>;
  /** Rewrites the signature bytes after signing. */
  signature?: (signature: Uint8Array) => Uint8Array;
  /** Rewrites the headers actually sent, after signing. */
  sent?: (header: Headers) => void;
  /** Replaces the key id in the signature header. */
  keyId?: string;
}

/** Adds `x-sidero-*` headers the way Omni's clients do. */
export async function signHeaders(
  signer: TestSigner,
  method: string,
  header: Headers,
  tamper: Tamper = {},
): Promise<void> {
  const timestamp = String(Math.floor(Date.now() / 1000) + (tamper.clockOffsetSeconds ?? 0));
  header.set("x-sidero-timestamp", timestamp);
  let headers: Record<string, unknown> = {};
  for (const key of signedKeys) {
    const value = header.get(key);
    if (value !== null) {
      headers[key] = [value];
    }
  }
  headers = tamper.payloadHeaders ? tamper.payloadHeaders(headers) : headers;
  const payload = JSON.stringify({ headers, method: tamper.payloadMethod ?? method });
  let signature = await signer.sign(new TextEncoder().encode(payload));
  signature = tamper.signature ? tamper.signature(signature) : signature;
  header.set("x-sidero-payload", payload);
  header.set(
    "x-sidero-signature",
    `siderov1 ${signer.identity} ${tamper.keyId ?? signer.keyId} ${Buffer.from(signature).toString("base64")}`,
  );
  tamper.sent?.(header);
}

export function signingInterceptor(signer: TestSigner, tamper?: Tamper): Interceptor {
  return (next) => async (req) => {
    await signHeaders(signer, `/${req.service.typeName}/${req.method.name}`, req.header, tamper);
    return next(req);
  };
}

/** Adds fixed metadata (`cluster`, `context`, ...) before signing. */
export function metadataInterceptor(metadata: Record<string, string>): Interceptor {
  return (next) => async (req) => {
    for (const [key, value] of Object.entries(metadata)) {
      req.header.set(key, value);
    }
    return next(req);
  };
}

/**
 * A minimal client of Omni's JSON gateway for the tests: `POST /api/<service>/<method>`, metadata as
 * `Grpc-Metadata-*`, NDJSON streams. It checks the emulator's wire format on its own terms.
 */
export function createTestGatewayTransport(
  baseUrl: string,
  interceptors: Interceptor[] = [],
): Transport {
  const toHeaders = (header: Headers, timeoutMs: number | undefined): Headers => {
    const out = new Headers({ "Content-Type": "application/json" });
    if (timeoutMs !== undefined) {
      out.set("Grpc-Timeout", `${timeoutMs}m`);
    }
    header.forEach((value, key) => {
      out.set(key === "authorization" ? "Authorization" : `Grpc-Metadata-${key}`, value);
    });
    return out;
  };
  const errorFrom = (status: number, body: unknown): ConnectError => {
    const status_ =
      (body as { error?: { code?: number; message?: string }; code?: number; message?: string }) ??
      {};
    const inner = status_.error ?? status_;
    return new ConnectError(
      inner.message ?? `HTTP ${status}`,
      (inner.code as Code | undefined) ?? Code.Unknown,
    );
  };
  // The signing and metadata interceptors of these tests read only `header`, `service` and `method`.
  const chain = <T>(
    call: (header: Headers) => Promise<T>,
    method: DescMethodUnary | DescMethodStreaming,
  ) => {
    let run = async (req: { header: Headers }) => call(req.header) as Promise<unknown>;
    for (const interceptor of [...interceptors].reverse()) {
      run = interceptor(run as never) as never;
    }
    return run({ header: new Headers(), service: method.parent, method } as never) as Promise<T>;
  };
  return {
    async unary<I extends DescMessage, O extends DescMessage>(
      method: DescMethodUnary<I, O>,
      signal: AbortSignal | undefined,
      timeoutMs: number | undefined,
      _header: HeadersInit | undefined,
      input: MessageInitShape<I>,
    ) {
      return chain(async (header) => {
        const url = `${baseUrl}/api/${method.parent.typeName}/${method.name}`;
        const body = toJson(method.input, create(method.input, input));
        const response = await fetch(url, {
          method: "POST",
          headers: toHeaders(header, timeoutMs),
          body: JSON.stringify(body),
          signal,
        });
        const json = (await response.json()) as JsonValue;
        if (!response.ok) {
          throw errorFrom(response.status, json);
        }
        return {
          stream: false as const,
          service: method.parent,
          method,
          header: response.headers,
          trailer: new Headers(),
          message: fromJson(method.output, json),
        };
      }, method);
    },
    async stream<I extends DescMessage, O extends DescMessage>(
      method: DescMethodStreaming<I, O>,
      signal: AbortSignal | undefined,
      timeoutMs: number | undefined,
      _header: HeadersInit | undefined,
      input: AsyncIterable<MessageInitShape<I>>,
    ) {
      return chain(async (header) => {
        let request: MessageInitShape<I> | undefined;
        for await (const message of input) {
          request = message;
        }
        const url = `${baseUrl}/api/${method.parent.typeName}/${method.name}`;
        const body = toJson(method.input, create(method.input, request));
        const response = await fetch(url, {
          method: "POST",
          headers: toHeaders(header, timeoutMs),
          body: JSON.stringify(body),
          signal,
        });
        if (!response.ok) {
          throw errorFrom(response.status, await response.json());
        }
        async function* messages() {
          const decoder = new TextDecoder();
          let buffered = "";
          for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
            buffered += decoder.decode(chunk, { stream: true });
            let newline = buffered.indexOf("\n");
            while (newline >= 0) {
              const line = buffered.slice(0, newline).trim();
              buffered = buffered.slice(newline + 1);
              newline = buffered.indexOf("\n");
              if (line === "") continue;
              const parsed = JSON.parse(line) as { result?: JsonValue; error?: unknown };
              if (parsed.error) throw errorFrom(200, parsed);
              yield fromJson(method.output, parsed.result ?? null);
            }
          }
        }
        return {
          stream: true as const,
          service: method.parent,
          method,
          header: response.headers,
          trailer: new Headers(),
          message: messages(),
        };
      }, method);
    },
  };
}

export type Protocol = "grpc" | "grpc-web" | "connect" | "gateway";
export const protocols: readonly Protocol[] = ["grpc", "grpc-web", "connect", "gateway"];

export function transportFor(
  emulator: OmniEmulator,
  protocol: Protocol,
  interceptors: Interceptor[],
): Transport {
  switch (protocol) {
    case "grpc":
      return createGrpcTransport({ baseUrl: emulator.url, interceptors });
    case "grpc-web":
      return createGrpcWebTransport({
        baseUrl: emulator.grpcWebUrl,
        httpVersion: "1.1",
        interceptors,
      });
    case "connect":
      return createConnectTransport({
        baseUrl: emulator.grpcWebUrl,
        httpVersion: "1.1",
        interceptors,
      });
    case "gateway":
      return createTestGatewayTransport(emulator.gatewayUrl, interceptors);
  }
}

/** Collects a server stream. */
export async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of stream) {
    out.push(item);
  }
  return out;
}

/** The ConnectError a promise rejects with. */
export async function rejection(promise: Promise<unknown>): Promise<ConnectError> {
  try {
    await promise;
  } catch (error) {
    return ConnectError.from(error);
  }
  throw new Error("expected the call to fail");
}
