import { connect, createServer, type Socket } from "node:net";
import type { Transport } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serviceAccountAuth } from "../../src/auth/service-account.js";
import { createOmniClient, type OmniClient } from "../../src/client.js";
import type { CosiStore } from "../../src/emulator/cosi/index.js";
import { type OmniEmulator, startOmniEmulator } from "../../src/emulator/index.js";
import { createGrpcTransport } from "../../src/node/grpc-transport.js";
import { Clusters } from "../../src/resources/registry.js";
import { createGatewayTransport } from "../../src/transport/gateway-transport.js";
import { createGrpcWebTransport } from "../../src/transport/grpc-web.js";

// A list this long cannot fit in the socket and flow-control buffers, so the server is still
// sending when the client stops reading.
const longListLength = 20_000;

let emulator: OmniEmulator;

beforeAll(async () => {
  emulator = await startOmniEmulator({ simulation: false });
});

afterAll(async () => {
  await emulator.close();
});

function clientOver(transport: Transport): OmniClient {
  return createOmniClient({ transport, auth: serviceAccountAuth(emulator.keys.admin) });
}

/** Resolves when the emulator's next watch of `type` lets go of its subscription. */
function nextWatchEnded(store: CosiStore, type: string): Promise<void> {
  const subscribe = store.subscribe;
  return new Promise((resolve) => {
    store.subscribe = (namespace, watchedType, listener) => {
      const unsubscribe = subscribe.call(store, namespace, watchedType, listener);
      if (watchedType !== type) {
        return unsubscribe;
      }
      store.subscribe = subscribe;
      return () => {
        unsubscribe();
        resolve();
      };
    };
  });
}

/**
 * Makes the emulator's next list of `type` long, and resolves when the server's list handler lets
 * go of it (finished or cancelled).
 */
function nextLongListEnded(store: CosiStore, type: string): Promise<void> {
  const list = store.list;
  return new Promise((resolve) => {
    store.list = (namespace, listedType, filter) => {
      const items = list.call(store, namespace, listedType, filter);
      if (listedType !== type || items.length === 0) {
        return items;
      }
      store.list = list;
      function* repeated() {
        try {
          for (let i = 0; i < longListLength; i++) {
            yield items[i % items.length] as (typeof items)[number];
          }
        } finally {
          resolve();
        }
      }
      return repeated() as unknown as typeof items;
    };
  });
}

/**
 * A TCP relay in front of the emulator's HTTP/1.1 listener. On HTTP/1.1 a request in flight owns
 * its connection, so the client dropping the connection is how the server sees the stream end.
 */
async function relay(target: string) {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  let clientLeft: () => void = () => {};
  const clientGone = new Promise<void>((resolve) => {
    clientLeft = resolve;
  });
  const server = createServer((client) => {
    const upstream = connect(Number(port), hostname);
    let upstreamClosed = false;
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("error", () => {});
    }
    client.pipe(upstream);
    upstream.pipe(client);
    upstream.on("close", () => {
      upstreamClosed = true;
      client.destroy();
    });
    client.on("close", () => {
      upstream.destroy();
      if (!upstreamClosed) {
        clientLeft();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") {
    throw new Error("the relay has no TCP address");
  }
  return {
    url: `http://127.0.0.1:${address.port}`,
    clientGone,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) {
          socket.destroy();
        }
        server.close(() => resolve());
      }),
  };
}

async function readFiveClusters(client: OmniClient): Promise<void> {
  let seen = 0;
  for await (const cluster of client.resources.list(Clusters)) {
    expect(cluster.metadata.type).toBe(Clusters.type);
    if (++seen === 5) {
      break;
    }
  }
}

const transports: ReadonlyArray<[string, () => Transport]> = [
  ["native gRPC", () => createGrpcTransport({ baseUrl: emulator.url })],
  ["gRPC-Web", () => createGrpcWebTransport({ baseUrl: emulator.grpcWebUrl })],
  ["gateway", () => createGatewayTransport({ baseUrl: emulator.gatewayUrl })],
];

describe.each(transports)("leaving a watch early over %s", (_name, transport) => {
  it("ends the watch on the server", async () => {
    const ended = nextWatchEnded(emulator.store, Clusters.type);
    for await (const event of clientOver(transport()).resources.watch(Clusters)) {
      expect(event.type).toBe("created");
      break;
    }
    await ended;
  });
});

describe("leaving a list early", () => {
  it("over native gRPC ends the list on the server", async () => {
    const ended = nextLongListEnded(emulator.store, Clusters.type);
    await readFiveClusters(clientOver(createGrpcTransport({ baseUrl: emulator.url })));
    await ended;
  });

  it.each([
    ["gRPC-Web", (baseUrl: string) => createGrpcWebTransport({ baseUrl })],
    ["gateway", (baseUrl: string) => createGatewayTransport({ baseUrl })],
  ])("over %s closes the request the server is streaming", async (_name, transport) => {
    const front = await relay(emulator.gatewayUrl);
    try {
      void nextLongListEnded(emulator.store, Clusters.type);
      await readFiveClusters(clientOver(transport(front.url)));
      await front.clientGone;
    } finally {
      await front.close();
    }
  });
});
