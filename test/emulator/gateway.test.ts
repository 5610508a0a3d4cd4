import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type OmniEmulator, startOmniEmulator } from "../../src/emulator/index.js";
import { serviceAccountSigner, signHeaders, type TestSigner } from "./support.js";

let emulator: OmniEmulator;
let admin: TestSigner;
let reader: TestSigner;

beforeAll(async () => {
  emulator = await startOmniEmulator({ corsOrigins: ["http://localhost:5173"] });
  admin = await serviceAccountSigner(emulator.keys.admin);
  reader = await serviceAccountSigner(emulator.keys.reader);
});
afterAll(() => emulator.close());

/** A raw gateway call: metadata as `Grpc-Metadata-*`, body as given. */
async function post(
  path: string,
  body: string,
  options: {
    signer?: TestSigner;
    metadata?: Record<string, string>;
    headers?: Record<string, string>;
  } = {},
): Promise<Response> {
  const metadata = new Headers(options.metadata);
  if (options.signer) {
    await signHeaders(options.signer, path, metadata);
  }
  const headers = new Headers(options.headers);
  metadata.forEach((value, key) => {
    headers.set(`Grpc-Metadata-${key}`, value);
  });
  return fetch(`${emulator.gatewayUrl}/api${path}`, { method: "POST", headers, body });
}

describe("the /api/ JSON gateway", () => {
  it("answers snake_case JSON with enums as numbers", async () => {
    const response = await post("/management.ManagementService/ListServiceAccounts", "{}", {
      signer: admin,
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      service_accounts: Array<{ name: string; pgp_public_keys: unknown[] }>;
    };
    expect(body.service_accounts.map((account) => account.name).sort()).toEqual([
      "emulator-admin",
      "emulator-operator",
      "emulator-reader",
    ]);
    expect(body.service_accounts[0]?.pgp_public_keys).toHaveLength(1);

    const sync = await post(
      "/management.ManagementService/KubernetesSyncManifests",
      '{"dry_run":true}',
      {
        signer: admin,
        metadata: { context: "production" },
      },
    );
    const first = JSON.parse((await sync.text()).split("\n")[0] ?? "") as {
      result: { response_type: unknown };
    };
    expect(first.result.response_type).toBe(1);
  });

  it("accepts both field spellings and enum names, and rejects unknown fields", async () => {
    const machineId =
      emulator.store.list("default", "MachineStatuses.omni.sidero.dev")[0]?.metadata?.id ?? "";
    for (const body of [
      `{"tail_lines":2,"machine_id":"${machineId}"}`,
      `{"tailLines":2,"machineId":"${machineId}"}`,
    ]) {
      const response = await post("/management.ManagementService/MachineLogs", body, {
        signer: admin,
      });
      expect(response.status).toBe(200);
      expect((await response.text()).trim().split("\n")).toHaveLength(2);
    }
    const byName = await post(
      "/management.ManagementService/ReadAuditLog",
      '{"event_type":"AUDIT_LOG_EVENT_TYPE_CREATE"}',
      { signer: admin },
    );
    expect(byName.status).toBe(200);
    const unknown = await post("/management.ManagementService/Omniconfig", '{"surprise":1}', {
      signer: admin,
    });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { code: number }).code).toBe(3);
    const broken = await post("/management.ManagementService/Omniconfig", "{", { signer: admin });
    expect(broken.status).toBe(400);
  });

  it("drops metadata outside what gRPC allows, as grpc-gateway does, so its signature fails", async () => {
    const signed = await post("/management.ManagementService/Kubeconfig", "{}", {
      signer: admin,
      metadata: { cluster: "produçtion" },
    });
    // The signature covers a cluster header the server never sees.
    expect(signed.status).toBe(401);
    const plain = await post("/management.ManagementService/Kubeconfig", "{}", {
      signer: admin,
      metadata: { cluster: "production" },
    });
    expect(plain.status).toBe(200);
  });

  it("streams NDJSON result lines", async () => {
    const response = await post("/management.ManagementService/ReadAuditLog", "{}", {
      signer: admin,
    });
    const lines = (await response.text())
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { result: { id: string; audit_log: string } });
    expect(lines.length).toBeGreaterThan(3);
    // Entry 1 is 40 days old, before the default 29-day window.
    expect(lines[0]?.result.id).toBe("2");
    expect(
      JSON.parse(Buffer.from(lines[0]?.result.audit_log ?? "", "base64").toString()),
    ).toHaveProperty("event_type");
  });

  it("answers a stream's unreadable body with a plain status, as grpc-gateway decodes it first", async () => {
    for (const body of ["{", '{"machine_id":"m","surprise":1}']) {
      const response = await post("/management.ManagementService/MachineLogs", body, {
        signer: admin,
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ code: 3, message: expect.any(String) });
    }
  });

  it("sets the HTTP status for a stream that fails before its first message", async () => {
    const response = await post(
      "/management.ManagementService/MachineLogs",
      '{"machine_id":"no-such-machine"}',
      { signer: admin },
    );
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: { code: 5, message: expect.stringContaining("no-such-machine") },
    });
  });

  it("answers 401 with WWW-Authenticate, 403, 501 and 404 like Omni", async () => {
    const unsigned = await post("/management.ManagementService/Omniconfig", "{}");
    expect(unsigned.status).toBe(401);
    expect(unsigned.headers.get("www-authenticate")).toBe("invalid signature");
    expect(await unsigned.json()).toEqual({ code: 16, message: "invalid signature" });

    const denied = await post("/management.ManagementService/ListUsers", "{}", { signer: reader });
    expect(denied.status).toBe(403);
    expect(await denied.json()).toEqual({
      code: 7,
      message: 'unauthorized: access denied: insufficient role: "Reader"',
    });

    const gone = await post("/management.ManagementService/TearDownLockedCluster", "{}", {
      signer: admin,
    });
    expect(gone.status).toBe(501);
    expect(((await gone.json()) as { code: number }).code).toBe(12);

    expect((await post("/management.ManagementService/Nope", "{}")).status).toBe(404);
  });

  it("gzips answers for clients that accept it", async () => {
    const metadata = new Headers();
    await signHeaders(admin, "/management.ManagementService/Omniconfig", metadata);
    const headers: Record<string, string> = { "Accept-Encoding": "gzip" };
    metadata.forEach((value, key) => {
      headers[`Grpc-Metadata-${key}`] = value;
    });
    const { request } = await import("node:http");
    const url = new URL(`${emulator.gatewayUrl}/api/management.ManagementService/Omniconfig`);
    const raw = await new Promise<{ encoding: string | undefined; body: Buffer }>(
      (resolve, reject) => {
        const req = request(url, { method: "POST", headers }, (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () =>
            resolve({ encoding: res.headers["content-encoding"], body: Buffer.concat(chunks) }),
          );
        });
        req.on("error", reject);
        req.end("{}");
      },
    );
    expect(raw.encoding).toBe("gzip");
    expect(JSON.parse(gunzipSync(raw.body).toString())).toHaveProperty("omniconfig");
  });

  it("answers CORS preflights for allowed origins with the siderov1 and Grpc-Metadata headers", async () => {
    const preflight = await fetch(
      `${emulator.gatewayUrl}/api/management.ManagementService/Omniconfig`,
      {
        method: "OPTIONS",
        headers: {
          Origin: "http://localhost:5173",
          "Access-Control-Request-Method": "POST",
          "Access-Control-Request-Headers":
            "content-type, grpc-metadata-x-sidero-signature, x-sidero-payload, x-evil",
        },
      },
    );
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");
    expect(preflight.headers.get("access-control-allow-headers")).toBe(
      "content-type, grpc-metadata-x-sidero-signature, x-sidero-payload",
    );
    const foreign = await fetch(
      `${emulator.gatewayUrl}/api/management.ManagementService/Omniconfig`,
      {
        method: "OPTIONS",
        headers: { Origin: "http://evil.example", "Access-Control-Request-Method": "POST" },
      },
    );
    expect(foreign.headers.get("access-control-allow-origin")).toBeNull();
    expect(emulator.requestCount("/management.ManagementService/Omniconfig")).toBeGreaterThan(0);
  });
});
