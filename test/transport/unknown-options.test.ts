import { describe, expect, it } from "vitest";
import {
  createGatewayTransport,
  gatewayTransportOptionKeys,
} from "../../src/transport/gateway-transport.js";
import {
  createGrpcWebTransport,
  grpcWebTransportOptionKeys,
} from "../../src/transport/grpc-web.js";
import {
  everyKeyUnset,
  expectNoUnknownKey,
  expectUnknownKey,
  failureOf,
} from "../options/support.js";

const baseUrl = "https://omni.example.com";

const factories = [
  {
    name: "createGatewayTransport",
    create: createGatewayTransport,
    keys: gatewayTransportOptionKeys,
  },
  {
    name: "createGrpcWebTransport",
    create: createGrpcWebTransport,
    keys: grpcWebTransportOptionKeys,
  },
];

describe("transport options with a key the factory does not know", () => {
  // The factories name their options bare in errors (`baseUrl`, `fetch`), unknown keys too.
  it.each(
    factories.flatMap(({ name, create }) => [
      { name, create, options: { baseURL: baseUrl }, key: "baseURL", meant: "baseUrl" },
      { name, create, options: { baseUrl, timeoutMs: 5 }, key: "timeoutMs", meant: undefined },
      {
        name,
        create,
        options: { baseUrl, interceptor: [] },
        key: "interceptor",
        meant: "interceptors",
      },
      {
        name,
        create,
        options: { baseUrl, defaultTimeout: 5 },
        key: "defaultTimeout",
        meant: "defaultTimeoutMs",
      },
    ]),
  )("$name refuses $key", async ({ create, options, key, meant }) => {
    expectUnknownKey(await failureOf(() => create(options as never)), key, meant);
  });

  it("createGrpcWebTransport refuses the gateway's registry option", async () => {
    const error = await failureOf(() => createGrpcWebTransport({ baseUrl, registry: {} } as never));
    expectUnknownKey(error, "registry");
  });

  it.each(factories)("$name refuses options that are not an object", async ({ create }) => {
    const error = await failureOf(() => create(baseUrl as never));
    expect(error).toMatchObject({
      argument: "options",
      rawMessage: "options: must be an options object",
    });
  });
});

describe("transport options: every key of each options type is accepted", () => {
  it.each(factories)("$name takes every key", async ({ create, keys }) => {
    const error = await failureOf(() => create({ ...everyKeyUnset(keys), baseUrl } as never));
    expectNoUnknownKey(error);
    expect(error).toBeUndefined();
  });
});
