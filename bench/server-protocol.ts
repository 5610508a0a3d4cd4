/**
 * The messages between the benchmarks and the bench server's child process
 * (bench/server-client.ts and bench/server-process.ts), over Node's IPC channel.
 */

/** What the parent asks of the server; the state the benchmarks change between runs. */
export type ServerCommand =
  | { readonly type: "setSupportBundleBytes"; readonly bytes: number }
  | { readonly type: "putMachines"; readonly count: number }
  | { readonly type: "close" };

export interface ServerRequest {
  readonly id: number;
  readonly command: ServerCommand;
}

/** "ready" once the server listens; then one "reply" per request, once it is done. */
export type ServerMessage =
  | {
      readonly type: "ready";
      readonly grpcUrl: string;
      readonly httpUrl: string;
      readonly pid: number;
    }
  | { readonly type: "reply"; readonly id: number; readonly error?: string };
