/**
 * Connections and wall time of 2,000 unary reads per transport against the emulator, one after
 * another and with 64 and 1,000 in flight: whether a transport opens a connection per call, and
 * what a burst of HTTP/1.1 connections costs. Prints a table; asserts nothing.
 *
 *   npx vite-node bench/connections.ts
 */
import { Socket } from "node:net";
import { serviceAccountAuth } from "../src/auth/service-account.js";
import { createOmniClient } from "../src/client.js";
import { startOmniEmulator } from "../src/emulator/index.js";
import { createGrpcTransport } from "../src/node/grpc-transport.js";
import { Machines } from "../src/resources/registry.js";
import { createGatewayTransport } from "../src/transport/gateway-transport.js";
import { createGrpcWebTransport } from "../src/transport/grpc-web.js";

const CALLS = 2_000;
const CONCURRENCY = [1, 64, 1_000];

// Every TCP connection this process opens goes through Socket#connect.
let connects = 0;
const connect = Socket.prototype.connect;
Socket.prototype.connect = function (this: Socket, ...args: unknown[]) {
  connects++;
  return Reflect.apply(connect, this, args);
} as typeof connect;

const emulator = await startOmniEmulator({ seed: 7, simulation: false });
try {
  const rows: string[] = [];
  for (const [name, transport] of [
    ["native gRPC", createGrpcTransport({ baseUrl: emulator.url })],
    ["gRPC-Web", createGrpcWebTransport({ baseUrl: emulator.grpcWebUrl })],
    ["gateway", createGatewayTransport({ baseUrl: emulator.gatewayUrl })],
  ] as const) {
    const client = createOmniClient({ transport, auth: serviceAccountAuth(emulator.keys.admin) });
    const ids = (await client.resources.listAll(Machines)).map((machine) => machine.metadata.id);
    for (const concurrency of CONCURRENCY) {
      connects = 0;
      let next = 0;
      const worker = async () => {
        while (next < CALLS) {
          const index = next++;
          await client.resources.get(Machines, ids[index % ids.length] ?? "");
        }
      };
      const started = performance.now();
      await Promise.all(Array.from({ length: concurrency }, worker));
      const ms = performance.now() - started;
      rows.push(
        `| ${name} | ${concurrency} | ${Math.round(ms)} | ${Math.round((CALLS * 1000) / ms)} | ${connects} |`,
      );
    }
  }
  console.log(`${CALLS} signed unary reads (State/Get) against the emulator on 127.0.0.1\n`);
  console.log("| transport | in flight | ms | calls/s | new connections |");
  console.log("|---|---|---|---|---|");
  console.log(rows.join("\n"));
} finally {
  await emulator.close();
}
