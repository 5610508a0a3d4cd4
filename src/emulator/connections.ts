import type { Server as HttpServer } from "node:http";
import type { Http2Server, Http2Session } from "node:http2";
import type { Socket } from "node:net";

/**
 * Remembers every HTTP/2 session and HTTP/1.1 socket the servers accept, and returns a function
 * that stops listening and destroys them all. `server.close()` alone waits for idle keep-alive
 * connections and open streams, so tests checking for leaked handles would hang or fail.
 */
export function trackConnections(
  http2Server: Http2Server,
  httpServer: HttpServer,
): () => Promise<void> {
  const sessions = new Set<Http2Session>();
  const sockets = new Set<Socket>();
  http2Server.on("session", (session) => {
    sessions.add(session);
    session.on("close", () => sessions.delete(session));
  });
  httpServer.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  return async () => {
    const closed = Promise.all(
      [httpServer, http2Server].map(
        (server) => new Promise<void>((resolve) => server.close(() => resolve())),
      ),
    );
    for (const session of sessions) {
      session.destroy();
    }
    for (const socket of sockets) {
      socket.destroy();
    }
    await closed;
  };
}
