import { Code, createClient } from "@connectrpc/connect";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type OmniEmulator, startOmniEmulator } from "../../src/emulator/index.js";
import { ManagementService } from "../../src/gen/omni/management/management_pb.js";
import {
  collect,
  protocols,
  rejection,
  serviceAccountSigner,
  signingInterceptor,
  transportFor,
} from "./support.js";

const omniconfig = "/management.ManagementService/Omniconfig";
const readAuditLog = "/management.ManagementService/ReadAuditLog";
let emulator: OmniEmulator;

beforeAll(async () => {
  emulator = await startOmniEmulator({ seed: 5 });
});
afterEach(() => emulator.setFaults({}));
afterAll(() => emulator.close());

describe.each(protocols)("fault injection over %s", (protocol) => {
  const client = async () =>
    createClient(
      ManagementService,
      transportFor(emulator, protocol, [
        signingInterceptor(await serviceAccountSigner(emulator.keys.admin)),
      ]),
    );

  it("answers chosen methods with the chosen code, and counts the request", async () => {
    emulator.setFaults({
      errors: [{ methods: [omniconfig], code: Code.Unavailable, message: "try later" }],
    });
    emulator.resetRequestCounts();
    const management = await client();
    const error = await rejection(management.omniconfig({}));
    expect(error.code).toBe(Code.Unavailable);
    expect(error.rawMessage).toBe("try later");
    await expect(management.listUsers({})).resolves.toBeDefined();
    expect(emulator.requestCount(omniconfig)).toBe(1);
    expect(emulator.requestCount()).toBe(2);
  });

  it("never fails at rate 0 and always at rate 1", async () => {
    const management = await client();
    emulator.setFaults({ errors: [{ code: Code.Internal, rate: 0 }] });
    for (let i = 0; i < 5; i++) {
      await management.omniconfig({});
    }
    emulator.setFaults({ errors: [{ code: Code.Internal, rate: 1 }] });
    expect((await rejection(management.omniconfig({}))).code).toBe(Code.Internal);
  });

  it("cuts a stream after N messages", async () => {
    emulator.setFaults({ streamCut: { methods: [readAuditLog], afterMessages: 2 } });
    const received: unknown[] = [];
    const error = await rejection(
      (async () => {
        for await (const message of (await client()).readAuditLog({})) {
          received.push(message);
        }
      })(),
    );
    expect(received).toHaveLength(2);
    expect(error.code).toBe(Code.Unavailable);
  });

  it("stalls a call until the client gives up", async () => {
    emulator.setFaults({ stall: { methods: [omniconfig] } });
    const error = await rejection((await client()).omniconfig({}, { timeoutMs: 150 }));
    expect(error.code).toBe(Code.DeadlineExceeded);
  });

  it("adds latency without changing the answer", async () => {
    emulator.setFaults({ latency: { minMs: 1, maxMs: 5 } });
    const messages = await collect((await client()).readAuditLog({}));
    expect(messages.length).toBeGreaterThan(0);
  });
});

describe("fault settings", () => {
  it.each([
    [{ errors: [{ code: 0 }] }, "faults.errors[0].code"],
    [{ errors: [{ code: Code.Internal, rate: 2 }] }, "faults.errors[0].rate"],
    [{ errors: [{ code: Code.Internal, methods: ["Omniconfig"] }] }, "faults.errors[0].methods[0]"],
    [{ streamCut: { afterMessages: -1 } }, "faults.streamCut.afterMessages"],
    [{ latency: { minMs: 5, maxMs: 1 } }, "faults.latency.maxMs"],
  ])("rejects %j naming %s", (faults, argument) => {
    expect(() => emulator.setFaults(faults as never)).toThrow(
      expect.objectContaining({ argument }),
    );
  });
});
