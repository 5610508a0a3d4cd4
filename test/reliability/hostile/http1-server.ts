import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import {
  type Behaviour,
  emptyStats,
  type HostileServer,
  type HostileStats,
  htmlPage,
  paddingHeaders,
  redirectTarget,
  serverWorkLimitMs,
  writeOut,
} from "./behaviours.js";

/** What a protocol's handler is given for one request. */
export interface Http1Call {
  req: IncomingMessage;
  res: ServerResponse;
  /** Whether the call is the server stream (rather than the unary call). */
  stream: boolean;
  behaviour: Behaviour;
  stats: HostileStats;
  /** Marks the answer as ended by the server, so its close is not counted as the client's. */
  ended(): void;
  /** Runs `action` after `ms`, unless the server closes first. */
  later(ms: number, action: () => void): void;
  /** Resolves when the response can take more, or is gone. */
  drained(): Promise<void>;
}

/**
 * An HTTP/1.1 server on 127.0.0.1 that plays the behaviours every HTTP/1.1 protocol shares the
 * same way (dropped connections, HTML pages, redirects, silence) and hands the rest to `answer`.
 */
export async function startHttp1Server(
  streamPath: string,
  answer: (call: Http1Call) => void,
): Promise<HostileServer> {
  const stats = emptyStats();
  let behaviour: Behaviour = { kind: "ok" };
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, action: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      action();
    }, ms);
    timers.add(timer);
  };

  const server: Server = createServer(
    // Headers as large as a test asks for: the client's limits are what is tested.
    { maxHeaderSize: 64 * 1024 * 1024, keepAliveTimeout: 30_000 },
    (req, res) => {
      stats.requests++;
      let ended = false;
      res.on("close", () => {
        if (!ended) {
          stats.closedEarly++;
        }
      });
      res.on("finish", () => {
        ended = true;
      });
      req.resume();
      const call: Http1Call = {
        req,
        res,
        stream: new URL(req.url ?? "/", "http://hostile").pathname.endsWith(streamPath),
        behaviour,
        stats,
        ended: () => {
          ended = true;
        },
        later,
        drained: () =>
          new Promise((resolve) => {
            const done = () => {
              res.off("drain", done);
              res.off("close", done);
              resolve();
            };
            res.on("drain", done);
            res.on("close", done);
          }),
      };
      const page = (status: number, extra: Record<string, string> = {}) => {
        res.writeHead(status, { "content-type": "text/html; charset=utf-8", ...extra });
        res.end(htmlPage);
      };
      switch (behaviour.kind) {
        case "drop-before-answer":
          req.socket.destroy();
          return;
        case "html-200":
          page(200);
          return;
        case "html-502":
          page(502);
          return;
        case "redirect":
          page(302, { location: redirectTarget });
          return;
        case "huge-headers":
          res.writeHead(200, { "content-type": "text/plain", ...paddingHeaders(behaviour.bytes) });
          res.end();
          return;
        case "huge-error-page":
          res.writeHead(502, { "content-type": "text/html; charset=utf-8" });
          res.write(htmlPage);
          void writeOut(
            behaviour.bytes,
            0x20,
            (chunk) => res.write(chunk),
            call.drained,
            () => res.destroyed || res.writableEnded,
            stats,
          ).then((all) => {
            if (all && !res.destroyed) {
              res.end();
            }
          });
          return;
        case "silent":
          later(serverWorkLimitMs, () => req.socket.destroy());
          return;
        default:
          answer(call);
      }
    },
  );
  server.on("connection", (socket: Socket) => {
    stats.connections++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  server.on("clientError", (_error, socket: Socket) => socket.destroy());

  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  // Stops by itself if a test forgets to.
  const lifetime = setTimeout(() => void close(), 5 * 60_000);
  lifetime.unref();

  let closing: Promise<void> | undefined;
  function close(): Promise<void> {
    closing ??= (async () => {
      clearTimeout(lifetime);
      for (const timer of timers) {
        clearTimeout(timer);
      }
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) {
        socket.destroy();
      }
      await closed;
    })();
    return closing;
  }

  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    behave(next) {
      behaviour = next;
    },
    reset() {
      Object.assign(stats, emptyStats());
    },
    close,
  };
}
