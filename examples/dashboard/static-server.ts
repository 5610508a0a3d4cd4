import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { extname, join, normalize, sep } from "node:path";

const contentTypes: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".png": "image/png",
  ".svg": "image/svg+xml",
};

export interface StaticOriginOptions {
  /** URL path prefix (`/`, `/sdk/`, ...) → directory served under it. */
  readonly mounts: Readonly<Record<string, string>>;
  readonly host?: string;
  readonly port?: number;
}

/** A running static origin: its `url` has no trailing slash (`http://127.0.0.1:41234`). */
export interface StaticOrigin {
  readonly url: string;
  /** Serves `content` at `path` ahead of the mounts (generated files such as `config.json`). */
  setDocument(path: string, content: string): void;
  close(): Promise<void>;
}

/** The file under `directory` a URL path names, or undefined when it would escape it. */
function fileFor(directory: string, relativePath: string): string | undefined {
  const file = normalize(join(directory, decodeURIComponent(relativePath) || "index.html"));
  return file === directory ||
    file.startsWith(directory.endsWith(sep) ? directory : directory + sep)
    ? file
    : undefined;
}

/**
 * Serves built pages over plain HTTP from loopback. A second instance is a second origin, which
 * is what makes the browser enforce CORS against the emulator.
 */
export async function startStaticOrigin(options: StaticOriginOptions): Promise<StaticOrigin> {
  const mounts = Object.entries(options.mounts).sort(([a], [b]) => b.length - a.length);
  const documents = new Map<string, string>();

  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://origin").pathname;
    res.setHeader("Cache-Control", "no-store");
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405).end();
      return;
    }
    const document = documents.get(path);
    if (document !== undefined) {
      res.writeHead(200, { "Content-Type": contentTypes[extname(path)] ?? "text/plain" });
      res.end(document);
      return;
    }
    const mount = mounts.find(([prefix]) => path.startsWith(prefix));
    const file = mount ? fileFor(normalize(mount[1]), path.slice(mount[0].length)) : undefined;
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    readFile(file).then(
      (body) => {
        res.writeHead(200, {
          "Content-Type": contentTypes[extname(file)] ?? "application/octet-stream",
        });
        res.end(body);
      },
      () => {
        res.writeHead(404).end();
      },
    );
  });

  const sockets = new Set<Socket>();
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://${host}:${port}`,
    setDocument: (path, content) => {
      documents.set(path, content);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) {
          socket.destroy();
        }
      }),
  };
}
