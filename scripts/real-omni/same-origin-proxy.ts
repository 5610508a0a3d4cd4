import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePorts, waitForHttp } from "./loopback.js";
import { ManagedProcess } from "./processes.js";

export interface SameOriginProxy {
  /** `http://127.0.0.1:PORT`: the static site at `/`, Omni's gateway at `/api/`. */
  url: string;
  stop(): Promise<void>;
}

export interface SameOriginProxyOptions {
  /** Directory served at `/`. */
  siteDir: string;
  /** Omni's API endpoint (`http://127.0.0.1:PORT`), whose `/api/` gateway is passed through. */
  omniEndpoint: string;
  nginx?: string;
}

/**
 * nginx serving a web app and Omni's HTTP/JSON gateway from one origin, as a real deployment
 * does for Omni's own web UI: Omni sends no CORS headers, so a dashboard must share its origin.
 * Streams (NDJSON) pass through unbuffered.
 */
function nginxConfig(dir: string, port: number, options: SameOriginProxyOptions): string {
  return `
daemon off;
master_process on;
worker_processes 1;
user root;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 256; }
http {
  access_log ${dir}/access.log;
  client_body_temp_path ${dir}/client-body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  types {
    text/html html;
    text/css css;
    application/javascript js;
    application/json json map;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      root ${options.siteDir};
      index index.html;
    }
    location /api/ {
      proxy_pass ${options.omniEndpoint};
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
      proxy_request_buffering off;
      proxy_read_timeout 600s;
    }
  }
}
`;
}

export async function startSameOriginProxy(
  options: SameOriginProxyOptions,
): Promise<SameOriginProxy> {
  const step = "start nginx in front of the site and Omni's gateway";
  const dir = await mkdtemp(join(tmpdir(), "real-omni-nginx-"));
  const [port = 0] = await freePorts(1);
  await mkdir(join(dir, "proxy"));
  await writeFile(join(dir, "nginx.conf"), nginxConfig(dir, port, options));
  const nginx = ManagedProcess.start(
    "nginx",
    options.nginx ?? "/usr/sbin/nginx",
    ["-c", join(dir, "nginx.conf"), "-e", join(dir, "error.log")],
    { cwd: dir, logFile: join(dir, "nginx.out") },
  );
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await nginx.stop(5_000);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitForHttp(nginx, `${url}/`, Date.now() + 15_000, step);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, stop };
}
