import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Transport } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, it } from "vitest";
import { createGrpcTransport } from "../../src/node/grpc-transport.js";
import { createGatewayTransport } from "../../src/transport/gateway-transport.js";
import { createGrpcWebTransport } from "../../src/transport/grpc-web.js";
import { type ScenarioTarget, scenarios } from "./scenarios.js";

interface Emulator {
  url: string;
  grpcWebUrl: string;
  gatewayUrl: string;
  keys: ScenarioTarget["keys"];
  close(): Promise<void>;
}

const emulatorEntry = fileURLToPath(new URL("../../src/emulator/index.ts", import.meta.url));
const transports: [string, (emulator: Emulator) => Transport][] = [
  ["native gRPC", (emulator) => createGrpcTransport({ baseUrl: emulator.url })],
  ["gRPC-Web", (emulator) => createGrpcWebTransport({ baseUrl: emulator.grpcWebUrl })],
  ["gateway", (emulator) => createGatewayTransport({ baseUrl: emulator.gatewayUrl })],
];

// The emulator is built alongside this suite; until its entry exists the suite reports as skipped.
describe.skipIf(!existsSync(emulatorEntry))("scenarios over every transport", () => {
  let emulator: Emulator;

  beforeAll(async () => {
    const module = (await import(emulatorEntry)) as {
      startOmniEmulator(options?: { port?: number; host?: string }): Promise<Emulator>;
    };
    emulator = await module.startOmniEmulator({ host: "127.0.0.1", port: 0 });
  });

  afterAll(async () => {
    await emulator?.close();
  });

  describe.each(transports)("%s", (_name, makeTransport) => {
    for (const scenario of scenarios) {
      it(scenario.name, async () => {
        await scenario.run({ keys: emulator.keys, transport: makeTransport(emulator) });
      });
    }
  });
});
