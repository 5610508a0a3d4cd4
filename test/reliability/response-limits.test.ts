import { Code, ConnectError, createClient, createRouterTransport } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { createOmniClient } from "../../src/client.js";
import { InternalError, ResourceExhaustedError, ValidationError } from "../../src/errors.js";
import { ManagementService } from "../../src/gen/omni/management/management_pb.js";
import {
  type HostileServer,
  hostileTransport,
  settledWithin,
  useHostileServers,
} from "./hostile/index.js";
import { drain, transportNames } from "./support.js";

const serverFor = useHostileServers();

const cases = transportNames.flatMap((name) =>
  (["unary", "stream"] as const).map((kind) => ({ name, kind })),
);

describe("maxResponseBytes", () => {
  it.each(cases)(
    "lets an answer under the cap through over $name ($kind)",
    async ({ name, kind }) => {
      const server = serverFor(name);
      server.behave({ kind: "sized", bytes: 1000 });
      const client = createClient(
        ManagementService,
        createOmniClient({ transport: hostileTransport(name, server, { maxResponseBytes: 1100 }) })
          .transport,
      );
      const outcome = await settledWithin(
        kind === "unary"
          ? client.omniconfig({}).then((answer) => answer.omniconfig.byteLength)
          : drain(client.machineLogs({ machineId: "m-1" })).then((chunks) => chunks.length),
      );
      expect(outcome).toMatchObject({ value: expect.any(Number) });
    },
  );

  it.each(cases)("refuses an answer over the cap over $name ($kind)", async ({ name, kind }) => {
    const server = serverFor(name);
    server.behave({ kind: "sized", bytes: 2000 });
    const client = createClient(
      ManagementService,
      createOmniClient({
        transport: hostileTransport(name, server, { maxResponseBytes: 1100 }),
        retry: { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 1 },
      }).transport,
    );
    const outcome = await settledWithin<unknown>(
      kind === "unary" ? client.omniconfig({}) : drain(client.machineLogs({ machineId: "m-1" })),
    );
    const error = outcome !== "hung" && "error" in outcome ? outcome.error : undefined;
    expect(error).toBeInstanceOf(ResourceExhaustedError);
    expect((error as ResourceExhaustedError).rawMessage).toContain(
      "more than the 1100 bytes this transport reads (maxResponseBytes)",
    );
    // Asking again would meet the same answer.
    expect(server.stats.requests).toBe(1);
  });

  it.each(transportNames)("is checked when the %s transport is made", (name) => {
    const server = { url: "http://127.0.0.1:1" } as HostileServer;
    for (const maxResponseBytes of [0, -1, 1.5, 2 ** 32, Number.NaN, "1024", null]) {
      expect(() =>
        hostileTransport(name, server, { maxResponseBytes: maxResponseBytes as number }),
      ).toThrow(ValidationError);
      expect(() =>
        hostileTransport(name, server, { maxResponseBytes: maxResponseBytes as number }),
      ).toThrow(/maxResponseBytes: must be a whole number of bytes from 1 to 4294967295/);
    }
    expect(() => hostileTransport(name, server, { maxResponseBytes: 1 })).not.toThrow();
  });
});

describe("messages from the other side", () => {
  it("are bounded when a transport of the caller's brings them", async () => {
    const huge = "y".repeat(1024 * 1024);
    const transport = createRouterTransport(({ service }) =>
      service(ManagementService, {
        omniconfig() {
          throw new ConnectError(huge, Code.Internal);
        },
      }),
    );
    const error = await createOmniClient({ transport })
      .management.omniconfig()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InternalError);
    const message = (error as InternalError).rawMessage;
    expect(message.length).toBeLessThan(4200);
    expect(message).toMatch(/^y{4096}… \(1044480 more characters\)$/);
  });
});
