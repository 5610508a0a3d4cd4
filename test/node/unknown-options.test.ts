import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as openpgp from "openpgp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateServiceAccountKey } from "../../src/auth/service-account-key.js";
import {
  createOmniClientFromEnv,
  createOmniClientFromOmniconfig,
  fromEnvOptionKeys,
  fromOmniconfigOptionKeys,
} from "../../src/node/clients.js";
import {
  createGrpcTransport,
  grpcTransportOptionKeys,
  tlsOptionKeys,
} from "../../src/node/grpc-transport.js";
import { loadOmniconfig, omniconfigLocationKeys } from "../../src/node/omniconfig.js";
import {
  everyKeyUnset,
  expectNoUnknownKey,
  expectUnknownKey,
  failureOf,
} from "../options/support.js";

const url = "http://127.0.0.1:1";
let home: string;
let env: Record<string, string>;

beforeAll(async () => {
  const { serviceAccountKey } = await generateServiceAccountKey({ name: "ci", ttlSeconds: 3600 });
  env = { OMNI_ENDPOINT: url, OMNI_SERVICE_ACCOUNT_KEY: serviceAccountKey };
  const key = await openpgp.generateKey({
    type: "ecc",
    curve: "ed25519Legacy",
    userIDs: [{ email: "jane@example.com" }],
    keyExpirationTime: 3600,
    format: "armored",
  });
  home = mkdtempSync(join(tmpdir(), "omni-options-"));
  mkdirSync(join(home, ".talos", "omni"), { recursive: true });
  mkdirSync(join(home, ".talos", "keys"), { recursive: true });
  writeFileSync(
    join(home, ".talos", "omni", "config"),
    `contexts:\n  lab:\n    url: ${url}\n    auth:\n      siderov1:\n        identity: jane@example.com\ncontext: lab\n`,
  );
  writeFileSync(join(home, ".talos", "keys", "lab-jane@example.com.pgp"), key.privateKey);
});

afterAll(() => {
  rmSync(home, { recursive: true, force: true });
});

describe("Node options with a key the function does not know", () => {
  it.each([
    {
      name: "createGrpcTransport",
      call: () => createGrpcTransport({ baseUrl: url, defaultTimeout: 5 } as never),
      argument: "defaultTimeout",
      meant: "defaultTimeoutMs",
    },
    {
      name: "createGrpcTransport's tls",
      call: () =>
        createGrpcTransport({
          baseUrl: "https://omni.example.com",
          tls: { insecureSkipVerfy: true } as never,
        }),
      argument: "tls.insecureSkipVerfy",
      meant: "insecureSkipVerify",
    },
    {
      name: "createOmniClientFromEnv",
      call: () => createOmniClientFromEnv({ env, readonly: true } as never),
      argument: "options.readonly",
      meant: "readOnly",
    },
    {
      name: "createOmniClientFromEnv given a transport it would replace",
      call: () => createOmniClientFromEnv({ env, transport: {} } as never),
      argument: "options.transport",
      meant: undefined,
    },
    {
      name: "createOmniClientFromOmniconfig",
      call: () => createOmniClientFromOmniconfig({ env: {}, homedir: home } as never),
      argument: "options.homedir",
      meant: "homeDir",
    },
    {
      name: "loadOmniconfig",
      call: () => loadOmniconfig(undefined, { env: {}, homedir: home } as never),
      argument: "location.homedir",
      meant: "homeDir",
    },
  ])("$name refuses it, naming $argument", async ({ call, argument, meant }) => {
    expectUnknownKey(await failureOf(call), argument, meant);
  });
});

describe("Node options: every key of each options type is accepted", () => {
  it.each([
    {
      name: "createGrpcTransport",
      call: () =>
        createGrpcTransport({
          ...everyKeyUnset(grpcTransportOptionKeys),
          baseUrl: "https://omni.example.com",
          tls: everyKeyUnset(tlsOptionKeys),
        }),
    },
    {
      name: "createOmniClientFromEnv",
      call: () => createOmniClientFromEnv({ ...everyKeyUnset(fromEnvOptionKeys), env }),
    },
    {
      name: "createOmniClientFromOmniconfig",
      call: () =>
        createOmniClientFromOmniconfig({
          ...everyKeyUnset(fromOmniconfigOptionKeys),
          env: {},
          homeDir: home,
        }),
    },
    {
      name: "loadOmniconfig",
      call: () =>
        loadOmniconfig(undefined, {
          ...everyKeyUnset(omniconfigLocationKeys),
          env: {},
          homeDir: home,
        }),
    },
  ])("$name takes every key", async ({ call }) => {
    const error = await failureOf(call);
    expectNoUnknownKey(error);
    expect(error).toBeUndefined();
  });
});
