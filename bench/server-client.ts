/**
 * Where the benchmarks' server runs. By default in the benchmarks' own process, the setup the
 * issue's reference figures (1.2–1.4 ms per raw call, 750–1,250 calls/s) were measured in; with
 * `BENCH_SERVER=process`, in a child Node process, as Omni runs apart from its clients, so that
 * the server's CPU work and garbage collection stay off the measured thread and the ratios show
 * the client's own cost.
 */
import { type ChildProcess, fork } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import type { BenchEndpoints } from "./clients.js";
import { putMachines } from "./fleet.js";
import { startBenchServer } from "./server.js";
import type { ServerCommand, ServerMessage, ServerRequest } from "./server-protocol.js";

/** vite-node compiles the child's TypeScript, as it does the benchmarks'. */
const viteNode = fileURLToPath(new URL("../node_modules/vite-node/vite-node.mjs", import.meta.url));
const serverProcessEntry = fileURLToPath(new URL("./server-process.ts", import.meta.url));

/** vite-node starts in about a second; far longer means the child hangs. */
const READY_TIMEOUT_MS = 30_000;
const EXIT_TIMEOUT_MS = 5_000;

/** The bench server as the benchmarks drive it, wherever it runs. */
export interface BenchServerHandle extends BenchEndpoints {
  /** The server's process: this one, or the child's. */
  readonly pid: number;
  /** Bytes `GetSupportBundle` streams from now on. */
  setSupportBundleBytes(bytes: number): Promise<void>;
  /** Adds `count` machines to the server's COSI state (bench/fleet.ts). */
  putMachines(count: number): Promise<void>;
  /** Closes the server and waits for the process to exit; kills it if it does not. */
  close(): Promise<void>;
}

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `signal ${signal}` : `code ${code}`;
}

function waitForReady(child: ChildProcess): Promise<BenchEndpoints & { pid: number }> {
  return new Promise((resolve, reject) => {
    const fail = (error: Error) => {
      stopWaiting();
      child.kill();
      reject(error);
    };
    const timer = setTimeout(
      () => fail(new Error(`the bench server process was not ready within ${READY_TIMEOUT_MS} ms`)),
      READY_TIMEOUT_MS,
    );
    const onMessage = (message: ServerMessage) => {
      if (message.type === "ready") {
        stopWaiting();
        resolve({ grpcUrl: message.grpcUrl, httpUrl: message.httpUrl, pid: message.pid });
      }
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
      fail(
        new Error(`the bench server process exited (${describeExit(code, signal)}) before ready`),
      );
    const stopWaiting = () => {
      clearTimeout(timer);
      child.off("message", onMessage).off("exit", onExit).off("error", fail);
    };
    child.on("message", onMessage).on("exit", onExit).on("error", fail);
  });
}

/** The server in this process, behind the same handle as the child process's. */
export async function startBenchServerInProcess(): Promise<BenchServerHandle> {
  const server = await startBenchServer();
  return {
    grpcUrl: server.grpcUrl,
    httpUrl: server.httpUrl,
    pid: process.pid,
    setSupportBundleBytes: async (bytes) => {
      server.supportBundleBytes = bytes;
    },
    putMachines: async (count) => putMachines(server.store, count),
    close: () => server.close(),
  };
}

export async function startBenchServerProcess(): Promise<BenchServerHandle> {
  const child = fork(viteNode, [serverProcessEntry]);
  const ready = await waitForReady(child);

  const pending = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  let nextId = 0;
  child.on("message", (message: ServerMessage) => {
    if (message.type !== "reply") {
      return;
    }
    const request = pending.get(message.id);
    pending.delete(message.id);
    if (message.error === undefined) {
      request?.resolve();
    } else {
      request?.reject(new Error(`the bench server process failed: ${message.error}`));
    }
  });
  // "close", unlike "exit", comes after the last message, so no reply is still on its way.
  child.on("close", (code: number | null, signal: NodeJS.Signals | null) => {
    for (const request of pending.values()) {
      request.reject(
        new Error(`the bench server process exited (${describeExit(code, signal)}) mid-request`),
      );
    }
    pending.clear();
  });
  const ask = (command: ServerCommand) =>
    new Promise<void>((resolve, reject) => {
      const request: ServerRequest = { id: nextId++, command };
      pending.set(request.id, { resolve, reject });
      child.send(request, (error) => {
        if (error) {
          pending.delete(request.id);
          reject(error);
        }
      });
    });

  return {
    ...ready,
    setSupportBundleBytes: (bytes) => ask({ type: "setSupportBundleBytes", bytes }),
    putMachines: (count) => ask({ type: "putMachines", count }),
    close: async () => {
      // Exited already (it crashed): the error that reported the crash is the one to keep.
      if (child.exitCode !== null || child.signalCode !== null) {
        return;
      }
      const closed = once(child, "close");
      const killTimer = setTimeout(() => child.kill("SIGKILL"), EXIT_TIMEOUT_MS);
      try {
        await Promise.all([ask({ type: "close" }), closed]);
      } finally {
        clearTimeout(killTimer);
      }
    },
  };
}
