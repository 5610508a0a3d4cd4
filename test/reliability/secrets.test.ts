import { inspect } from "node:util";
import { Code, createClient } from "@connectrpc/connect";
import * as openpgp from "openpgp";
import { describe, expect, it } from "vitest";
import { pgpAuth } from "../../src/auth/pgp.js";
import { serviceAccountAuth } from "../../src/auth/service-account.js";
import { createOmniClient } from "../../src/client.js";
import type { OmniEmulator } from "../../src/emulator/index.js";
import { ValidationError } from "../../src/errors.js";
import { ManagementService } from "../../src/gen/omni/management/management_pb.js";
import type { OmniLogger } from "../../src/logging.js";
import { createOmniClientFromEnv } from "../../src/node/clients.js";
import { createGrpcTransport } from "../../src/node/grpc-transport.js";
import { Clusters } from "../../src/resources/registry.js";
import { createGatewayTransport } from "../../src/transport/gateway-transport.js";
import { generatePgpKey, serviceAccountKey } from "../auth/support.js";
import {
  drain,
  type TransportName,
  transportFor,
  transportNames,
  withEmulator,
} from "./support.js";

const marker = "CANARY-7c41e9";

/**
 * The emulator's admin key with a marker in its armor headers: the same key material, so it
 * still signs, but any leak of the armored text shows the marker.
 */
function canaryKey(emulator: OmniEmulator): { base64: string; armored: string } {
  const document = JSON.parse(Buffer.from(emulator.keys.admin, "base64").toString("utf8")) as {
    name: string;
    pgp_key: string;
  };
  const armored = document.pgp_key.replace(
    "-----BEGIN PGP PRIVATE KEY BLOCK-----\n",
    `-----BEGIN PGP PRIVATE KEY BLOCK-----\nComment: ${marker}\n`,
  );
  expect(armored).toContain(marker);
  return { base64: serviceAccountKey({ ...document, pgp_key: armored }), armored };
}

/** Everything a user could see of a value: printed, stringified, inspected to the bottom. */
function renderings(value: unknown): string[] {
  // Resource specs carry 64-bit integers, which JSON.stringify cannot write without help.
  const json = JSON.stringify(value, (_key, item: unknown) =>
    typeof item === "bigint" ? item.toString() : item,
  );
  const out = [String(value), json ?? "", inspect(value, { depth: Infinity })];
  if (value instanceof Error) {
    out.push(value.message, value.stack ?? "");
  }
  return out;
}

async function errorOf(run: () => unknown): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  return expect.fail("expected a failure");
}

/** Long enough to be unique, short enough to catch a partial leak. */
function fragments(secret: string): string[] {
  const lines = secret.split("\n").filter((line) => line.length >= 16);
  return lines.length > 0 ? lines : [secret];
}

describe.each(transportNames)("secrets over %s", (name: TransportName) => {
  it("no key, join token or kubeconfig reaches a log line, an error or a rendering", async () => {
    await withEmulator({}, async (emulator) => {
      const key = canaryKey(emulator);
      const logs: string[] = [];
      const log = (message: string, fields?: object) =>
        logs.push(`${message} ${JSON.stringify(fields)}`);
      const logger: OmniLogger = { debug: log, info: log, warn: log, error: log };
      const auth = serviceAccountAuth(key.base64);
      const client = createOmniClient({
        transport: transportFor(emulator, name),
        auth,
        logger,
        retry: { maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 1 },
      });
      const shown: string[] = [];
      const show = (value: unknown) => shown.push(...renderings(value));

      // Successful calls of every kind, each returning or carrying a secret.
      const joinToken = await client.management.createJoinToken({ name: "canary" });
      const joinConfig = await client.management.getMachineJoinConfig({
        joinToken: joinToken.id,
      });
      const clusters = await client.resources.listAll(Clusters);
      const cluster = clusters[0]?.metadata.id ?? "";
      const kubeconfig = await client.management.kubeconfig({
        cluster,
        serviceAccount: true,
        serviceAccountUser: "canary",
        serviceAccountTtlSeconds: 3600,
      });
      const kubeToken = /token: (\S+)/.exec(kubeconfig)?.[1] ?? "";
      expect(kubeToken.length).toBeGreaterThan(16);
      expect(joinConfig.kernelArgsString()).toContain(joinToken.id);
      show(joinToken);
      show(joinConfig);
      show(clusters);
      show(client);
      show(auth);
      show(client.auth);
      show(await auth.signer());

      // A watch left early, and calls that fail: on the server, by retry, mid-stream, by deadline.
      for await (const _ of client.resources.watch(Clusters)) {
        break;
      }
      emulator.setFaults({
        errors: [
          { methods: ["/management.ManagementService/Omniconfig"], code: Code.Unavailable },
          {
            methods: ["/management.ManagementService/GetMachineJoinConfig"],
            code: Code.PermissionDenied,
          },
        ],
        streamCut: { methods: ["/cosi.resource.State/List"], afterMessages: 1 },
        stall: { methods: ["/management.ManagementService/Kubeconfig"] },
      });
      show(await errorOf(() => client.management.omniconfig()));
      show(
        await errorOf(() => client.management.getMachineJoinConfig({ joinToken: joinToken.id })),
      );
      show(await errorOf(() => drain(client.resources.list(Clusters))));
      show(
        await errorOf(() =>
          client.management.kubeconfig({ cluster }, { timeoutMs: 200, headers: { kubeToken } }),
        ),
      );
      show(await errorOf(() => client.resources.get(Clusters, `${joinToken.id} `)));
      emulator.setFaults({});

      // Malformed headers, whose platform errors quote the refused name or value.
      show(
        await errorOf(() =>
          client.management.omniconfig(
            {},
            { headers: { authorization: `Bearer ${kubeToken}\nx` } },
          ),
        ),
      );
      show(
        await errorOf(() =>
          client.resources.get(Clusters, cluster, { headers: { [`x-${joinToken.id} `]: "1" } }),
        ),
      );

      // Bad keys and bad options that carry the secrets.
      show(await errorOf(() => serviceAccountAuth(Buffer.from(`{${marker}`).toString("base64"))));
      show(
        await errorOf(() =>
          serviceAccountAuth(
            serviceAccountKey({ name: "ci", pgp_key: key.armored.slice(0, 400) }),
          ).signer(),
        ),
      );
      show(
        await errorOf(() =>
          serviceAccountAuth(serviceAccountKey({ name: "ci bot", pgp_key: key.armored })),
        ),
      );
      const locked = await generatePgpKey({ passphrase: "right" });
      show(
        await errorOf(async () =>
          pgpAuth({
            identity: "admin@example.org",
            armoredPrivateKey: locked.privateKey,
            passphrase: marker,
          }).signer(),
        ),
      );
      show(
        await errorOf(() =>
          createGatewayTransport({ baseUrl: `https://user:${kubeToken}@omni.example.com` }),
        ),
      );
      show(
        await errorOf(() =>
          createGrpcTransport({ baseUrl: `https://user:${kubeToken}@omni.example.com` }),
        ),
      );

      // Secrets handed over in the wrong place: swapped variables, swapped arguments.
      show(
        await errorOf(() =>
          createOmniClientFromEnv({
            env: { OMNI_ENDPOINT: key.base64, OMNI_SERVICE_ACCOUNT_KEY: emulator.url },
          }),
        ),
      );
      show(await errorOf(() => createGatewayTransport({ baseUrl: key.base64 })));
      show(await errorOf(() => createGrpcTransport({ baseUrl: key.armored })));
      show(await errorOf(() => createGrpcTransport({ baseUrl: `${joinToken.id}:${kubeToken}` })));
      show(
        await errorOf(() =>
          pgpAuth({ identity: key.armored, armoredPrivateKey: "admin@example.org" }),
        ),
      );
      show(
        await errorOf(() =>
          pgpAuth({ identity: key.armored, armoredPrivateKey: key.armored }).signer(),
        ),
      );
      show(
        await errorOf(() =>
          serviceAccountAuth(serviceAccountKey({ name: key.armored, pgp_key: key.armored })),
        ),
      );

      const secrets = [
        marker,
        key.base64,
        ...fragments(key.armored),
        joinToken.id,
        kubeToken,
        ...fragments(kubeconfig),
        ...fragments(joinConfig.config),
      ];
      // The canaries are real: they were in hand, so a leak would show.
      expect(joinToken.id.length).toBeGreaterThan(8);
      expect(logs.length).toBeGreaterThan(8);
      expect(logs.some((line) => line.startsWith("omni retry"))).toBe(true);
      const haystack = [...logs, ...shown];
      for (const secret of secrets) {
        const leaks = haystack.filter((text) => text.includes(secret));
        expect(leaks, `a secret appeared (${secret.length} characters)`).toEqual([]);
      }
    });
  }, 60_000);
});

describe("malformed call headers", () => {
  const secret = `Bearer ${marker}`;
  const cases: Array<[string, Record<string, string>]> = [
    ["a line break in a value", { authorization: `${secret}\nx` }],
    ["a character beyond Latin-1 in a value", { authorization: `${secret}\u20ac` }],
    ["an invalid name", { [`${marker} x`]: "1" }],
  ];

  it.each(cases)("%s is a ValidationError that quotes no value", async (_case, headers) => {
    await withEmulator({}, async (emulator) => {
      const client = createOmniClient({
        transport: transportFor(emulator, "gateway"),
        auth: serviceAccountAuth(emulator.keys.admin),
      });
      const raw = createClient(ManagementService, client.transport);
      const failures = [
        await errorOf(() => client.management.omniconfig({}, { headers })),
        await errorOf(() => client.resources.get(Clusters, "talos-default", { headers })),
        await errorOf(() => raw.omniconfig({}, { headers })),
      ];
      for (const failure of failures) {
        expect(failure).toBeInstanceOf(ValidationError);
        expect((failure as ValidationError).argument).toMatch(
          /^((callOptions|options)\.)?headers(\.authorization)?$/,
        );
        expect(renderings(failure).filter((text) => text.includes(marker))).toEqual([]);
      }
    });
  });
});

describe("the canary check", () => {
  it("finds a secret that does leak", async () => {
    const key = await openpgp.generateKey({
      type: "ecc",
      curve: "ed25519Legacy",
      userIDs: [{ email: "leak@example.org" }],
      format: "armored",
    });
    const leaky = { armored: key.privateKey };
    const found = renderings(leaky).some((text) =>
      fragments(key.privateKey).some((fragment) => text.includes(fragment)),
    );
    expect(found).toBe(true);
  });
});
