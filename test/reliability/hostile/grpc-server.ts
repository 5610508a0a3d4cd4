import { once } from "node:events";
import {
  constants,
  createServer,
  type Http2Server,
  type IncomingHttpHeaders,
  type ServerHttp2Session,
  type ServerHttp2Stream,
} from "node:http2";
import type { AddressInfo, Socket } from "node:net";
import {
  type Behaviour,
  emptyStats,
  envelope,
  fieldHeader,
  type HostileServer,
  htmlPage,
  paddingHeaders,
  redirectTarget,
  serverWorkLimitMs,
  streamMessage,
  streamPath,
  streamTexts,
  unaryMessage,
  writeOut,
} from "./behaviours.js";

const grpcHeaders = { ":status": 200, "content-type": "application/grpc+proto" };

/**
 * A native gRPC server over cleartext HTTP/2 (h2c) on 127.0.0.1 that answers every call as told:
 * well, broken, cut, reset, oversized or not at all.
 */
export async function startHostileGrpcServer(): Promise<HostileServer> {
  const stats = emptyStats();
  let behaviour: Behaviour = { kind: "ok" };
  const sockets = new Map<number, Socket>();
  const sessions = new Set<ServerHttp2Session>();
  const timers = new Set<NodeJS.Timeout>();
  const server: Http2Server = createServer({
    // A big status message must be sent as asked, whatever the client then makes of it.
    maxSendHeaderBlockLength: 1024 * 1024,
  });

  server.on("connection", (socket: Socket) => {
    stats.connections++;
    const port = socket.remotePort ?? 0;
    sockets.set(port, socket);
    socket.on("close", () => sockets.delete(port));
  });
  server.on("session", (session: ServerHttp2Session) => {
    sessions.add(session);
    session.on("close", () => sessions.delete(session));
    // A TLS probe or a client that breaks the connection is no failure of the server.
    session.on("error", () => {});
  });
  server.on("sessionError", () => {});

  /** The TCP socket under a session: closing it drops the connection without a GOAWAY. */
  const socketOf = (stream: ServerHttp2Stream): Socket | undefined =>
    sockets.get(stream.session?.socket.remotePort ?? -1);

  const later = (ms: number, action: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      action();
    }, ms);
    timers.add(timer);
  };

  server.on("stream", (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => {
    stats.requests++;
    let ended = false;
    stream.on("error", () => {});
    stream.on("close", () => {
      if (!ended) {
        stats.closedEarly++;
      }
    });
    stream.resume();
    const stream_ = headers[":path"] === streamPath;
    const messages = stream_ ? streamTexts.map(streamMessage) : [unaryMessage()];
    const half = (() => {
      const whole = envelope(messages[0] ?? new Uint8Array());
      return whole.subarray(0, Math.ceil(whole.byteLength / 2));
    })();
    const endWith = (trailers: Record<string, string>, extra: Record<string, string> = {}) => {
      ended = true;
      stream.respond({ ...grpcHeaders, ...extra }, { waitForTrailers: true });
      stream.on("wantTrailers", () => stream.sendTrailers(trailers));
      for (const message of messages) {
        stream.write(envelope(message));
      }
      stream.end();
    };
    const trailersOnly = (status: number, message: string) => {
      ended = true;
      stream.respond(
        { ...grpcHeaders, "grpc-status": String(status), "grpc-message": message },
        { endStream: true },
      );
    };
    const plain = (status: number, extra: Record<string, string> = {}) => {
      ended = true;
      stream.respond({ ":status": status, "content-type": "text/html", ...extra });
      stream.end(htmlPage);
    };
    switch (behaviour.kind) {
      case "ok":
        endWith({ "grpc-status": "0" });
        return;
      case "drop-before-answer":
        socketOf(stream)?.destroy();
        return;
      case "drop-mid-body":
        stream.respond(grpcHeaders);
        stream.write(half, () => later(20, () => socketOf(stream)?.destroy()));
        return;
      case "reset-mid-body":
        stream.respond(grpcHeaders);
        stream.write(half, () => later(20, () => socketOf(stream)?.resetAndDestroy()));
        return;
      case "truncated":
        ended = true;
        stream.respond(grpcHeaders);
        stream.end(half);
        return;
      case "rst-mid-message":
        stream.respond(grpcHeaders);
        stream.write(half, () => later(20, () => stream.close(constants.NGHTTP2_CANCEL)));
        return;
      case "rst-cancel":
        stream.close(constants.NGHTTP2_CANCEL);
        return;
      case "html-200":
        plain(200);
        return;
      case "html-502":
        plain(502);
        return;
      case "redirect":
        plain(302, { location: redirectTarget });
        return;
      case "status-canceled":
        trailersOnly(1, "context canceled");
        return;
      case "status-unavailable":
        trailersOnly(14, "the server is restarting");
        return;
      case "huge-status-message":
        trailersOnly(13, "x".repeat(behaviour.chars));
        return;
      case "oversize":
      case "sized": {
        const total = behaviour.bytes;
        stream.respond(grpcHeaders, { waitForTrailers: true });
        stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
        // The message's bytes field, with the length of what follows as a varint.
        const head = fieldHeader(stream_ ? 2 : 1, total);
        stream.write(envelope(head, 0, head.byteLength + total));
        void writeOut(
          total,
          0x61,
          (chunk) => stream.write(chunk),
          () => drainOrClose(stream),
          () => stream.closed || stream.destroyed,
          stats,
        ).then((all) => {
          if (all && !stream.closed) {
            ended = true;
            stream.end();
          }
        });
        return;
      }
      case "no-status":
        ended = true;
        stream.respond(grpcHeaders);
        stream.end(envelope(messages[0] ?? new Uint8Array()));
        return;
      case "stall":
        stream.respond(grpcHeaders);
        stream.write(half, () => {
          stats.stalled++;
        });
        later(serverWorkLimitMs, () => stream.close(constants.NGHTTP2_CANCEL));
        return;
      case "silent":
        later(serverWorkLimitMs, () => stream.close(constants.NGHTTP2_CANCEL));
        return;
      case "huge-headers":
        endWith({ "grpc-status": "0" }, paddingHeaders(behaviour.bytes));
        return;
      case "huge-error-page":
        // An HTTP/1.1 proxy's page; over HTTP/2 the nearest is the same page, small.
        plain(502);
        return;
    }
  });

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
      for (const session of sessions) {
        session.destroy();
      }
      for (const socket of sockets.values()) {
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

/** Resolves when the stream can take more, or is gone. */
function drainOrClose(stream: ServerHttp2Stream): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off("drain", done);
      stream.off("close", done);
      resolve();
    };
    stream.on("drain", done);
    stream.on("close", done);
  });
}
