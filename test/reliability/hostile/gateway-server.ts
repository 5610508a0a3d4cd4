import {
  type HostileServer,
  serverWorkLimitMs,
  streamPath,
  streamTexts,
  unaryText,
  writeOut,
} from "./behaviours.js";
import { startHttp1Server } from "./http1-server.js";

const base64 = (text: string) => Buffer.from(text).toString("base64");
const jsonHeaders = { "content-type": "application/json" };

/**
 * Omni's HTTP/JSON gateway (grpc-gateway) as a hostile server over HTTP/1.1 on 127.0.0.1: JSON
 * answers to unary calls, NDJSON lines for streams, errors as `{code, message}` bodies.
 */
export function startHostileGatewayServer(): Promise<HostileServer> {
  return startHttp1Server(streamPath, (call) => {
    const { res, behaviour } = call;
    const unary = `{"omniconfig":"${base64(unaryText)}"}`;
    const lines = streamTexts.map((text) => `{"result":{"bytes":"${base64(text)}"}}\n`);
    const whole = call.stream ? lines.join("") : unary;
    // Half of the first line of a stream, half of the document of a unary answer.
    const half = (call.stream ? (lines[0] ?? "") : unary).slice(0, 12);
    const status = (http: number, code: number, message: string) => {
      res.writeHead(http, jsonHeaders);
      res.end(JSON.stringify({ code, message }));
    };
    switch (behaviour.kind) {
      case "ok":
        res.writeHead(200, jsonHeaders);
        res.end(whole);
        return;
      case "drop-mid-body":
        res.writeHead(200, jsonHeaders);
        res.write(half, () => call.later(20, () => call.req.socket.destroy()));
        return;
      case "reset-mid-body":
        res.writeHead(200, jsonHeaders);
        res.write(half, () => call.later(20, () => call.req.socket.resetAndDestroy()));
        return;
      case "truncated":
        res.writeHead(200, jsonHeaders);
        res.end(half);
        return;
      case "status-canceled":
        // grpc-gateway's status for CANCELLED.
        status(499, 1, "context canceled");
        return;
      case "status-unavailable":
        status(503, 14, "the server is restarting");
        return;
      case "huge-status-message":
        status(500, 13, "x".repeat(behaviour.chars));
        return;
      case "oversize":
      case "sized": {
        const total = behaviour.bytes;
        res.writeHead(200, jsonHeaders);
        // A base64 string of `total` characters ("YWFh" is "aaa").
        res.write(call.stream ? '{"result":{"bytes":"' : '{"omniconfig":"');
        void writeOut(
          total,
          0x61,
          (chunk) => res.write(chunk),
          call.drained,
          () => res.destroyed || res.writableEnded,
          call.stats,
        ).then((all) => {
          if (all && !res.destroyed) {
            res.end(call.stream ? '"}}\n' : '"}');
          }
        });
        return;
      }
      case "stall":
        res.writeHead(200, jsonHeaders);
        res.write(half, () => {
          call.stats.stalled++;
        });
        call.later(serverWorkLimitMs, () => call.req.socket.destroy());
        return;
      default:
        // RST_STREAM and gRPC trailers have no gateway form; the nearest is a dropped connection.
        call.req.socket.destroy();
    }
  });
}
