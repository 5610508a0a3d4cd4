import { createServer } from "node:net";
import type { ManagedProcess } from "./processes.js";

/** `count` distinct ports that are free on 127.0.0.1 right now. */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((done, fail) => {
          const server = createServer();
          server.once("error", fail);
          server.listen(0, "127.0.0.1", () => done(server));
        }),
    ),
  );
  const ports = servers.map((server) => {
    const address = server.address();
    return typeof address === "object" && address ? address.port : 0;
  });
  await Promise.all(servers.map((server) => new Promise((done) => server.close(done))));
  return ports;
}

/**
 * Resolves once `url` answers with a 2xx status; fails when `child`, the process that should
 * answer, exits first or the deadline passes.
 */
export async function waitForHttp(
  child: ManagedProcess,
  url: string,
  deadline: number,
  step: string,
): Promise<void> {
  let last = "no answer";
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) {
        return;
      }
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    if (!child.running) {
      throw child.failure(step, `${child.name} exited`);
    }
    await new Promise((wake) => setTimeout(wake, 250));
  }
  throw child.failure(step, `${url} did not answer in time (last: ${last})`);
}
