import { type ConnectRouter, createRouterTransport, type Interceptor } from "@connectrpc/connect";
import { beforeAll, describe, expect, it } from "vitest";
import { ecdsaAuth, generateEcdsaKey } from "../../src/auth/ecdsa.js";
import {
  createSigningInterceptor,
  signingInterceptorOptionKeys,
} from "../../src/auth/interceptor.js";
import {
  authCallOptionKeys,
  confirmPublicKeyOptionKeys,
  createAuthApi,
  registerEcdsaKeyOptionKeys,
  registerPgpKeyOptionKeys,
} from "../../src/auth/login.js";
import { pgpAuth, pgpAuthOptionKeys } from "../../src/auth/pgp.js";
import {
  generateServiceAccountKey,
  generateServiceAccountKeyOptionKeys,
} from "../../src/auth/service-account-key.js";
import { AuthService } from "../../src/gen/omni/auth/auth_pb.js";
import {
  everyKeyUnset,
  expectNoUnknownKey,
  expectUnknownKey,
  failureOf,
} from "../options/support.js";
import { generatePgpKey } from "./support.js";

const identity = "jane@example.com";
const publicKeyId = "k";
let pair: Awaited<ReturnType<typeof generateEcdsaKey>>;
let pgpKey: Awaited<ReturnType<typeof generatePgpKey>>;

beforeAll(async () => {
  pair = await generateEcdsaKey();
  pgpKey = await generatePgpKey({ keyExpirationTime: 3600 });
});

/** The login flow on an in-memory AuthService that counts the requests reaching it. */
function loginFlow() {
  let requests = 0;
  const count: Interceptor = (next) => (req) => {
    requests++;
    return next(req);
  };
  const routes = (router: ConnectRouter) =>
    router.service(AuthService, {
      registerPublicKey: () => ({ loginUrl: "https://omni.example/authenticate", publicKeyId }),
      awaitPublicKeyConfirmation: () => ({}),
      confirmPublicKey: () => ({}),
      revokePublicKey: () => ({}),
    });
  const transport = createRouterTransport(routes, { router: { interceptors: [count] } });
  return { api: createAuthApi(transport), requests: () => requests };
}

type Api = ReturnType<typeof loginFlow>["api"];

interface Case {
  name: string;
  keys: ReadonlySet<string>;
  /** Every required option, so that the call goes through. */
  valid: () => object;
  call: (options: never, api: Api) => unknown;
  /** How the function names the options in errors (empty: bare, as its other errors do). */
  argument: string;
  typo: [key: string, meant: string | undefined];
  /** Whether the call is a request to Omni, which a refused option must never reach. */
  sends: boolean;
}

const cases: Case[] = [
  {
    name: "pgpAuth",
    keys: pgpAuthOptionKeys,
    valid: () => ({ identity, armoredPrivateKey: pgpKey.privateKey }),
    call: (options) => pgpAuth(options),
    argument: "",
    typo: ["passPhrase", "passphrase"],
    sends: false,
  },
  {
    name: "generateServiceAccountKey",
    keys: generateServiceAccountKeyOptionKeys,
    valid: () => ({ name: "ci", ttlSeconds: 3600 }),
    call: (options) => generateServiceAccountKey(options),
    argument: "options",
    typo: ["ttlSecond", "ttlSeconds"],
    sends: false,
  },
  {
    name: "createSigningInterceptor",
    keys: signingInterceptorOptionKeys,
    valid: () => ({}),
    call: (options) =>
      createSigningInterceptor(
        ecdsaAuth({ identity, privateKey: pair.privateKey, publicKeyId: pair.publicKeyId }),
        options,
      ),
    argument: "options",
    typo: ["Now", "now"],
    sends: false,
  },
  {
    name: "registerPublicKey with a PGP key",
    keys: registerPgpKeyOptionKeys,
    valid: () => ({ identity, pgpPublicKey: pgpKey.publicKey }),
    call: (options, api) => api.registerPublicKey(options),
    argument: "",
    typo: ["skipUserrole", "skipUserRole"],
    sends: true,
  },
  {
    name: "registerPublicKey with an ECDSA key",
    keys: registerEcdsaKeyOptionKeys,
    valid: () => ({ identity, ecdsaKey: pair }),
    call: (options, api) => api.registerPublicKey(options),
    argument: "",
    typo: ["notbefore", "notBefore"],
    sends: true,
  },
  {
    name: "registerPublicKey's call options",
    keys: authCallOptionKeys,
    valid: () => ({}),
    call: (options, api) =>
      api.registerPublicKey({ identity, pgpPublicKey: pgpKey.publicKey }, options),
    argument: "callOptions",
    typo: ["signl", "signal"],
    sends: true,
  },
  {
    name: "awaitPublicKeyConfirmation",
    keys: authCallOptionKeys,
    valid: () => ({}),
    call: (options, api) => api.awaitPublicKeyConfirmation(publicKeyId, options),
    argument: "options",
    typo: ["timeout", "timeoutMs"],
    sends: true,
  },
  {
    name: "confirmPublicKey",
    keys: confirmPublicKeyOptionKeys,
    valid: () => ({ idToken: "token" }),
    call: (options, api) => api.confirmPublicKey(publicKeyId, options),
    argument: "options",
    typo: ["samlsession", "samlSession"],
    sends: true,
  },
  {
    name: "revokePublicKey",
    keys: authCallOptionKeys,
    valid: () => ({}),
    call: (options, api) => api.revokePublicKey(publicKeyId, options),
    argument: "callOptions",
    typo: ["timeoutMS", "timeoutMs"],
    sends: true,
  },
];

describe("auth options with a key the function does not know", () => {
  it.each(cases)("$name refuses it", async ({ valid, call, argument, typo }) => {
    const { api, requests } = loginFlow();
    const [key, meant] = typo;
    const error = await failureOf(() => call({ ...valid(), [key]: true } as never, api));
    expectUnknownKey(error, argument === "" ? key : `${argument}.${key}`, meant);
    expect(requests()).toBe(0);
  });

  it("refuses a key of the other kind of registration", async () => {
    const { api, requests } = loginFlow();
    const pgpWithWindow = { identity, pgpPublicKey: pgpKey.publicKey, notAfter: new Date() };
    expectUnknownKey(await failureOf(() => api.registerPublicKey(pgpWithWindow)), "notAfter");
    const both = { identity, ecdsaKey: pair, pgpPublicKey: pgpKey.publicKey };
    expectUnknownKey(await failureOf(() => api.registerPublicKey(both)), "ecdsaKey");
    expect(requests()).toBe(0);
  });

  it("names a misspelt key of registration that has neither kind of key", async () => {
    const { api, requests } = loginFlow();
    const error = await failureOf(() =>
      api.registerPublicKey({ identity, pgpPublickey: pgpKey.publicKey } as never),
    );
    expectUnknownKey(error, "pgpPublickey", "pgpPublicKey");
    expect(requests()).toBe(0);
  });
});

describe("auth options: every key of each options type is accepted", () => {
  it.each(cases)("$name takes every key", async ({ keys, valid, call, sends }) => {
    const { api, requests } = loginFlow();
    expectNoUnknownKey(
      await failureOf(() => call({ ...everyKeyUnset(keys), ...valid() } as never, api)),
    );
    expect(requests()).toBe(sends ? 1 : 0);
  });

  it("ecdsaAuth takes a stored login record or a spread key pair, which carry more keys", () => {
    const login = {
      identity,
      privateKey: pair.privateKey,
      publicKeyId: pair.publicKeyId,
      confirmed: Promise.resolve(),
    };
    expect(ecdsaAuth(login).identity).toBe(identity);
    expect(ecdsaAuth({ identity, ...pair }).identity).toBe(identity);
  });

  it("registers the whole pair from generateEcdsaKey as ecdsaKey, whatever keys it has", async () => {
    const { api, requests } = loginFlow();
    await api.registerPublicKey({ identity, ecdsaKey: { ...pair, label: "laptop" } as never });
    expect(requests()).toBe(1);
  });
});
