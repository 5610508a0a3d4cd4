/**
 * siderov1 signing cost, measured in one run: microseconds per signature (PGP and ECDSA), and the
 * latency of a signed unary call against an unsigned one on the same loopback gRPC server.
 * Run with `npx vite-node bench/signing.ts`.
 */
import { once } from "node:events";
import { createServer, type ServerHttp2Session } from "node:http2";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { createClient, type Interceptor, type Transport } from "@connectrpc/connect";
import { connectNodeAdapter, createGrpcTransport } from "@connectrpc/connect-node";
import * as openpgp from "openpgp";
import {
  buildSignaturePayload,
  createSigningInterceptor,
  ecdsaAuth,
  generateEcdsaKey,
  type OmniAuth,
  pgpAuth,
} from "../src/auth/index.js";
import { ManagementService } from "../src/gen/omni/management/management_pb.js";

const SIGNATURES = { ecdsa: 2000, pgp: 500 };
const CALLS = 600;
const ROUNDS = 4;

async function microsPerSignature(auth: OmniAuth, count: number): Promise<number> {
  const signer = await auth.signer();
  const header = new Headers({ "x-sidero-timestamp": "1762881349", cluster: "talos-default" });
  const payload = new TextEncoder().encode(
    buildSignaturePayload("/management.ManagementService/Kubeconfig", header),
  );
  for (let index = 0; index < Math.min(100, count); index++) {
    await signer.sign(payload);
  }
  const start = performance.now();
  for (let index = 0; index < count; index++) {
    await signer.sign(payload);
  }
  return ((performance.now() - start) * 1000) / count;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function main(): Promise<void> {
  const pair = await generateEcdsaKey();
  const ecdsa = ecdsaAuth({
    identity: "bench@example.com",
    privateKey: pair.privateKey,
    publicKeyId: pair.publicKeyId,
  });
  const { privateKey } = await openpgp.generateKey({
    type: "ecc",
    curve: "ed25519Legacy",
    userIDs: [{ email: "bench@example.com" }],
    keyExpirationTime: 3600,
  });
  const pgp = pgpAuth({ identity: "bench@example.com", armoredPrivateKey: privateKey });

  const sessions = new Set<ServerHttp2Session>();
  const server = createServer(
    connectNodeAdapter({
      routes(router) {
        router.service(ManagementService, {
          kubeconfig: () => ({ kubeconfig: new TextEncoder().encode("apiVersion: v1\n") }),
        });
      },
    }),
  );
  server.on("session", (session) => sessions.add(session));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  try {
    const ecdsaMicros = await microsPerSignature(ecdsa, SIGNATURES.ecdsa);
    const pgpMicros = await microsPerSignature(pgp, SIGNATURES.pgp);

    const transportWith = (interceptors: Interceptor[]): Transport =>
      createGrpcTransport({ baseUrl, interceptors });
    const clients = {
      unsigned: createClient(ManagementService, transportWith([])),
      ecdsa: createClient(ManagementService, transportWith([createSigningInterceptor(ecdsa)])),
      pgp: createClient(ManagementService, transportWith([createSigningInterceptor(pgp)])),
    };
    type Client = (typeof clients)["unsigned"];
    // "repeated": equal calls, as in a polling loop (the signer reuses a signature within a
    // second). "distinct": a different signed header on every call, so every call is signed.
    let sequence = 0;
    const shapes = {
      repeated: () => ({ cluster: "talos-default" }),
      distinct: () => ({ cluster: "talos-default", uid: `call-${sequence++}` }),
    };
    type Shape = keyof typeof shapes;
    const cases = (Object.keys(shapes) as Shape[]).flatMap((shape) =>
      (Object.keys(clients) as (keyof typeof clients)[]).map((variant) => ({
        shape,
        variant,
        client: clients[variant] as Client,
        samples: [] as number[],
      })),
    );

    for (const { client, shape } of cases) {
      for (let index = 0; index < 200; index++) {
        await client.kubeconfig({}, { headers: shapes[shape]() });
      }
    }
    // Interleaved rounds with a rotating order, so load drift and position hit every case alike;
    // the median of single-call latencies keeps stray scheduler pauses out of the ratio.
    for (let round = 0; round < ROUNDS; round++) {
      const shift = round % cases.length;
      for (const entry of [...cases.slice(shift), ...cases.slice(0, shift)]) {
        for (let index = 0; index < CALLS; index++) {
          const headers = shapes[entry.shape]();
          const start = performance.now();
          await entry.client.kubeconfig({}, { headers });
          entry.samples.push((performance.now() - start) * 1000);
        }
      }
    }

    const targets: Record<string, string> = { ecdsa: "≤ 1.15", pgp: "≤ 1.50", unsigned: "" };
    console.log(
      `siderov1 signing (Node ${process.versions.node}, ${CALLS} calls × ${ROUNDS} rounds per case)`,
    );
    console.log(
      `${"measure".padEnd(34)} ${"µs".padStart(9)} ${"ratio".padStart(6)} ${"target".padStart(7)}`,
    );
    const line = (name: string, micros: number, ratio = "", target = "") =>
      console.log(
        `${name.padEnd(34)} ${micros.toFixed(1).padStart(9)} ${ratio.padStart(6)} ${target.padStart(7)}`,
      );
    line("ECDSA P-256 signature", ecdsaMicros);
    line("OpenPGP (Ed25519) signature", pgpMicros);
    const summary: string[] = [];
    for (const shape of Object.keys(shapes) as Shape[]) {
      const baseline = median(
        cases.find((c) => c.shape === shape && c.variant === "unsigned")?.samples ?? [],
      );
      for (const entry of cases.filter((c) => c.shape === shape)) {
        const ratio = median(entry.samples) / baseline;
        line(
          `unary ${shape}, ${entry.variant}`,
          median(entry.samples),
          ratio.toFixed(2),
          targets[entry.variant],
        );
        if (entry.variant !== "unsigned") {
          summary.push(`${entry.variant} ${shape} ${ratio.toFixed(2)}`);
        }
      }
    }
    console.log(`ratio signed/unsigned (median call latency): ${summary.join(", ")}`);
  } finally {
    const closed = once(server, "close");
    server.close();
    for (const session of sessions) {
      session.destroy();
    }
    await closed;
  }
}

await main();
