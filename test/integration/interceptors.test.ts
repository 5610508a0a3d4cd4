import { createClient, type Interceptor } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { serviceAccountAuth } from "../../src/auth/service-account.js";
import { createOmniClient } from "../../src/client.js";
import { UnauthenticatedError, ValidationError } from "../../src/errors.js";
import { ManagementService } from "../../src/gen/omni/management/management_pb.js";
import { createGrpcTransport } from "../../src/node/grpc-transport.js";
import { transports, useEmulator, utf8 } from "./harness.js";

const emulator = useEmulator();

/** Names the cluster the way a user's own interceptor might, through signed metadata. */
const forProduction: Interceptor = (next) => (req) => {
  req.header.set("cluster", "production");
  return next(req);
};

describe.each(transports)("interceptors of the caller over %s", (_name, make) => {
  it("run before signing, so the metadata they set is signed and Omni accepts it", async () => {
    const omni = createOmniClient({
      transport: make(emulator()),
      auth: serviceAccountAuth(emulator().keys.admin),
      interceptors: [forProduction],
    });
    const response = await createClient(ManagementService, omni.transport).kubeconfig({});
    expect(utf8.decode(response.kubeconfig)).toContain("production");
  });
});

describe("interceptors of the base transport", () => {
  it("run after signing, so metadata they set fails Omni's signature check", async () => {
    const omni = createOmniClient({
      transport: createGrpcTransport({ baseUrl: emulator().url, interceptors: [forProduction] }),
      auth: serviceAccountAuth(emulator().keys.admin),
    });
    const error = await createClient(ManagementService, omni.transport)
      .kubeconfig({})
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnauthenticatedError);
  });

  it("are refused when they are not a list of functions", () => {
    expect(() =>
      createOmniClient({
        transport: createGrpcTransport({ baseUrl: emulator().url }),
        interceptors: [forProduction, "log" as never],
      }),
    ).toThrow(ValidationError);
  });
});
