import { createClient } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { createOmniClient } from "../../src/client.js";
import type { ValidationError } from "../../src/errors.js";
import { ManagementService } from "../../src/gen/omni/management/management_pb.js";
import { requestHeaders } from "../../src/transport/request-headers.js";
import { createFakeOmni } from "../facade/fake-omni.js";
import { thrownValidationError } from "../validation-error.js";

function refusal(init: HeadersInit): ValidationError {
  return thrownValidationError(() => requestHeaders(init));
}

describe("request headers as gRPC metadata", () => {
  it("refuses a text value outside printable ASCII, naming the header but not the value", () => {
    const error = refusal({ "x-note": "café-s3cr3t" });
    expect(error.argument).toBe("headers.x-note");
    expect(error.message).not.toContain("s3cr3t");
  });

  it("refuses a name outside gRPC's key alphabet without showing it", () => {
    const error = refusal({ "x-t0k3n!": "1" });
    expect(error.argument).toBe("headers");
    expect(error.message).not.toContain("t0k3n");
  });

  it("takes any value under a -bin name, and ordinary ASCII everywhere else", () => {
    const headers = requestHeaders({ "trace-bin": "AAEC/w==", cluster: "talos-default" });
    expect(headers.get("trace-bin")).toBe("AAEC/w==");
    expect(headers.get("cluster")).toBe("talos-default");
  });

  it("joins appended nodes with bare commas, as Omni's router splits them", async () => {
    const init = new Headers();
    init.append("nodes", "10.5.0.2");
    init.append("nodes", "10.5.0.3");
    expect(requestHeaders(init).get("nodes")).toBe("10.5.0.2,10.5.0.3");
    const omni = createFakeOmni();
    const raw = createClient(
      ManagementService,
      createOmniClient({ transport: omni.transport }).transport,
    );
    await raw.omniconfig({}, { headers: init });
    expect(omni.last().headers.get("nodes")).toBe("10.5.0.2,10.5.0.3");
  });
});
