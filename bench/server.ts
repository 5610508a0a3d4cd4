/**
 * The server every ratio benchmark calls, ours and the raw client alike: native gRPC (h2c) on
 * one port; gRPC-Web and Omni's `/api/` JSON gateway on another, with the emulator's own gateway
 * and COSI state. It checks no signature, so a signed SDK call and an unsigned raw call cost the
 * server exactly the same work and the ratio shows only what the client adds. bench/server-client.ts
 * runs it in the benchmarks' process or, with `BENCH_SERVER=process`, in a child process.
 */
import { once } from "node:events";
import { createServer as createHttpServer } from "node:http";
import { createServer as createHttp2Server } from "node:http2";
import type { AddressInfo } from "node:net";
import { create } from "@bufbuild/protobuf";
import { type ConnectRouter, createRouterTransport } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { trackConnections } from "../src/emulator/connections.js";
import { allowAllCosiAccess, CosiStore, createCosiStateImpl } from "../src/emulator/cosi/index.js";
import { createGatewayHandler, gatewayRoutes } from "../src/emulator/gateway.js";
import { DataSchema } from "../src/gen/common/common_pb.js";
import {
  GetSupportBundleResponseSchema,
  ManagementService,
} from "../src/gen/omni/management/management_pb.js";
import { State } from "../src/gen/v1alpha1/state_pb.js";

/** Streams send messages of this size, the size the issue measures MB/s with. */
export const STREAM_MESSAGE_BYTES = 64 * 1024;

export interface BenchServer {
  /** Native gRPC (h2c) base URL. */
  readonly grpcUrl: string;
  /** gRPC-Web and gateway base URL. */
  readonly httpUrl: string;
  /** The COSI state behind `cosi.resource.State`. */
  readonly store: CosiStore;
  /** Bytes `GetSupportBundle` streams; changed between benchmarks. */
  supportBundleBytes: number;
  close(): Promise<void>;
}

const kubeconfig = new TextEncoder().encode(
  "apiVersion: v1\nkind: Config\nclusters:\n- name: bench\n  cluster:\n    server: https://bench.example.org:6443\n",
);

/**
 * `MachineLogs` sends `tail_lines` messages of 64 KiB; `GetSupportBundle` sends
 * `supportBundleBytes` in 64 KiB `bundle_data` chunks. Both reuse one payload buffer, so the
 * server holds no more than a message however long the stream.
 */
export async function startBenchServer(): Promise<BenchServer> {
  const payload = new Uint8Array(STREAM_MESSAGE_BYTES).map((_, index) => index % 251);
  const store = new CosiStore();
  const server: BenchServer = {
    grpcUrl: "",
    httpUrl: "",
    store,
    supportBundleBytes: 0,
    close: async () => {},
  };
  const routes = (router: ConnectRouter): void => {
    router.service(ManagementService, {
      kubeconfig: () => ({ kubeconfig }),
      async *machineLogs(request) {
        for (let index = 0; index < request.tailLines; index++) {
          yield create(DataSchema, { bytes: payload });
        }
      },
      async *getSupportBundle() {
        for (let sent = 0; sent < server.supportBundleBytes; sent += payload.length) {
          const size = Math.min(payload.length, server.supportBundleBytes - sent);
          yield create(GetSupportBundleResponseSchema, { bundleData: payload.subarray(0, size) });
        }
      },
    });
    router.service(State, createCosiStateImpl(store, allowAllCosiAccess));
  };
  const grpcHandler = connectNodeAdapter({ routes, grpc: true, grpcWeb: false, connect: false });
  const webHandler = connectNodeAdapter({ routes, grpc: false, grpcWeb: true, connect: false });
  const gateway = createGatewayHandler(
    createRouterTransport(routes),
    gatewayRoutes([ManagementService, State]),
  );

  const http2Server = createHttp2Server(grpcHandler);
  const httpServer = createHttpServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://bench").pathname;
    if (path.startsWith("/api/")) {
      void gateway(req, res, path);
    } else {
      webHandler(req, res);
    }
  });
  const closeServers = trackConnections(http2Server, httpServer);
  http2Server.listen(0, "127.0.0.1");
  httpServer.listen(0, "127.0.0.1");
  await Promise.all([once(http2Server, "listening"), once(httpServer, "listening")]);

  const urlOf = (listener: { address(): AddressInfo | string | null }) =>
    `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
  Object.assign(server, {
    grpcUrl: urlOf(http2Server),
    httpUrl: urlOf(httpServer),
    close: closeServers,
  });
  return server;
}
