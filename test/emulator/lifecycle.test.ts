import { spawn } from "node:child_process";
import { inspect } from "node:util";
import { createClient } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { EmulatorOptionError, startOmniEmulator } from "../../src/emulator/index.js";
import { ManagementService } from "../../src/gen/omni/management/management_pb.js";
import { rejection, serviceAccountSigner, signingInterceptor, transportFor } from "./support.js";

describe("startOmniEmulator", () => {
  it("makes the same keys from the same seed, and fresh keys without one", async () => {
    const [a, b, c] = await Promise.all([
      startOmniEmulator({ seed: 42 }),
      startOmniEmulator({ seed: 42 }),
      startOmniEmulator(),
    ]);
    try {
      expect(a.keys).toEqual(b.keys);
      expect(c.keys.admin).not.toBe(a.keys.admin);
      expect(new Set([a.keys.admin, a.keys.operator, a.keys.reader]).size).toBe(3);
      const decoded = JSON.parse(Buffer.from(a.keys.admin, "base64").toString()) as {
        name: string;
        pgp_key: string;
      };
      expect(decoded.name).toBe("emulator-admin");
      expect(decoded.pgp_key).toContain("BEGIN PGP PRIVATE KEY BLOCK");
      // The seeded key signs calls the emulator accepts.
      const client = createClient(
        ManagementService,
        transportFor(b, "grpc", [signingInterceptor(await serviceAccountSigner(a.keys.admin))]),
      );
      await expect(client.omniconfig({})).resolves.toBeDefined();
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
    }
  });

  it("keeps keys out of JSON.stringify and inspect", async () => {
    const emulator = await startOmniEmulator();
    try {
      for (const text of [JSON.stringify(emulator), inspect(emulator, { depth: 5 })]) {
        expect(text).not.toContain(emulator.keys.admin.slice(0, 40));
      }
      expect(JSON.parse(JSON.stringify(emulator))).toEqual({
        url: emulator.url,
        grpcWebUrl: emulator.grpcWebUrl,
        gatewayUrl: emulator.gatewayUrl,
        omniVersion: "main",
      });
    } finally {
      await emulator.close();
    }
  });

  it.each([
    [{ port: -1 }, "port"],
    [{ httpPort: 70000 }, "httpPort"],
    [{ host: "" }, "host"],
    [{ seed: 1.5 }, "seed"],
    [{ omniVersion: "banana" }, "omniVersion"],
    [{ corsOrigins: ["localhost:5173"] }, "corsOrigins[0]"],
    [{ users: [{ email: "nobody", role: "Admin" }] }, "users[0].email"],
    [{ users: [{ email: "a@b.co", role: "Root" }] }, "users[0].role"],
    [{ timings: { followLogIntervalMs: 0 } }, "timings.followLogIntervalMs"],
  ])("rejects %j before listening, naming %s", async (options, argument) => {
    const error = await startOmniEmulator(options as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EmulatorOptionError);
    expect((error as EmulatorOptionError).argument).toBe(argument);
  });

  it("closes every listener and open stream", async () => {
    const emulator = await startOmniEmulator({ timings: { followLogIntervalMs: 5 } });
    const signer = await serviceAccountSigner(emulator.keys.admin);
    const machineId =
      emulator.store.list("default", "MachineStatuses.omni.sidero.dev")[0]?.metadata?.id ?? "";
    const streams = (["grpc", "grpc-web", "gateway"] as const).map((protocol) => {
      const client = createClient(
        ManagementService,
        transportFor(emulator, protocol, [signingInterceptor(signer)]),
      );
      let started: () => void = () => undefined;
      const firstLine = new Promise<void>((resolve) => {
        started = resolve;
      });
      const done = (async () => {
        for await (const _ of client.machineLogs({ machineId, follow: true, tailLines: 0 })) {
          started();
        }
      })();
      return {
        firstLine,
        ended: done.then(
          () => "ended",
          () => "failed",
        ),
      };
    });
    await Promise.all(streams.map((stream) => stream.firstLine));
    await emulator.close();
    // Every follow stream ends once the emulator is gone, whichever way its transport reports it.
    expect(await Promise.all(streams.map((stream) => stream.ended))).toHaveLength(3);
    await expect(
      fetch(`${emulator.gatewayUrl}/api/management.ManagementService/Omniconfig`, {
        method: "POST",
      }),
    ).rejects.toThrow();
    const client = createClient(
      ManagementService,
      transportFor(emulator, "grpc", [signingInterceptor(signer)]),
    );
    expect((await rejection(client.omniconfig({}))).code).toBeDefined();
    await emulator.close();
  });
});

describe("the omni-emulator command", () => {
  it("prints its URLs and keys and stops cleanly on SIGINT", async () => {
    const child = spawn(
      "node_modules/.bin/vite-node",
      ["src/emulator/cli.ts", "--port", "0", "--seed", "77", "--print-keys"],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let output = "";
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes("Press Ctrl-C")) {
          resolve();
        }
      });
      child.on("exit", () => reject(new Error(`exited early: ${output}`)));
    });
    const exited = new Promise<number | null>((resolve) =>
      child.on("exit", (code) => resolve(code)),
    );
    child.kill("SIGINT");
    expect(await exited).toBe(0);
    const seeded = await startOmniEmulator({ seed: 77 });
    await seeded.close();
    expect(output).toMatch(/gRPC \(HTTP\/2\): +http:\/\/127\.0\.0\.1:\d+/);
    expect(output).toMatch(/JSON gateway: +http:\/\/127\.0\.0\.1:\d+\/api\//);
    expect(output).toContain(`admin:    ${seeded.keys.admin}`);
    expect(output).toContain(`reader:   ${seeded.keys.reader}`);
  }, 20_000);

  it("refuses a bad option with a clear message", async () => {
    const child = spawn("node_modules/.bin/vite-node", ["src/emulator/cli.ts", "--port", "abc"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let errors = "";
    child.stderr.on("data", (chunk: Buffer) => {
      errors += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    expect(code).toBe(2);
    expect(errors).toContain("--port: must be an integer");
  }, 20_000);
});
