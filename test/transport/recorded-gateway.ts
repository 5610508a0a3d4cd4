import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** What a test saw arrive at the gateway. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
  body: string;
  /** Resolves when the client goes away before the answer was finished. */
  closedEarly: Promise<void>;
}

export type GatewayHandler = (request: RecordedRequest, response: ServerResponse) => void;

/**
 * A stand-in for Omni's gateway on 127.0.0.1: each test answers with recorded bodies, and sees
 * exactly what the transport sent.
 */
export async function startRecordedGateway(handler: GatewayHandler): Promise<{
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const closedEarly = new Promise<void>((resolve) => {
        res.on("close", () => {
          if (!res.writableFinished) {
            resolve();
          }
        });
      });
      const recorded: RecordedRequest = {
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
        closedEarly,
      };
      requests.push(recorded);
      handler(recorded, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** A fetch that answers every call with the given body, delivered in exactly these chunks. */
export function chunkedFetch(
  chunks: (string | Uint8Array)[],
  init: ResponseInit = { status: 200 },
): typeof globalThis.fetch {
  const encoder = new TextEncoder();
  return async () => {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const chunk of chunks) {
          controller.enqueue(typeof chunk === "string" ? encoder.encode(chunk) : chunk);
        }
        controller.close();
      },
    });
    return new Response(body, init);
  };
}
