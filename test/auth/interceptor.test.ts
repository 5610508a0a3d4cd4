import { once } from "node:events";
import { createServer, type Http2Server, type ServerHttp2Session } from "node:http2";
import type { AddressInfo } from "node:net";
import {
  type ConnectRouter,
  createClient,
  createRouterTransport,
  type HandlerContext,
  type Interceptor,
} from "@connectrpc/connect";
import { connectNodeAdapter, createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ecdsaAuth, generateEcdsaKey } from "../../src/auth/ecdsa.js";
import { createSigningInterceptor } from "../../src/auth/interceptor.js";
import { pgpAuth } from "../../src/auth/pgp.js";
import type { OmniAuth, PayloadSigner } from "../../src/auth/types.js";
import { KeyError } from "../../src/errors.js";
import { AuthService } from "../../src/gen/omni/auth/auth_pb.js";
import { ManagementService } from "../../src/gen/omni/management/management_pb.js";
import { ecdsaVerifier, generatePgpKey, gpgVerify, omniVerify, pgpVerifier } from "./support.js";

interface Seen {
  method: string;
  header: Headers;
}

/** An in-memory Omni that records every request it receives, before any handler runs. */
function fakeOmni(seen: Seen[]) {
  const record: Interceptor = (next) => async (req) => {
    seen.push({
      method: `/${req.service.typeName}/${req.method.name}`,
      header: new Headers(req.header),
    });
    return next(req);
  };
  const routes = (router: ConnectRouter) => {
    router.service(ManagementService, {
      kubeconfig: () => ({ kubeconfig: new TextEncoder().encode("apiVersion: v1") }),
      async *machineLogs() {
        for (let index = 0; index < 3; index++) {
          yield { bytes: new Uint8Array([index]) };
        }
      },
    });
    router.service(AuthService, {
      registerPublicKey: () => ({ loginUrl: "u", publicKeyId: "id" }),
      awaitPublicKeyConfirmation: () => ({}),
      confirmPublicKey: () => ({}),
      revokePublicKey: () => ({}),
    });
  };
  return { routes, record };
}

/** Counts signatures, to tell "signed per call" from "signed once per stream". */
function counting(auth: OmniAuth): { auth: OmniAuth; signatures: () => number } {
  let count = 0;
  return {
    signatures: () => count,
    auth: {
      kind: auth.kind,
      identity: auth.identity,
      async signer(): Promise<PayloadSigner> {
        const inner = await auth.signer();
        return {
          identity: inner.identity,
          keyId: inner.keyId,
          sign: (payload) => {
            count++;
            return inner.sign(payload);
          },
        };
      },
    },
  };
}

let pair: Awaited<ReturnType<typeof generateEcdsaKey>>;
let ecdsa: OmniAuth;
let verifiers: Map<string, ReturnType<typeof ecdsaVerifier>>;

beforeAll(async () => {
  pair = await generateEcdsaKey();
  ecdsa = ecdsaAuth({
    identity: "user@example.com",
    privateKey: pair.privateKey,
    publicKeyId: pair.publicKeyId,
  });
  verifiers = new Map([[pair.publicKeyId, ecdsaVerifier(pair.publicKeyPem)]]);
});

function clientFor(auth: OmniAuth, seen: Seen[], extra: Interceptor[] = [], now?: () => number) {
  const omni = fakeOmni(seen);
  const transport = createRouterTransport(omni.routes, {
    router: { interceptors: [omni.record] },
    transport: { interceptors: [...extra, createSigningInterceptor(auth, now ? { now } : {})] },
  });
  return {
    management: createClient(ManagementService, transport),
    auth: createClient(AuthService, transport),
  };
}

describe("createSigningInterceptor", () => {
  it("signs a unary call so that Omni's checks pass, including metadata set before it", async () => {
    const seen: Seen[] = [];
    const setCluster: Interceptor = (next) => (req) => {
      req.header.set("cluster", "talos-default");
      return next(req);
    };
    const { management } = clientFor(ecdsa, seen, [setCluster]);
    await management.kubeconfig({}, { headers: { runtime: "Omni", "x-unrelated": "1" } });
    expect(seen).toHaveLength(1);
    const [request] = seen;
    if (!request) throw new Error("no request");
    expect(
      await omniVerify(request.header, "/management.ManagementService/Kubeconfig", verifiers),
    ).toBe("ok");
    expect(JSON.parse(request.header.get("x-sidero-payload") ?? "")).toEqual({
      headers: {
        "x-sidero-timestamp": [request.header.get("x-sidero-timestamp")],
        runtime: ["Omni"],
        cluster: ["talos-default"],
      },
      method: "/management.ManagementService/Kubeconfig",
    });
    expect(request.header.get("x-sidero-signature")).toMatch(
      new RegExp(`^siderov1 user@example\\.com ${pair.publicKeyId} [A-Za-z0-9+/]{86}==$`),
    );
  });

  it("fails Omni's checks when a signed header is changed after signing", async () => {
    const seen: Seen[] = [];
    const { management } = clientFor(ecdsa, seen);
    await management.kubeconfig({}, { headers: { cluster: "a" } });
    const header = new Headers(seen[0]?.header);
    header.set("cluster", "b");
    expect(await omniVerify(header, "/management.ManagementService/Kubeconfig", verifiers)).toBe(
      "header cluster mismatch",
    );
  });

  it("signs every unary call fresh, with the timestamp of that call", async () => {
    const seen: Seen[] = [];
    const times = [1762881349123, 1762881411999];
    const counted = counting(ecdsa);
    const { management } = clientFor(counted.auth, seen, [], () => times.shift() ?? 0);
    await management.kubeconfig({});
    await management.kubeconfig({});
    expect(counted.signatures()).toBe(2);
    expect(seen.map((s) => s.header.get("x-sidero-timestamp"))).toEqual([
      "1762881349",
      "1762881411",
    ]);
    for (const request of seen) {
      const nowMs = Number(request.header.get("x-sidero-timestamp")) * 1000;
      expect(await omniVerify(request.header, request.method, verifiers, nowMs)).toBe("ok");
    }
  });

  it("signs a server stream once, when it opens", async () => {
    const seen: Seen[] = [];
    const counted = counting(ecdsa);
    const { management } = clientFor(counted.auth, seen);
    const chunks: number[] = [];
    for await (const data of management.machineLogs({ machineId: "m1", follow: true })) {
      chunks.push(data.bytes[0] ?? -1);
    }
    expect(chunks).toEqual([0, 1, 2]);
    expect(counted.signatures()).toBe(1);
    expect(seen).toHaveLength(1);
    expect(
      await omniVerify(
        seen[0]?.header ?? new Headers(),
        "/management.ManagementService/MachineLogs",
        verifiers,
      ),
    ).toBe("ok");
  });

  it("leaves the three login methods unsigned and signs RevokePublicKey", async () => {
    const seen: Seen[] = [];
    const counted = counting(ecdsa);
    const { auth } = clientFor(counted.auth, seen);
    await auth.registerPublicKey({});
    await auth.awaitPublicKeyConfirmation({ publicKeyId: "id" });
    await auth.confirmPublicKey({ publicKeyId: "id" });
    await auth.revokePublicKey({ publicKeyId: "id" });
    expect(seen.map((s) => [s.method, s.header.has("x-sidero-signature")])).toEqual([
      ["/auth.AuthService/RegisterPublicKey", false],
      ["/auth.AuthService/AwaitPublicKeyConfirmation", false],
      ["/auth.AuthService/ConfirmPublicKey", false],
      ["/auth.AuthService/RevokePublicKey", true],
    ]);
    expect(
      seen
        .slice(0, 3)
        .some((s) => s.header.has("x-sidero-timestamp") || s.header.has("x-sidero-payload")),
    ).toBe(false);
    expect(
      await omniVerify(
        seen[3]?.header ?? new Headers(),
        "/auth.AuthService/RevokePublicKey",
        verifiers,
      ),
    ).toBe("ok");
  });

  it("signs the authorization header when a call carries one", async () => {
    const seen: Seen[] = [];
    const { management } = clientFor(ecdsa, seen);
    await management.kubeconfig({}, { headers: { authorization: "Bearer abc" } });
    const payload = JSON.parse(seen[0]?.header.get("x-sidero-payload") ?? "");
    expect(payload.headers.authorization).toEqual(["Bearer abc"]);
    expect(
      await omniVerify(
        seen[0]?.header ?? new Headers(),
        "/management.ManagementService/Kubeconfig",
        verifiers,
      ),
    ).toBe("ok");
  });

  it("replaces stale signature headers and passes with a fieldselectors header", async () => {
    const seen: Seen[] = [];
    const { management } = clientFor(ecdsa, seen);
    await management.kubeconfig(
      {},
      {
        headers: {
          "x-sidero-payload": "old",
          "x-sidero-signature": "siderov1 a b c",
          fieldselectors: "x=y",
        },
      },
    );
    const header = seen[0]?.header ?? new Headers();
    expect(header.get("x-sidero-payload")).not.toBe("old");
    expect(await omniVerify(header, "/management.ManagementService/Kubeconfig", verifiers)).toBe(
      "ok",
    );
  });

  it("throws the KeyError of a bad key before anything is sent", async () => {
    const { privateKey } = await generatePgpKey({ passphrase: "pw" });
    const bad = pgpAuth({ identity: "u@e.com", armoredPrivateKey: privateKey });
    const seen: Seen[] = [];
    const { management } = clientFor(bad, seen);
    const error = await management.kubeconfig({}).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(seen).toHaveLength(0);
    const keyError = error instanceof KeyError ? error : (error as { cause?: unknown }).cause;
    expect(keyError).toBeInstanceOf(KeyError);
    expect((keyError as KeyError).reason).toBe("passphrase-required");

    let nextCalled = false;
    const run = createSigningInterceptor(bad)(async () => {
      nextCalled = true;
      throw new Error("must not be reached");
    });
    const request = {
      service: ManagementService,
      method: ManagementService.method.kubeconfig,
      header: new Headers(),
    } as unknown as Parameters<typeof run>[0];
    await expect(run(request)).rejects.toBeInstanceOf(KeyError);
    expect(nextCalled).toBe(false);
  });

  it("signs with a PGP key that GnuPG and openpgp.js both verify", async () => {
    const key = await generatePgpKey();
    const auth = pgpAuth({ identity: "user@example.com", armoredPrivateKey: key.privateKey });
    const signer = await auth.signer();
    const seen: Seen[] = [];
    const { management } = clientFor(auth, seen);
    await management.kubeconfig({}, { headers: { cluster: "c" } });
    const header = seen[0]?.header ?? new Headers();
    const pgp = new Map([[signer.keyId, pgpVerifier(key.publicKey)]]);
    expect(await omniVerify(header, "/management.ManagementService/Kubeconfig", pgp)).toBe("ok");
    const signature = Buffer.from(header.get("x-sidero-signature")?.split(" ")[3] ?? "", "base64");
    const payload = new TextEncoder().encode(header.get("x-sidero-payload") ?? "");
    expect(await gpgVerify(key.publicKey, payload, signature)).toBe(true);
  });
});

describe("signing over native gRPC (HTTP/2) on a loopback server", () => {
  let server: Http2Server;
  let baseUrl: string;
  const results: string[] = [];
  const sessions = new Set<ServerHttp2Session>();

  beforeAll(async () => {
    const check = async (ctx: HandlerContext, method: string) => {
      results.push(await omniVerify(ctx.requestHeader, method, verifiers));
    };
    server = createServer(
      connectNodeAdapter({
        routes(router) {
          router.service(ManagementService, {
            async kubeconfig(_req, ctx) {
              await check(ctx, "/management.ManagementService/Kubeconfig");
              return { kubeconfig: new Uint8Array([1]) };
            },
            async *machineLogs(_req, ctx) {
              await check(ctx, "/management.ManagementService/MachineLogs");
              yield { bytes: new Uint8Array([7]) };
            },
          });
        },
      }),
    );
    // The client keeps its HTTP/2 session open; close() waits for sessions, so track them.
    server.on("session", (session) => sessions.add(session));
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    const closed = once(server, "close");
    server.close();
    for (const session of sessions) {
      session.destroy();
    }
    await closed;
  });

  it("arrives with headers Omni accepts, for unary calls and streams", async () => {
    const transport = createGrpcTransport({
      baseUrl,
      interceptors: [createSigningInterceptor(ecdsa)],
    });
    const management = createClient(ManagementService, transport);
    await management.kubeconfig({}, { headers: { cluster: "c1", runtime: "Omni" } });
    for await (const _ of management.machineLogs(
      { machineId: "m" },
      { headers: { nodes: "10.5.0.2" } },
    )) {
      // drain
    }
    expect(results).toEqual(["ok", "ok"]);
  });
});

describe("signature reuse within one second", () => {
  it("signs equal payloads of the same second once, and anything else anew", async () => {
    const seen: Seen[] = [];
    let nowMs = 1762881349000;
    const counted = counting(ecdsa);
    const { management } = clientFor(counted.auth, seen, [], () => nowMs);
    await management.kubeconfig({}, { headers: { cluster: "a" } });
    nowMs += 400;
    await management.kubeconfig({}, { headers: { cluster: "a" } });
    expect(counted.signatures()).toBe(1);
    await management.kubeconfig({}, { headers: { cluster: "b" } });
    expect(counted.signatures()).toBe(2);
    nowMs += 1000;
    await management.kubeconfig({}, { headers: { cluster: "a" } });
    expect(counted.signatures()).toBe(3);
    expect(seen[0]?.header.get("x-sidero-signature")).toBe(
      seen[1]?.header.get("x-sidero-signature"),
    );
    expect(seen[3]?.header.get("x-sidero-timestamp")).toBe("1762881350");
    for (const request of seen) {
      const at = Number(request.header.get("x-sidero-timestamp")) * 1000;
      expect(await omniVerify(request.header, request.method, verifiers, at)).toBe("ok");
    }
  });
});

describe("signature reuse across keys", () => {
  it("never hands out a header signed with a key that has since been replaced", async () => {
    const other = await generateEcdsaKey();
    const second = ecdsaAuth({ identity: "admin@example.org", ...other });
    const first = await ecdsa.signer();
    let releaseFirst: () => void = () => undefined;
    const slowFirst: PayloadSigner = {
      identity: first.identity,
      keyId: first.keyId,
      async sign(payload) {
        await new Promise<void>((resolve) => {
          releaseFirst = resolve;
        });
        return first.sign(payload);
      },
    };
    const signers = [slowFirst, await second.signer(), await second.signer()];
    const rotating: OmniAuth = {
      kind: "ecdsa",
      identity: "admin@example.org",
      signer: async () => signers.shift() ?? (await second.signer()),
    };
    const seen: Seen[] = [];
    const { management } = clientFor(rotating, seen, [], () => 1762881349000);
    const call = { headers: { cluster: "a" } };
    const slow = management.kubeconfig({}, call);
    // Let the first call reach its slow signature before the key changes.
    await new Promise((resolve) => setTimeout(resolve, 10));
    await management.kubeconfig({}, call);
    releaseFirst();
    await slow;
    await management.kubeconfig({}, call);
    const keyIds = seen.map((request) => request.header.get("x-sidero-signature")?.split(" ")[2]);
    expect(keyIds).toEqual([other.publicKeyId, first.keyId, other.publicKeyId]);
  });
});

describe("keys that fail only when parsed", () => {
  it.each([
    [
      "an encrypted key without passphrase",
      "passphrase-required",
      async () => {
        const key = await generatePgpKey({ passphrase: "pw" });
        return pgpAuth({ identity: "u@e.com", armoredPrivateKey: key.privateKey });
      },
    ],
    [
      "a wrong passphrase",
      "wrong-passphrase",
      async () => {
        const key = await generatePgpKey({ passphrase: "pw" });
        return pgpAuth({
          identity: "u@e.com",
          armoredPrivateKey: key.privateKey,
          passphrase: "nope",
        });
      },
    ],
    [
      "an expired key",
      "expired",
      async () => {
        const key = await generatePgpKey({
          date: new Date(Date.now() - 7200_000),
          keyExpirationTime: 60,
        });
        return pgpAuth({ identity: "u@e.com", armoredPrivateKey: key.privateKey });
      },
    ],
    [
      "a damaged key",
      "unreadable-key",
      async () => {
        const key = await generatePgpKey();
        return pgpAuth({
          identity: "u@e.com",
          armoredPrivateKey: key.privateKey.replace(/\n[A-Za-z0-9+/]{8}/, "\n!!"),
        });
      },
    ],
  ] as const)(
    "stop %s before any request, unsigned methods aside",
    async (_name, reason, makeAuth) => {
      const seen: Seen[] = [];
      const { management, auth } = clientFor(await makeAuth(), seen);
      const error = await management.kubeconfig({}).then(
        () => undefined,
        (e: unknown) => (e instanceof KeyError ? e : (e as { cause?: unknown }).cause),
      );
      expect(error).toBeInstanceOf(KeyError);
      expect((error as KeyError).reason).toBe(reason);
      expect(seen).toHaveLength(0);
      // The login flow needs no key, so a broken one does not block it.
      await auth.registerPublicKey({});
      expect(seen.map((s) => s.method)).toEqual(["/auth.AuthService/RegisterPublicKey"]);
    },
  );
});
