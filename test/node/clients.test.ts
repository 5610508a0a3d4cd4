import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Http2Server, type ServerHttp2Session } from "node:http2";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import * as openpgp from "openpgp";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { KeyError, ValidationError } from "../../src/errors.js";
import { ManagementService } from "../../src/gen/omni/management/management_pb.js";
import { createOmniClientFromEnv, createOmniClientFromOmniconfig } from "../../src/node/clients.js";

/** A gRPC server that records the signature header of each call. */
let server: Http2Server;
let url: string;
const sessions = new Set<ServerHttp2Session>();
const signatures: string[] = [];
let armoredPrivateKey: string;
let fingerprint: string;

beforeAll(async () => {
  server = createServer(
    connectNodeAdapter({
      routes: (router) =>
        router.service(ManagementService, {
          omniconfig: (_request, context) => {
            signatures.push(context.requestHeader.get("x-sidero-signature") ?? "");
            return { omniconfig: new TextEncoder().encode("contexts: {}") };
          },
        }),
    }),
  );
  server.on("session", (session: ServerHttp2Session) => {
    sessions.add(session);
    session.on("close", () => sessions.delete(session));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const key = await openpgp.generateKey({
    type: "ecc",
    curve: "ed25519Legacy",
    userIDs: [{ email: "jane@example.com" }],
    keyExpirationTime: 4 * 3600,
    format: "object",
  });
  armoredPrivateKey = key.privateKey.armor();
  fingerprint = key.privateKey.getFingerprint();
});

afterAll(async () => {
  for (const session of sessions) {
    session.destroy();
  }
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** A key that expired an hour ago, as omnictl's are a few hours after login. */
async function expiredKey(email: string): Promise<string> {
  const key = await openpgp.generateKey({
    type: "ecc",
    curve: "ed25519Legacy",
    userIDs: [{ email }],
    keyExpirationTime: 3600,
    date: new Date(Date.now() - 2 * 3600_000),
    format: "object",
  });
  return key.privateKey.armor();
}

/** What the first signed call fails with. */
async function firstCallError(transport: Parameters<typeof createClient>[1]): Promise<KeyError> {
  const error = await createClient(ManagementService, transport)
    .omniconfig({})
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  expect(error).toBeInstanceOf(KeyError);
  return error as KeyError;
}

function serviceAccountKey(name: string, pgpKey: string): string {
  return Buffer.from(JSON.stringify({ name, pgp_key: pgpKey })).toString("base64");
}

describe("createOmniClientFromEnv", () => {
  it("signs calls as the service account from the environment, over native gRPC", async () => {
    const client = createOmniClientFromEnv({
      env: {
        OMNI_ENDPOINT: url,
        OMNI_SERVICE_ACCOUNT_KEY: serviceAccountKey("ci-bot", armoredPrivateKey),
      },
    });
    await createClient(ManagementService, client.transport).omniconfig({});
    expect(signatures.at(-1)).toMatch(new RegExp(`^siderov1 ci-bot ${fingerprint} \\S+$`));
  });

  it("names the variable a malformed key came from, without its value", () => {
    const error = (() => {
      try {
        createOmniClientFromEnv({
          env: { OMNI_ENDPOINT: url, SIDERO_SERVICE_ACCOUNT_KEY: "not base64 at all!" },
        });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(KeyError);
    expect((error as KeyError).argument).toBe("SIDERO_SERVICE_ACCOUNT_KEY");
    expect((error as KeyError).reason).toBe("not-base64");
    expect((error as KeyError).message).not.toContain("not base64 at all");
  });

  it("names the variable when the key turns out expired at the first call", async () => {
    const sent = signatures.length;
    const client = createOmniClientFromEnv({
      env: {
        OMNI_ENDPOINT: url,
        OMNI_SERVICE_ACCOUNT_KEY: serviceAccountKey("old", await expiredKey("old@example.com")),
      },
    });
    const error = await firstCallError(client.transport);
    expect(error.argument).toMatch(/^OMNI_SERVICE_ACCOUNT_KEY/);
    expect(error.reason).toBe("expired");
    expect(signatures.length).toBe(sent);
  });

  it("rejects a bad endpoint before connecting, naming OMNI_ENDPOINT", () => {
    const make = () =>
      createOmniClientFromEnv({
        env: { OMNI_ENDPOINT: "omni.example.com:443", OMNI_SERVICE_ACCOUNT_KEY: "eA==" },
      });
    expect(make).toThrow(ValidationError);
    expect(make).toThrow(
      "OMNI_ENDPOINT: has no scheme; for host omni.example.com and port 443 write https://omni.example.com:443",
    );
  });

  it("does not show the key when it was put in OMNI_ENDPOINT instead", () => {
    const key = serviceAccountKey("ci-bot", armoredPrivateKey);
    const error = (() => {
      try {
        createOmniClientFromEnv({ env: { OMNI_ENDPOINT: key, OMNI_SERVICE_ACCOUNT_KEY: url } });
      } catch (e) {
        return e as ValidationError;
      }
      throw new Error("expected a ValidationError");
    })();
    expect(error.argument).toBe("OMNI_ENDPOINT");
    expect(`${error.message} ${JSON.stringify(error)}`).not.toContain(key.slice(0, 24));
  });
});

describe("createOmniClientFromOmniconfig", () => {
  let home: string;

  beforeAll(() => {
    home = mkdtempSync(join(tmpdir(), "omni-home-"));
    mkdirSync(join(home, ".talos", "omni"), { recursive: true });
    mkdirSync(join(home, ".talos", "keys"), { recursive: true });
    writeFileSync(
      join(home, ".talos", "omni", "config"),
      `contexts:\n  lab:\n    url: ${url}\n    auth:\n      siderov1:\n        identity: jane@example.com\n  anon:\n    url: ${url}\ncontext: lab\n`,
    );
    writeFileSync(join(home, ".talos", "keys", "lab-jane@example.com.pgp"), armoredPrivateKey);
  });

  afterAll(() => {
    rmSync(home, { recursive: true, force: true });
  });

  it("signs with the user key omnictl saved for the current context", async () => {
    const client = createOmniClientFromOmniconfig({ env: {}, homeDir: home, readOnly: true });
    expect(client.readOnly).toBe(true);
    await createClient(ManagementService, client.transport).omniconfig({});
    expect(signatures.at(-1)).toMatch(new RegExp(`^siderov1 jane@example.com ${fingerprint} `));
  });

  it("says which key file is missing", () => {
    expect(() =>
      createOmniClientFromOmniconfig({ env: {}, homeDir: home, keysDir: join(home, "empty") }),
    ).toThrow(join(home, "empty", "lab-jane@example.com.pgp"));
  });

  it("says which file a broken key is in", () => {
    const keysDir = join(home, "broken");
    mkdirSync(keysDir);
    writeFileSync(join(keysDir, "lab-jane@example.com.pgp"), "garbage");
    const error = (() => {
      try {
        createOmniClientFromOmniconfig({ env: {}, homeDir: home, keysDir });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(KeyError);
    expect((error as KeyError).argument).toBe(join(keysDir, "lab-jane@example.com.pgp"));
  });

  it("names the key file and says how to renew it when omnictl's key has expired", async () => {
    const keysDir = join(home, "expired");
    mkdirSync(keysDir);
    const file = join(keysDir, "lab-jane@example.com.pgp");
    writeFileSync(file, await expiredKey("jane@example.com"));
    const sent = signatures.length;
    const client = createOmniClientFromOmniconfig({ env: {}, homeDir: home, keysDir });
    const error = await firstCallError(client.transport);
    expect(error.argument).toBe(file);
    expect(error.reason).toBe("expired");
    expect(error.message).toContain("log in again with omnictl");
    expect(signatures.length).toBe(sent);
    // Logging in again writes a new key; the running client signs with it from its next call.
    writeFileSync(file, armoredPrivateKey);
    await createClient(ManagementService, client.transport).omniconfig({});
    expect(signatures.length).toBe(sent + 1);
    expect(signatures.at(-1)).toMatch(new RegExp(`^siderov1 jane@example.com ${fingerprint} `));
  });

  it("names the key file when the key expires while the client runs", async () => {
    const client = createOmniClientFromOmniconfig({ env: {}, homeDir: home });
    await createClient(ManagementService, client.transport).omniconfig({});
    const now = Date.now();
    const clock = vi.spyOn(Date, "now").mockReturnValue(now + 5 * 3600_000);
    try {
      // Another payload, so the call is signed afresh rather than reusing the first signature.
      const error = await createClient(ManagementService, client.transport)
        .omniconfig({}, { headers: { cluster: "other" } })
        .then(
          () => undefined,
          (e: unknown) => e as KeyError,
        );
      expect(error).toBeInstanceOf(KeyError);
      if (!error) {
        return;
      }
      expect(error.argument).toBe(join(home, ".talos", "keys", "lab-jane@example.com.pgp"));
      expect(error.reason).toBe("expired");
      expect(error.message).toContain("log in again with omnictl");
    } finally {
      clock.mockRestore();
    }
  });

  it("names the omniconfig key of a URL it cannot use", () => {
    const path = join(home, "bad-url-config");
    writeFileSync(path, "contexts:\n  lab:\n    url: omni.example.com\ncontext: lab\n");
    expect(() => createOmniClientFromOmniconfig({ env: {}, homeDir: home, path })).toThrow(
      /^\[InvalidArgument\] contexts\.lab\.url: is not a URL/,
    );
  });

  it("needs an identity in the chosen context", () => {
    expect(() =>
      createOmniClientFromOmniconfig({ env: {}, homeDir: home, context: "anon" }),
    ).toThrow("contexts.anon.auth.siderov1.identity");
  });
});
