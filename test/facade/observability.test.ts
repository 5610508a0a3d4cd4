import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import type { OmniAuth } from "../../src/auth/types.js";
import { createOmniClient } from "../../src/client.js";
import { DataSchema } from "../../src/gen/common/common_pb.js";
import {
  BootAssetURLResponseSchema,
  GetMachineJoinConfigResponseSchema,
} from "../../src/gen/omni/management/management_pb.js";
import type { OmniLogger } from "../../src/logging.js";
import { createFakeOmni } from "./fake-omni.js";

const canaryKey = "CANARY-PRIVATE-KEY-7f3a";
const canaryToken = "CANARY-JOIN-TOKEN-91bd";

function recordingLogger() {
  const lines: string[] = [];
  const log = (message: string, fields?: object) =>
    lines.push(`${message} ${JSON.stringify(fields)}`);
  const logger: OmniLogger = { debug: log, info: log, warn: log, error: log };
  return { lines, logger };
}

/** An auth double that signs with a canary "key"; the real signer is tested by its owner. */
const canaryAuth: OmniAuth = {
  kind: "pgp",
  identity: "tester@example.com",
  signer: async () => ({
    identity: "tester@example.com",
    keyId: "0123abcd",
    sign: async () => new TextEncoder().encode(canaryKey).slice(0, 8),
  }),
};

describe("logging", () => {
  it("writes one debug line per call with method, duration and code", async () => {
    const omni = createFakeOmni({
      listUsers: () => {
        throw new ConnectError("denied", Code.PermissionDenied);
      },
    });
    const { lines, logger } = recordingLogger();
    const client = createOmniClient({ transport: omni.transport, logger });
    await client.management.omniconfig();
    await client.management.listUsers().catch(() => undefined);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^omni call \/management.ManagementService\/Omniconfig OK in \d+ms /);
    expect(lines[1]).toContain('"code":"PermissionDenied"');
    expect(lines[1]).toContain('"method":"/management.ManagementService/ListUsers"');
  });

  it("logs a stream once, when the caller breaks out of it", async () => {
    const omni = createFakeOmni({
      async *machineLogs() {
        for (;;) {
          yield create(DataSchema, { bytes: new Uint8Array([65]) });
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
      },
    });
    const { lines, logger } = recordingLogger();
    const client = createOmniClient({ transport: omni.transport, logger });
    for await (const _ of client.management.machineLogs({ machineId: "m", follow: true })) {
      break;
    }
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('"code":"Canceled"');
  });
});

describe("streams", () => {
  it("breaking out of a for await cancels the call on the server", async () => {
    let serverSignal: AbortSignal | undefined;
    const omni = createFakeOmni({
      async *machineLogs(_request, ctx) {
        serverSignal = ctx.signal;
        for (;;) {
          yield create(DataSchema, { bytes: new Uint8Array([65]) });
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
      },
    });
    const client = createOmniClient({ transport: omni.transport });
    let received = 0;
    for await (const _ of client.management.machineLogs({ machineId: "m", follow: true })) {
      received += 1;
      if (received === 3) {
        break;
      }
    }
    const signal = serverSignal;
    // Resolves only if the cancellation reaches the server; otherwise the test times out.
    await new Promise<void>((resolve) => {
      if (signal?.aborted) {
        resolve();
      }
      signal?.addEventListener("abort", () => resolve());
    });
    expect(signal?.aborted).toBe(true);
  });

  it("an aborted signal ends a stream with CanceledError", async () => {
    const omni = createFakeOmni({
      async *machineLogs() {
        for (;;) {
          yield create(DataSchema, { bytes: new Uint8Array([65]) });
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
      },
    });
    const client = createOmniClient({ transport: omni.transport });
    const controller = new AbortController();
    const error = await (async () => {
      for await (const _ of client.management.machineLogs(
        { machineId: "m", follow: true },
        { signal: controller.signal },
      )) {
        controller.abort();
      }
    })().catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "CanceledError", code: Code.Canceled });
  });

  it("the client's default timeout applies to unary calls but not to streams", async () => {
    const omni = createFakeOmni({
      listUsers: async (_request, ctx) => {
        await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve));
        throw new ConnectError("aborted", Code.Canceled);
      },
      async *machineLogs() {
        await new Promise((resolve) => setTimeout(resolve, 80));
        yield create(DataSchema, { bytes: new Uint8Array([66]) });
      },
    });
    const client = createOmniClient({ transport: omni.transport, timeoutMs: 20 });
    await expect(client.management.listUsers()).rejects.toMatchObject({
      name: "DeadlineExceededError",
    });
    const chunks: Uint8Array[] = [];
    for await (const chunk of client.management.machineLogs({ machineId: "m" })) {
      chunks.push(chunk);
    }
    expect(chunks).toEqual([new Uint8Array([66])]);
  });
});

describe("secrets", () => {
  it("no log line, error message or JSON of an SDK object contains a key or token", async () => {
    const omni = createFakeOmni({
      getMachineJoinConfig: () =>
        create(GetMachineJoinConfigResponseSchema, {
          kernelArgs: [`siderolink.api=https://omni.example.com?jointoken=${canaryToken}`],
          config: `apiVersion: v1alpha1\napiUrl: grpc://x?jointoken=${canaryToken}\n`,
        }),
      createJoinToken: () => ({ id: canaryToken }),
      getBootAssetURL: () =>
        create(BootAssetURLResponseSchema, {
          url: "https://f/x",
          headers: { authorization: canaryToken },
        }),
      listUsers: () => {
        throw new ConnectError("boom", Code.Internal);
      },
    });
    const { lines, logger } = recordingLogger();
    const client = createOmniClient({ transport: omni.transport, logger, auth: canaryAuth });
    const join = await client.management.getMachineJoinConfig({ joinToken: canaryToken });
    const token = await client.management.createJoinToken({ name: "lab" });
    const asset = await client.management.getBootAssetURL({
      talosVersion: "1.10.0",
      schematicId: "s",
      bootAssetKind: "iso",
    });
    const failure = await client.management.listUsers().catch((e: unknown) => e);
    const bad = await client.management
      .createServiceAccount({
        name: "ci",
        armoredPgpPublicKey: `-----BEGIN PGP PRIVATE KEY BLOCK-----${canaryKey}`,
      })
      .catch((e: unknown) => e);

    // The values are there for the user who asked for them...
    expect(join.kernelArgsString()).toContain(canaryToken);
    expect(token.id).toBe(canaryToken);
    expect(asset.headers.authorization).toBe(canaryToken);
    // ...and the signature really went out.
    expect(omni.last().headers.get("x-sidero-signature")).toMatch(
      /^siderov1 tester@example.com 0123abcd /,
    );

    const exposed = [
      ...lines,
      JSON.stringify(client),
      JSON.stringify(client.management),
      JSON.stringify(join),
      String(join),
      join.summary(),
      JSON.stringify(token),
      String(token),
      JSON.stringify(asset),
      JSON.stringify({ ...join, ...token, ...asset }),
      (failure as Error).message,
      JSON.stringify(failure),
      (bad as Error).message,
      JSON.stringify(bad),
    ].join("\n");
    expect(exposed).not.toContain(canaryToken);
    expect(exposed).not.toContain(canaryKey);
    expect(lines.length).toBe(4);
  });
});
