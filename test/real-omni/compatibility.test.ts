import {
  create,
  type DescMethod,
  type DescMethodStreaming,
  type DescMethodUnary,
  type DescService,
} from "@bufbuild/protobuf";
import type { Transport } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { AuthService } from "../../src/gen/omni/auth/auth_pb.js";
import { ManagementService } from "../../src/gen/omni/management/management_pb.js";
import { State } from "../../src/gen/v1alpha1/state_pb.js";
import {
  createOmniTransport,
  omniVersionsWith,
  serviceAccountAuth,
  UnimplementedError,
} from "../../src/index.js";
import { createGrpcTransport } from "../../src/node.js";
import { realOmni } from "./harness.js";

type Version = [number, number, number];

function parseVersion(text: string): Version {
  const match = /^v(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (!match) {
    throw new Error(`not a release version: ${text}`);
  }
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

function compare(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/**
 * Whether a release has an RPC, read from the availability text the SDK puts in
 * `UnimplementedError` (and the README's compatibility table): the claim under test.
 */
function claimedAvailable(availability: string | undefined, release: Version): boolean {
  if (availability === undefined) {
    return true;
  }
  const since = /^(v[\d.]+) and later$/.exec(availability);
  if (since?.[1]) {
    return compare(release, parseVersion(since[1])) >= 0;
  }
  const only = /^(v[\d.]+) and (v[\d.]+) only$/.exec(availability);
  if (only?.[1] && only[2]) {
    return [only[1], only[2]].some((version) => compare(release, parseVersion(version)) === 0);
  }
  const unreleased = /^builds after (v[\d.]+) \(not yet released\)$/.exec(availability);
  if (unreleased?.[1]) {
    return false;
  }
  throw new Error(`unreadable availability: ${availability}`);
}

/**
 * Calls the RPC with an empty request and tells whether the server has it. gRPC servers answer
 * a method they do not register with Unimplemented "unknown method"; any other answer (even an
 * error about the empty request) means the method exists.
 */
async function serverHas(transport: Transport, service: DescService, method: DescMethod) {
  // A deadline that ends a call (AwaitPublicKeyConfirmation waits for minutes) still shows that
  // the method exists.
  const signal = AbortSignal.timeout(3_000);
  const input = create(method.input);
  try {
    if (method.methodKind === "unary") {
      await transport.unary(method as DescMethodUnary, signal, undefined, undefined, input);
    } else {
      const response = await transport.stream(
        method as DescMethodStreaming,
        signal,
        undefined,
        undefined,
        (async function* () {
          yield input;
        })(),
      );
      for await (const _ of response.message) {
        break;
      }
    }
    return true;
  } catch (error) {
    if (!(error instanceof UnimplementedError)) {
      return true;
    }
    return !error.rawMessage.startsWith(
      `unknown method ${method.name} for service ${service.typeName}`,
    );
  }
}

const services = [ManagementService, State, AuthService];

describe("the compatibility table, checked against the running Omni", () => {
  const cases = services.flatMap((service) =>
    service.methods.map((method) => ({
      service,
      method,
      path: `/${service.typeName}/${method.name}`,
    })),
  );

  it.each(cases)("$path", async ({ service, method, path }) => {
    const omni = realOmni();
    const transport = createOmniTransport({
      transport: createGrpcTransport({ baseUrl: omni.endpoint }),
      auth: serviceAccountAuth(omni.serviceAccountKey),
      retry: false,
    });
    const claimed = claimedAvailable(omniVersionsWith(path), parseVersion(omni.version));
    expect(await serverHas(transport, service, method), `Omni ${omni.version} has ${path}`).toBe(
      claimed,
    );
  });
});
