import type { Transport } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, it } from "vitest";
import { type OmniEmulator, startOmniEmulator } from "../../src/emulator/index.js";
import { createGrpcTransport } from "../../src/node/grpc-transport.js";
import { createGatewayTransport } from "../../src/transport/gateway-transport.js";
import { createGrpcWebTransport } from "../../src/transport/grpc-web.js";
import { scenarios } from "./scenarios.js";

const transports: [string, (emulator: OmniEmulator) => Transport][] = [
  ["native gRPC", (emulator) => createGrpcTransport({ baseUrl: emulator.url })],
  ["gRPC-Web", (emulator) => createGrpcWebTransport({ baseUrl: emulator.grpcWebUrl })],
  ["gateway", (emulator) => createGatewayTransport({ baseUrl: emulator.gatewayUrl })],
];

describe("scenarios over every transport", () => {
  let emulator: OmniEmulator;

  beforeAll(async () => {
    // Fast follow-log lines keep the streaming scenarios short; stable data keeps them exact.
    emulator = await startOmniEmulator({
      host: "127.0.0.1",
      port: 0,
      simulation: false,
      timings: { followLogIntervalMs: 20 },
    });
  });

  afterAll(async () => {
    await emulator?.close();
  });

  describe.each(transports)("%s", (_name, makeTransport) => {
    for (const scenario of scenarios) {
      it(scenario.name, async () => {
        await scenario.run({
          keys: emulator.keys,
          transport: makeTransport(emulator),
          confirmPublicKey: (publicKeyId) => emulator.confirmPublicKey(publicKeyId),
        });
      });
    }
  });
});
