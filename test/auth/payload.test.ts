import { describe, expect, it } from "vitest";
import { buildSignaturePayload } from "../../src/auth/payload.js";

describe("buildSignaturePayload", () => {
  it("matches Omni's golden payload for a bare timestamp", () => {
    const headers = new Headers({ "x-sidero-timestamp": "1762881349" });
    expect(buildSignaturePayload("/", headers)).toBe(
      '{"headers":{"x-sidero-timestamp":["1762881349"]},"method":"/"}',
    );
  });

  it("writes the signed keys in Omni's fixed order, whatever order they were set in", () => {
    const headers = new Headers();
    headers.set("authorization", "Bearer t");
    headers.set("cluster", "talos-default");
    headers.set("runtime", "Omni");
    headers.set("x-sidero-timestamp", "100");
    headers.set("nodes", "10.5.0.2");
    headers.set("uid", "u1");
    headers.set("namespace", "default");
    headers.set("context", "ctx");
    headers.set("selectors", "a=b");
    expect(buildSignaturePayload("/omni.resources.ResourceService/Get", headers)).toBe(
      '{"headers":{"x-sidero-timestamp":["100"],"nodes":["10.5.0.2"],"selectors":["a=b"],' +
        '"runtime":["Omni"],"context":["ctx"],"cluster":["talos-default"],"namespace":["default"],' +
        '"uid":["u1"],"authorization":["Bearer t"]},"method":"/omni.resources.ResourceService/Get"}',
    );
  });

  it("leaves absent keys out instead of writing [] or null", () => {
    const payload = JSON.parse(
      buildSignaturePayload("/management.ManagementService/Kubeconfig", new Headers()),
    );
    expect(payload).toEqual({ headers: {}, method: "/management.ManagementService/Kubeconfig" });
  });

  it("ignores headers outside the signed list", () => {
    const headers = new Headers({ node: "10.5.0.3", "x-custom": "1", cluster: "c" });
    expect(JSON.parse(buildSignaturePayload("/m", headers)).headers).toEqual({ cluster: ["c"] });
  });

  it("reads header names case-insensitively", () => {
    const headers = new Headers({ Cluster: "c1", RUNTIME: "Talos" });
    expect(JSON.parse(buildSignaturePayload("/m", headers)).headers).toEqual({
      runtime: ["Talos"],
      cluster: ["c1"],
    });
  });

  it("leaves fieldSelectors out even when the request carries it (the server never sees it)", () => {
    const headers = new Headers({ fieldselectors: "spec.x=y", selectors: "a" });
    const payload = JSON.parse(buildSignaturePayload("/m", headers));
    expect(payload.headers).toEqual({ selectors: ["a"] });
    expect("fieldSelectors" in payload.headers).toBe(false);
  });

  it("signs a repeated header as the single comma-joined value that goes on the wire", () => {
    const headers = new Headers();
    headers.append("nodes", "10.5.0.2");
    headers.append("nodes", "10.5.0.3");
    expect(JSON.parse(buildSignaturePayload("/m", headers)).headers.nodes).toEqual([
      "10.5.0.2, 10.5.0.3",
    ]);
  });

  it("keeps the JSON ASCII-only", () => {
    const source = { get: (name: string) => (name === "uid" ? "caf\u00e9 \u2603" : null) };
    const payload = buildSignaturePayload("/m", source);
    expect(payload).toBe('{"headers":{"uid":["caf\\u00e9 \\u2603"]},"method":"/m"}');
    expect(/^[\x20-\x7e]*$/.test(payload)).toBe(true);
    expect(JSON.parse(payload).headers.uid).toEqual(["caf\u00e9 \u2603"]);
  });
});
