/**
 * Entry of the bench server's child process, forked by bench/server-client.ts: starts
 * bench/server.ts, reports its URLs, then runs the parent's commands. Omni is a separate process
 * too; here the server's CPU work and garbage collection stay off the measured thread.
 */
import { putMachines } from "./fleet.js";
import { startBenchServer } from "./server.js";
import type { ServerCommand, ServerMessage, ServerRequest } from "./server-protocol.js";

const sendToParent = process.send?.bind(process);
if (!sendToParent) {
  throw new Error(
    "bench/server-process.ts runs forked by bench/server-client.ts, with an IPC channel",
  );
}
const send = (message: ServerMessage, sent?: () => void) =>
  sendToParent(message, undefined, undefined, sent);

// The parent closed the channel without "close", or crashed: nobody will call this server again.
process.on("disconnect", () => process.exit(0));

const server = await startBenchServer();

async function run(command: ServerCommand): Promise<void> {
  switch (command.type) {
    case "setSupportBundleBytes":
      server.supportBundleBytes = command.bytes;
      return;
    case "putMachines":
      putMachines(server.store, command.count);
      return;
    case "close":
      await server.close();
      return;
  }
}

process.on("message", async ({ id, command }: ServerRequest) => {
  let error: string | undefined;
  try {
    await run(command);
  } catch (cause) {
    error = cause instanceof Error ? (cause.stack ?? cause.message) : String(cause);
  }
  // After "close" the server is gone, or half gone if closing failed: exit once the reply is out.
  const exit = command.type === "close" ? () => process.exit(error ? 1 : 0) : undefined;
  send({ type: "reply", id, error }, exit);
});

send({ type: "ready", grpcUrl: server.grpcUrl, httpUrl: server.httpUrl, pid: process.pid });
