import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serviceAccountAuth } from "../../src/auth/service-account.js";
import { createOmniClient } from "../../src/client.js";
import { type OmniEmulator, startOmniEmulator } from "../../src/emulator/index.js";
import { createGatewayTransport } from "../../src/transport/gateway-transport.js";

let emulator: OmniEmulator;

beforeAll(async () => {
  emulator = await startOmniEmulator({ host: "127.0.0.1", port: 0, simulation: false });
});
afterAll(() => emulator.close());

function post(path: string, grpcTimeout: string): Promise<Response> {
  return fetch(`${emulator.gatewayUrl}/api${path}`, {
    method: "POST",
    headers: { "Grpc-Timeout": grpcTimeout },
    body: "{}",
  });
}

describe("Grpc-Timeout on the emulator's gateway", () => {
  it.each([
    ["/management.ManagementService/Omniconfig", "soon"],
    ["/management.ManagementService/Omniconfig", "5"],
    ["/management.ManagementService/Omniconfig", "1.5S"],
    ["/management.ManagementService/Omniconfig", "99999999999999999999S"],
    ["/management.ManagementService/MachineLogs", "10x"],
  ])(
    "answers %s with Grpc-Timeout %j as grpc-gateway does: 400 InvalidArgument",
    async (path, value) => {
      const response = await post(path, value);
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ code: 3, message: `invalid grpc-timeout: ${value}` });
    },
  );

  it("gives a call the longest timeout the SDK can send, instead of expiring it at once", async () => {
    const client = createOmniClient({
      transport: createGatewayTransport({ baseUrl: emulator.gatewayUrl }),
      auth: serviceAccountAuth(emulator.keys.reader),
      timeoutMs: 99_999_999,
    });
    await expect(client.management.omniconfig()).resolves.toContain("contexts:");
  });
});
