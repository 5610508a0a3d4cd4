import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type OmniEmulator, startOmniEmulator } from "../../src/emulator/index.js";
import {
  emulatorOptionKeys,
  emulatorTimingKeys,
  emulatorUserKeys,
  errorFaultKeys,
  faultKeys,
  faultTargetKeys,
  fixedLatencyKeys,
  latencyRangeKeys,
  streamCutKeys,
} from "../../src/emulator/options.js";
import {
  everyKeyUnset,
  expectNoUnknownKey,
  expectUnknownKey,
  failureOf,
} from "../options/support.js";

const omniconfig = "/management.ManagementService/Omniconfig";
let emulator: OmniEmulator;

beforeAll(async () => {
  emulator = await startOmniEmulator({ seed: 3, simulation: false });
});
afterAll(() => emulator.close());

// The emulator names its options bare in errors (`host`, `timings.upgradeStepMs`), unknown keys too.
type Typo = [options: object, argument: string, meant: string | undefined];

const faultTypos: Typo[] = [
  [{ latancy: { ms: 1 } }, "faults.latancy", "latency"],
  [{ latency: { ms: 1, maxMs: 5 } }, "faults.latency.maxMs", undefined],
  [{ latency: { minMs: 1, maxMS: 5 } }, "faults.latency.maxMS", "maxMs"],
  [{ errors: [{ code: Code.Unavailable, rates: 0.5 }] }, "faults.errors[0].rates", "rate"],
  [{ streamCut: { afterMessage: 1 } }, "faults.streamCut.afterMessage", "afterMessages"],
  [{ stall: { method: [omniconfig] } }, "faults.stall.method", "methods"],
];

describe("emulator options with a key the emulator does not know", () => {
  it.each<Typo>([
    [{ simulaton: false }, "simulaton", "simulation"],
    [{ httpport: 0 }, "httpport", "httpPort"],
    [{ timings: { upgradeStepMS: 5 } }, "timings.upgradeStepMS", "upgradeStepMs"],
    [
      { users: [{ email: "a@example.com", role: "Reader", name: "A" }] },
      "users[0].name",
      undefined,
    ],
    ...faultTypos.map(([faults, argument, meant]): Typo => [{ faults }, argument, meant]),
  ])(
    "startOmniEmulator refuses %j before listening, naming %s",
    async (options, argument, meant) => {
      expectUnknownKey(await failureOf(() => startOmniEmulator(options as never)), argument, meant);
    },
  );

  it.each(faultTypos)("setFaults refuses %j, naming %s", async (faults, argument, meant) => {
    expectUnknownKey(await failureOf(() => emulator.setFaults(faults)), argument, meant);
  });
});

describe("emulator options: every key of each options type is accepted", () => {
  it("startOmniEmulator takes every key, of the user and timing objects too", async () => {
    const started = await startOmniEmulator({
      ...everyKeyUnset(emulatorOptionKeys),
      users: [{ ...everyKeyUnset(emulatorUserKeys), email: "a@example.com", role: "Reader" }],
      timings: everyKeyUnset(emulatorTimingKeys),
      faults: everyKeyUnset(faultKeys),
      simulation: false,
    });
    await started.close();
  });

  it.each([
    { latency: { ...everyKeyUnset(fixedLatencyKeys), ms: 0 } },
    { latency: { ...everyKeyUnset(latencyRangeKeys), minMs: 0, maxMs: 0 } },
    { errors: [{ ...everyKeyUnset(errorFaultKeys), code: Code.Unavailable }] },
    { streamCut: { ...everyKeyUnset(streamCutKeys), afterMessages: 1 } },
    { stall: everyKeyUnset(faultTargetKeys) },
  ])("setFaults takes every key of %j", async (faults) => {
    const error = await failureOf(() => emulator.setFaults(faults as never));
    expectNoUnknownKey(error);
    expect(error).toBeUndefined();
    emulator.setFaults({});
  });
});
