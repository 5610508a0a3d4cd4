import { timestampMs } from "@bufbuild/protobuf/wkt";
import {
  Code,
  ConnectError,
  type ConnectRouter,
  createRouterTransport,
  type HandlerContext,
  type Interceptor,
} from "@connectrpc/connect";
import * as openpgp from "openpgp";
import { beforeAll, describe, expect, it } from "vitest";
import { ecdsaAuth, generateEcdsaKey } from "../../src/auth/ecdsa.js";
import { createSigningInterceptor } from "../../src/auth/interceptor.js";
import { DEFAULT_PLAIN_KEY_LIFETIME_MS } from "../../src/auth/lifetime.js";
import { createAuthApi } from "../../src/auth/login.js";
import { createOmniClient } from "../../src/client.js";
import {
  CanceledError,
  DeadlineExceededError,
  InvalidArgumentError,
  KeyError,
  ValidationError,
} from "../../src/errors.js";
import { AuthService, type RegisterPublicKeyRequest } from "../../src/gen/omni/auth/auth_pb.js";
import { ecdsaVerifier, generatePgpKey, omniVerify } from "./support.js";

interface Recorded {
  method: string;
  header: Headers;
}

function fakeAuthService(
  options: {
    interceptors?: Interceptor[];
    awaitGate?: (ctx: HandlerContext) => Promise<void>;
  } = {},
) {
  const requests: Recorded[] = [];
  const registered: RegisterPublicKeyRequest[] = [];
  let awaitStarted: () => void = () => {};
  const awaitSeen = new Promise<void>((resolve) => {
    awaitStarted = resolve;
  });
  const record: Interceptor = (next) => async (req) => {
    requests.push({ method: req.method.name, header: new Headers(req.header) });
    return next(req);
  };
  const routes = (router: ConnectRouter) =>
    router.service(AuthService, {
      registerPublicKey(request) {
        if (request.identity?.email === "unknown-role@example.com") {
          throw new ConnectError("invalid role", Code.InvalidArgument);
        }
        registered.push(request);
        return {
          loginUrl: "https://omni.example/authenticate?public-key-id=k&flow=cli",
          publicKeyId: "k",
        };
      },
      async awaitPublicKeyConfirmation(_request, ctx) {
        awaitStarted();
        await options.awaitGate?.(ctx);
        return {};
      },
      confirmPublicKey: () => ({}),
      revokePublicKey: () => ({}),
    });
  const transport = createRouterTransport(routes, {
    router: { interceptors: [record] },
    transport: { interceptors: options.interceptors ?? [] },
  });
  return { api: createAuthApi(transport), requests, registered, awaitSeen };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (error: Error) => error,
  );
}

let pair: Awaited<ReturnType<typeof generateEcdsaKey>>;

beforeAll(async () => {
  pair = await generateEcdsaKey();
});

describe("registerPublicKey with an ECDSA key", () => {
  it("sends the SPKI PEM and a 7 h 50 min window starting now", async () => {
    const { api, registered } = fakeAuthService();
    const before = Date.now();
    const result = await api.registerPublicKey({ identity: "user@example.com", ecdsaKey: pair });
    expect(result).toEqual({
      loginUrl: "https://omni.example/authenticate?public-key-id=k&flow=cli",
      publicKeyId: "k",
    });
    const [request] = registered;
    const plain = request?.publicKey?.plainKey;
    expect(request?.identity?.email).toBe("user@example.com");
    expect(plain?.keyPem).toBe(pair.publicKeyPem);
    expect(request?.publicKey?.pgpData.length).toBe(0);
    if (!plain?.notBefore || !plain.notAfter) throw new Error("no validity window sent");
    const notBefore = timestampMs(plain.notBefore);
    const notAfter = timestampMs(plain.notAfter);
    expect(notBefore).toBeGreaterThanOrEqual(before);
    expect(notBefore).toBeLessThanOrEqual(Date.now());
    expect(notAfter - notBefore).toBe(DEFAULT_PLAIN_KEY_LIFETIME_MS);
  });

  it("sends an explicit window that fits Omni's rules", async () => {
    const { api, registered } = fakeAuthService();
    const notBefore = new Date(Date.now() + 60_000);
    const notAfter = new Date(notBefore.getTime() + 8 * 3600_000);
    await api.registerPublicKey({
      identity: "u@e.com",
      ecdsaKey: pair,
      notBefore,
      notAfter,
      role: "Reader",
      skipUserRole: true,
    });
    const [request] = registered;
    const sentNotAfter = request?.publicKey?.plainKey?.notAfter;
    if (!sentNotAfter) throw new Error("no notAfter sent");
    expect(timestampMs(sentNotAfter)).toBe(notAfter.getTime());
    expect(request?.role).toBe("Reader");
    expect(request?.skipUserRole).toBe(true);
  });

  const now = Date.now();
  it.each([
    [
      "a window over 8 hours",
      { notBefore: new Date(now), notAfter: new Date(now + 8 * 3600_000 + 1000) },
      /notAfter: must be at most 8 hours after notBefore/,
    ],
    [
      "notBefore more than 5 minutes ahead",
      { notBefore: new Date(now + 6 * 60_000) },
      /notBefore: must be at most 5 minutes in the future/,
    ],
    [
      "notAfter before notBefore",
      { notBefore: new Date(now), notAfter: new Date(now - 1000) },
      /notAfter: must be later than notBefore/,
    ],
    [
      "a window already over",
      { notBefore: new Date(now - 3 * 3600_000), notAfter: new Date(now - 3600_000) },
      /notAfter: is already past/,
    ],
    ["an invalid date", { notAfter: new Date("nope") }, /notAfter: must be a valid Date/],
  ])("rejects %s without sending anything", async (_name, window, message) => {
    const { api, requests } = fakeAuthService();
    const error = await rejection(
      api.registerPublicKey({ identity: "u@e.com", ecdsaKey: pair, ...window }),
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toMatch(message);
    expect(requests).toHaveLength(0);
  });

  it("rejects a private key given as the public key", async () => {
    const { api, requests } = fakeAuthService();
    const error = await rejection(
      api.registerPublicKey({ identity: "u@e.com", ecdsaKey: { publicKey: pair.privateKey } }),
    );
    expect(error).toBeInstanceOf(KeyError);
    expect((error as KeyError).reason).toBe("not-a-public-key");
    expect(error.message).toMatch(/ecdsaKey.publicKey: must be a public key, got a private key/);
    expect(requests).toHaveLength(0);
  });

  it("rejects an identity that is not an email", async () => {
    const { api, requests } = fakeAuthService();
    for (const identity of ["user", "us er@example.com", ""]) {
      const error = await rejection(api.registerPublicKey({ identity, ecdsaKey: pair }));
      expect(error).toBeInstanceOf(ValidationError);
      expect(error.message).toMatch(/identity: must be the user's email address/);
    }
    expect(requests).toHaveLength(0);
  });

  it("maps a server error to a typed OmniError naming the method", async () => {
    const { api } = fakeAuthService();
    const error = await rejection(
      api.registerPublicKey({ identity: "unknown-role@example.com", ecdsaKey: pair }),
    );
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error.message).toBe(
      "[InvalidArgument] /auth.AuthService/RegisterPublicKey: invalid role",
    );
  });
});

describe("registerPublicKey with a PGP key", () => {
  it("sends the armored public key as pgp_data", async () => {
    const key = await generatePgpKey({ keyExpirationTime: 4 * 3600 });
    const { api, registered } = fakeAuthService();
    await api.registerPublicKey({ identity: "u@e.com", pgpPublicKey: key.publicKey });
    expect(new TextDecoder().decode(registered[0]?.publicKey?.pgpData)).toBe(key.publicKey);
    expect(registered[0]?.publicKey?.plainKey).toBeUndefined();
    const parsed = await openpgp.readKey({
      armoredKey: new TextDecoder().decode(registered[0]?.publicKey?.pgpData),
    });
    expect(parsed.isPrivate()).toBe(false);
  });

  it("refuses to send a private key", async () => {
    const key = await generatePgpKey({ keyExpirationTime: 3600 });
    const { api, requests } = fakeAuthService();
    const error = await rejection(
      api.registerPublicKey({ identity: "u@e.com", pgpPublicKey: key.privateKey }),
    );
    expect(error).toBeInstanceOf(KeyError);
    expect((error as KeyError).reason).toBe("not-a-public-key");
    expect(error.message).toMatch(/pgpPublicKey: is a private key; register only the public key/);
    expect(error.message).not.toContain(key.privateKey.split("\n")[2]);
    expect(requests).toHaveLength(0);
  });

  it("rejects text that is not an armored public key", async () => {
    const { api, requests } = fakeAuthService();
    for (const text of [
      "",
      "mQINBGxyz",
      "-----BEGIN PGP SIGNATURE-----\nabc\n-----END PGP SIGNATURE-----",
    ]) {
      const error = await rejection(
        api.registerPublicKey({ identity: "u@e.com", pgpPublicKey: text }),
      );
      expect(error).toBeInstanceOf(KeyError);
      expect(error.message).toMatch(/pgpPublicKey: must be one armored OpenPGP public key block/);
    }
    expect(requests).toHaveLength(0);
  });
});

describe("awaitPublicKeyConfirmation", () => {
  it("resolves once the server confirms", async () => {
    const { api, requests } = fakeAuthService();
    await expect(api.awaitPublicKeyConfirmation("k")).resolves.toBeUndefined();
    expect(requests.map((r) => r.method)).toEqual(["AwaitPublicKeyConfirmation"]);
  });

  it("can be cancelled while the server is waiting", async () => {
    const { api, awaitSeen } = fakeAuthService({
      awaitGate: (ctx) =>
        new Promise((resolve) => ctx.signal.addEventListener("abort", () => resolve())),
    });
    const controller = new AbortController();
    const waiting = rejection(api.awaitPublicKeyConfirmation("k", { signal: controller.signal }));
    await awaitSeen;
    controller.abort();
    const error = await waiting;
    expect(error).toBeInstanceOf(CanceledError);
    expect((error as CanceledError).method).toBe("/auth.AuthService/AwaitPublicKeyConfirmation");
  });

  it("sends nothing when already cancelled or given no key id", async () => {
    const { api, requests } = fakeAuthService();
    const controller = new AbortController();
    controller.abort();
    expect(
      await rejection(api.awaitPublicKeyConfirmation("k", { signal: controller.signal })),
    ).toBeInstanceOf(CanceledError);
    expect((await rejection(api.awaitPublicKeyConfirmation(""))).message).toMatch(
      /publicKeyId: must be a non-empty key id/,
    );
    expect(requests).toHaveLength(0);
  });

  it("waits as long as Omni does, whatever the client's default deadline", async () => {
    let deadlineMs: number | undefined;
    const routes = (router: ConnectRouter) =>
      router.service(AuthService, {
        async awaitPublicKeyConfirmation(_request, ctx) {
          deadlineMs = ctx.timeoutMs();
          await new Promise((resolve) => setTimeout(resolve, 150));
          return {};
        },
      });
    const omni = createOmniClient({ transport: createRouterTransport(routes), timeoutMs: 50 });
    await expect(omni.auth.awaitPublicKeyConfirmation("k")).resolves.toBeUndefined();
    expect(deadlineMs).toBeGreaterThan(5 * 60_000);
    // A deadline the caller gives still wins.
    const error = await rejection(omni.auth.awaitPublicKeyConfirmation("k", { timeoutMs: 20 }));
    expect(error).toBeInstanceOf(DeadlineExceededError);
  });

  it("refuses a timeout longer than timers keep, which would expire at once", async () => {
    const { api, requests } = fakeAuthService();
    const monthMs = 30 * 24 * 3600_000;
    const error = await rejection(api.awaitPublicKeyConfirmation("k", { timeoutMs: monthMs }));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).argument).toBe("options.timeoutMs");
    const revoke = await rejection(api.revokePublicKey("k", { timeoutMs: -1 }));
    expect((revoke as ValidationError).argument).toBe("callOptions.timeoutMs");
    expect(requests).toHaveLength(0);
  });
});

describe("confirmPublicKey", () => {
  it("carries an ID token as a bearer authorization header", async () => {
    const { api, requests } = fakeAuthService();
    await api.confirmPublicKey("k", { idToken: "eyJ.token" });
    expect(requests[0]?.header.get("authorization")).toBe("Bearer eyJ.token");
  });

  it.each(["Bearer eyJ.token", "bearer eyJ.token", "BEARER  eyJ.token"])(
    "sends a token copied with its prefix (%j) with one prefix, as Omni expects",
    async (idToken) => {
      const { api, requests } = fakeAuthService();
      await api.confirmPublicKey("k", { idToken });
      expect(requests[0]?.header.get("authorization")).toBe("Bearer eyJ.token");
    },
  );

  it("carries a SAML session", async () => {
    const { api, requests } = fakeAuthService();
    await api.confirmPublicKey("k", { samlSession: "s-1" });
    expect(requests[0]?.header.get("saml-session")).toBe("s-1");
    expect(requests[0]?.header.has("authorization")).toBe(false);
  });

  it("needs exactly one proof of login", async () => {
    const { api, requests } = fakeAuthService();
    await expect(api.confirmPublicKey("k", {})).rejects.toThrow(
      /give exactly one of idToken .* or samlSession/,
    );
    await expect(
      api.confirmPublicKey("k", { idToken: "a", samlSession: "b" }),
    ).rejects.toBeInstanceOf(ValidationError);
    const onlyPrefix = await rejection(api.confirmPublicKey("k", { idToken: "Bearer  " }));
    expect(onlyPrefix).toBeInstanceOf(ValidationError);
    expect(onlyPrefix.message).toMatch(/idToken: /);
    const badToken = await rejection(api.confirmPublicKey("k", { idToken: "secret\nvalue" }));
    expect(badToken.message).toMatch(/idToken: contains characters a header cannot carry/);
    expect(badToken.message).not.toContain("secret");
    expect(requests).toHaveLength(0);
  });
});

describe("revokePublicKey", () => {
  it("is signed when the transport signs", async () => {
    const auth = ecdsaAuth({
      identity: "user@example.com",
      privateKey: pair.privateKey,
      publicKeyId: pair.publicKeyId,
    });
    const { api, requests } = fakeAuthService({ interceptors: [createSigningInterceptor(auth)] });
    await api.revokePublicKey(pair.publicKeyId);
    await api.awaitPublicKeyConfirmation(pair.publicKeyId);
    const verifiers = new Map([[pair.publicKeyId, ecdsaVerifier(pair.publicKeyPem)]]);
    expect(
      await omniVerify(
        requests[0]?.header ?? new Headers(),
        "/auth.AuthService/RevokePublicKey",
        verifiers,
      ),
    ).toBe("ok");
    expect(requests[1]?.header.has("x-sidero-signature")).toBe(false);
  });

  it("passes the signer's KeyError through unchanged, with nothing sent", async () => {
    const key = await generatePgpKey({ passphrase: "pw" });
    const { pgpAuth } = await import("../../src/auth/pgp.js");
    const auth = pgpAuth({ identity: "u@e.com", armoredPrivateKey: key.privateKey });
    const { api, requests } = fakeAuthService({ interceptors: [createSigningInterceptor(auth)] });
    const error = await rejection(api.revokePublicKey("k"));
    expect(error).toBeInstanceOf(KeyError);
    expect((error as KeyError).reason).toBe("passphrase-required");
    expect(requests).toHaveLength(0);
  });
});
