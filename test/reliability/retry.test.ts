import { create } from "@bufbuild/protobuf";
import {
  Code,
  ConnectError,
  createContextValues,
  type UnaryRequest,
  type UnaryResponse,
} from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { serviceAccountAuth } from "../../src/auth/service-account.js";
import type { OmniAuth } from "../../src/auth/types.js";
import { createOmniClient } from "../../src/client.js";
import type { OmniEmulator } from "../../src/emulator/index.js";
import {
  CanceledError,
  DeadlineExceededError,
  UnavailableError,
  ValidationError,
} from "../../src/errors.js";
import { ManagementService } from "../../src/gen/omni/management/management_pb.js";
import type { OmniLogger } from "../../src/logging.js";
import { Clusters } from "../../src/resources/registry.js";
import {
  createRetryInterceptor,
  type ResolvedRetryOptions,
  type RetryNotice,
  resolveRetryOptions,
} from "../../src/retry.js";
import { callTimeoutMs, withCallTimeoutMs } from "../../src/transport/intercepted.js";
import {
  adminClient,
  drain,
  rejectionOf,
  type TransportName,
  transportFor,
  transportNames,
  withEmulator,
} from "./support.js";

const omniconfig = "/management.ManagementService/Omniconfig";
const kubeconfig = "/management.ManagementService/Kubeconfig";
const createJoinToken = "/management.ManagementService/CreateJoinToken";
const stateGet = "/cosi.resource.State/Get";
const stateList = "/cosi.resource.State/List";
const fast = { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 5 };
const unavailable = (methods: string[]) => ({
  errors: [{ methods, code: Code.Unavailable, message: "try again" }],
});

/** A logger that records retry lines and runs `onRetry` when one is written. */
function retryLog(onRetry: () => void = () => {}) {
  const retries: string[] = [];
  const log = (message: string) => {
    if (message.startsWith("omni retry")) {
      retries.push(message);
      onRetry();
    }
  };
  const logger: OmniLogger = { debug: log, info: log, warn: log, error: log };
  return { retries, logger };
}

/** Counts how often the client asks for a signer: once per signed attempt. */
function countingAuth(key: string): { auth: OmniAuth; signings: () => number } {
  const inner = serviceAccountAuth(key);
  let signings = 0;
  return {
    auth: {
      kind: inner.kind,
      identity: inner.identity,
      signer: () => {
        signings++;
        return inner.signer();
      },
    },
    signings: () => signings,
  };
}

describe.each(transportNames)("retries over %s", (name: TransportName) => {
  it("retries a read that failed with UNAVAILABLE, signing every attempt afresh", async () => {
    await withEmulator({ faults: unavailable([omniconfig]) }, async (emulator: OmniEmulator) => {
      // The fault is lifted when the client announces its retry, so the second attempt succeeds.
      const { retries, logger } = retryLog(() => emulator.setFaults({}));
      const { auth, signings } = countingAuth(emulator.keys.admin);
      const client = createOmniClient({
        transport: transportFor(emulator, name),
        auth,
        logger,
        retry: fast,
      });
      await expect(client.management.omniconfig()).resolves.toContain("contexts");
      expect(emulator.requestCount(omniconfig)).toBe(2);
      expect(signings()).toBe(2);
      expect(retries).toHaveLength(1);
      expect(retries[0]).toContain(`${omniconfig} after Unavailable, attempt 2`);
    });
  });

  it("gives up after maxAttempts with the typed error", async () => {
    await withEmulator({ faults: unavailable([omniconfig, stateGet]) }, async (emulator) => {
      const client = adminClient(emulator, name, { retry: fast });
      expect(await rejectionOf(client.management.omniconfig())).toBeInstanceOf(UnavailableError);
      expect(await rejectionOf(client.resources.get(Clusters, "talos-default"))).toBeInstanceOf(
        UnavailableError,
      );
      expect(emulator.requestCount(omniconfig)).toBe(3);
      expect(emulator.requestCount(stateGet)).toBe(3);
    });
  });

  it("never retries a write, a conditional write or a stream", async () => {
    await withEmulator(
      { faults: unavailable([createJoinToken, kubeconfig, stateList]) },
      async (emulator) => {
        const client = adminClient(emulator, name, { retry: { ...fast, maxAttempts: 5 } });
        const write = client.management.createJoinToken({ name: "retry" });
        expect(await rejectionOf(write)).toBeInstanceOf(UnavailableError);
        // A kubeconfig for a service account mints the account: a create, not a read.
        const minting = client.management.kubeconfig({
          cluster: "talos-default",
          serviceAccount: true,
          serviceAccountUser: "ci",
          serviceAccountTtlSeconds: 3600,
        });
        expect(await rejectionOf(minting)).toBeInstanceOf(UnavailableError);
        expect(await rejectionOf(drain(client.resources.list(Clusters)))).toBeInstanceOf(
          UnavailableError,
        );
        expect(emulator.requestCount(createJoinToken)).toBe(1);
        expect(emulator.requestCount(kubeconfig)).toBe(1);
        expect(emulator.requestCount(stateList)).toBe(1);
        // The same RPC as a plain read is retried.
        await rejectionOf(client.management.kubeconfig({ cluster: "talos-default" }));
        expect(emulator.requestCount(kubeconfig)).toBe(1 + 5);
      },
    );
  });

  it("sends every call once with retry: false", async () => {
    await withEmulator({ faults: unavailable([omniconfig]) }, async (emulator) => {
      const client = adminClient(emulator, name, { retry: false });
      expect(await rejectionOf(client.management.omniconfig())).toBeInstanceOf(UnavailableError);
      expect(emulator.requestCount(omniconfig)).toBe(1);
    });
  });
});

describe("retry policy on the emulator", () => {
  it("retries only the configured codes", async () => {
    await withEmulator(
      {
        faults: {
          errors: [
            { methods: [omniconfig], code: Code.ResourceExhausted },
            { methods: [stateGet], code: Code.Unavailable },
          ],
        },
      },
      async (emulator) => {
        const client = adminClient(emulator, "native gRPC", {
          retry: { ...fast, codes: [Code.ResourceExhausted] },
        });
        await rejectionOf(client.management.omniconfig());
        await rejectionOf(client.resources.get(Clusters, "talos-default"));
        expect(emulator.requestCount(omniconfig)).toBe(3);
        expect(emulator.requestCount(stateGet)).toBe(1);
      },
    );
  });

  it("never retries past the call's deadline", async () => {
    // Every attempt takes at least 100 ms and fails, so a 250 ms deadline leaves room for 3 at most.
    await withEmulator(
      { faults: { latency: { methods: [omniconfig], ms: 100 }, ...unavailable([omniconfig]) } },
      async (emulator) => {
        const client = adminClient(emulator, "native gRPC", {
          retry: { maxAttempts: 50, initialDelayMs: 1, maxDelayMs: 1 },
        });
        const error = await rejectionOf(client.management.omniconfig({}, { timeoutMs: 250 }));
        expect(
          [DeadlineExceededError, UnavailableError].some((type) => error instanceof type),
        ).toBe(true);
        expect(emulator.requestCount(omniconfig)).toBeLessThanOrEqual(3);
        expect(emulator.requestCount(omniconfig)).toBeGreaterThanOrEqual(1);
      },
    );
  });

  it("ends a call aborted while waiting to retry with CanceledError", async () => {
    await withEmulator({ faults: unavailable([omniconfig]) }, async (emulator) => {
      const controller = new AbortController();
      // The retry is announced just before the wait starts; abort once it is under way.
      const { logger } = retryLog(() => queueMicrotask(() => controller.abort()));
      // Without the abort the wait before the retry could last up to ten minutes.
      const client = adminClient(emulator, "gateway", {
        logger,
        retry: { maxAttempts: 2, initialDelayMs: 600_000, maxDelayMs: 600_000 },
      });
      const call = client.management.omniconfig({}, { signal: controller.signal });
      expect(await rejectionOf(call)).toBeInstanceOf(CanceledError);
      expect(emulator.requestCount(omniconfig)).toBe(1);
    });
  });
});

function resolved(options: Parameters<typeof resolveRetryOptions>[0]): ResolvedRetryOptions {
  const result = resolveRetryOptions(options);
  if (!result) {
    throw new Error("retry is off");
  }
  return result;
}

/** A bare unary request for the interceptor alone, with the deadline the client would give it. */
function unaryRequest(
  methodName: keyof typeof ManagementService.method,
  timeoutMs?: number,
): UnaryRequest {
  const method = ManagementService.method[methodName];
  return withCallTimeoutMs(
    {
      stream: false,
      service: ManagementService,
      method,
      requestMethod: "POST",
      url: `/${ManagementService.typeName}/${method.name}`,
      signal: new AbortController().signal,
      header: new Headers(),
      contextValues: createContextValues(),
      message: create(method.input),
    } as UnaryRequest,
    timeoutMs,
  );
}

describe("the retry interceptor", () => {
  const failing = (seen: UnaryRequest[]) => async (req: UnaryRequest) => {
    seen.push(req);
    throw new ConnectError("down", Code.Unavailable);
  };

  it("waits a jittered, doubling, capped delay before each retry", async () => {
    for (const [draw, expected] of [
      [0, [0, 0, 0]],
      [0.5, [5, 10, 12]],
      [0.999, [9, 19, 24]],
    ] as const) {
      const notices: RetryNotice[] = [];
      const seen: UnaryRequest[] = [];
      const interceptor = createRetryInterceptor(
        resolved({ maxAttempts: 4, initialDelayMs: 10, maxDelayMs: 25 }),
        { random: () => draw, onRetry: (notice) => notices.push(notice) },
      );
      const error = await rejectionOf(
        interceptor(failing(seen) as never)(unaryRequest("omniconfig")),
      );
      expect(ConnectError.from(error).code).toBe(Code.Unavailable);
      expect(seen).toHaveLength(4);
      expect(notices.map((notice) => notice.delayMs)).toEqual(expected);
      expect(notices.map((notice) => notice.attempt)).toEqual([2, 3, 4]);
    }
  });

  it("gives each attempt its own headers and only the time left of the deadline", async () => {
    const seen: UnaryRequest[] = [];
    const interceptor = createRetryInterceptor(resolved({ ...fast, maxAttempts: 3 }));
    const req = unaryRequest("listUsers", 60_000);
    await rejectionOf(interceptor(failing(seen) as never)(req));
    expect(seen).toHaveLength(3);
    const timeouts = seen.map((attempt) => callTimeoutMs(attempt) ?? Number.NaN);
    for (const [index, timeout] of timeouts.entries()) {
      expect(timeout).toBeGreaterThan(0);
      expect(timeout).toBeLessThanOrEqual(index === 0 ? 60_000 : (timeouts[index - 1] ?? 0));
    }
    expect(new Set(seen.map((attempt) => attempt.header)).size).toBe(3);
    expect(seen.every((attempt) => attempt.header !== req.header)).toBe(true);
  });

  it("leaves a method the classification table does not know alone", async () => {
    const seen: UnaryRequest[] = [];
    const interceptor = createRetryInterceptor(resolved(fast));
    const req = unaryRequest("omniconfig");
    const unknown = {
      ...req,
      method: { ...req.method, name: "SomethingNew" },
    } as UnaryRequest;
    await rejectionOf(interceptor(failing(seen) as never)(unknown));
    expect(seen).toHaveLength(1);
  });

  it("passes a success straight through", async () => {
    const interceptor = createRetryInterceptor(resolved(fast));
    const response = { stream: false } as UnaryResponse;
    await expect(interceptor(async () => response)(unaryRequest("omniconfig"))).resolves.toBe(
      response,
    );
  });

  it.each([
    [{ retry: "yes" }, "options.retry"],
    [{ retry: { maxAttempts: 0 } }, "options.retry.maxAttempts"],
    [{ retry: { maxAttempts: 2.5 } }, "options.retry.maxAttempts"],
    [{ retry: { initialDelayMs: -1 } }, "options.retry.initialDelayMs"],
    [{ retry: { maxDelayMs: Number.POSITIVE_INFINITY } }, "options.retry.maxDelayMs"],
    [{ retry: { maxDelayMs: 2 ** 31 } }, "options.retry.maxDelayMs"],
    [{ retry: { initialDelayMs: 500, maxDelayMs: 100 } }, "options.retry.maxDelayMs"],
    [{ retry: { codes: [Code.Canceled] } }, "options.retry.codes"],
    [{ retry: { codes: [99] } }, "options.retry.codes"],
    [{ retry: { codes: "Unavailable" } }, "options.retry.codes"],
  ])("createOmniClient rejects %j naming %s", (options, argument) => {
    const transport = transportFor({ gatewayUrl: "http://127.0.0.1:1" } as OmniEmulator, "gateway");
    let thrown: unknown;
    try {
      createOmniClient({ transport, ...(options as object) });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ValidationError);
    expect((thrown as ValidationError).argument).toBe(argument);
  });
});
