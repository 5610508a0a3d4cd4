import {
  envelope,
  fieldHeader,
  type HostileServer,
  serverWorkLimitMs,
  streamMessage,
  streamPath,
  streamTexts,
  unaryMessage,
  writeOut,
} from "./behaviours.js";
import { startHttp1Server } from "./http1-server.js";

const grpcWebHeaders = { "content-type": "application/grpc-web+proto" };

/** A gRPC-Web trailer frame: flag 0x80, the trailers as HTTP/1.1 header lines. */
function trailerFrame(status: number, message?: string): Uint8Array {
  const lines = [`grpc-status: ${status}`];
  if (message !== undefined) {
    lines.push(`grpc-message: ${message}`);
  }
  return envelope(new TextEncoder().encode(`${lines.join("\r\n")}\r\n`), 0x80);
}

/**
 * A gRPC-Web server over HTTP/1.1 on 127.0.0.1, as a gRPC-Web proxy (Envoy) in front of Omni
 * would be, that answers every call as told.
 */
export function startHostileGrpcWebServer(): Promise<HostileServer> {
  return startHttp1Server(streamPath, (call) => {
    const { res, behaviour } = call;
    const messages = call.stream ? streamTexts.map(streamMessage) : [unaryMessage()];
    const first = envelope(messages[0] ?? new Uint8Array());
    const half = first.subarray(0, Math.ceil(first.byteLength / 2));
    switch (behaviour.kind) {
      case "ok":
        res.writeHead(200, grpcWebHeaders);
        for (const message of messages) {
          res.write(envelope(message));
        }
        res.end(trailerFrame(0));
        return;
      case "drop-mid-body":
        res.writeHead(200, grpcWebHeaders);
        res.write(half, () => call.later(20, () => call.req.socket.destroy()));
        return;
      case "reset-mid-body":
        res.writeHead(200, grpcWebHeaders);
        res.write(half, () => call.later(20, () => call.req.socket.resetAndDestroy()));
        return;
      case "truncated":
        res.writeHead(200, grpcWebHeaders);
        res.end(half);
        return;
      case "status-canceled":
        res.writeHead(200, { ...grpcWebHeaders, "grpc-status": "1", "grpc-message": "canceled" });
        res.end();
        return;
      case "status-unavailable":
        res.writeHead(200, grpcWebHeaders);
        res.end(trailerFrame(14, "the server is restarting"));
        return;
      case "huge-status-message":
        res.writeHead(200, grpcWebHeaders);
        res.end(trailerFrame(13, "x".repeat(behaviour.chars)));
        return;
      case "oversize":
      case "sized": {
        const total = behaviour.bytes;
        const head = fieldHeader(call.stream ? 2 : 1, total);
        res.writeHead(200, grpcWebHeaders);
        res.write(envelope(head, 0, head.byteLength + total));
        void writeOut(
          total,
          0x61,
          (chunk) => res.write(chunk),
          call.drained,
          () => res.destroyed || res.writableEnded,
          call.stats,
        ).then((all) => {
          if (all && !res.destroyed) {
            res.end(trailerFrame(0));
          }
        });
        return;
      }
      case "no-status":
        res.writeHead(200, grpcWebHeaders);
        res.end(first);
        return;
      case "stall":
        res.writeHead(200, grpcWebHeaders);
        res.write(half, () => {
          call.stats.stalled++;
        });
        call.later(serverWorkLimitMs, () => call.req.socket.destroy());
        return;
      default:
        // RST_STREAM is HTTP/2's; over HTTP/1.1 the nearest is a dropped connection.
        call.req.socket.destroy();
    }
  });
}
