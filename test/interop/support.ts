import { execFile } from "node:child_process";
import { type DescMessage, fromBinary, type MessageShape } from "@bufbuild/protobuf";
import { inject } from "vitest";
import type { CosiStore } from "../../src/emulator/cosi/index.js";
import type { Resource } from "../../src/gen/v1alpha1/resource_pb.js";

/** The Go binaries the global setup built. */
export const binaries = () => inject("interopBinaries");

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a binary to its end; never rejects on a non-zero exit, which the tests assert. */
export function run(
  file: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; cwd?: string } = {},
): Promise<RunResult> {
  return new Promise((done, fail) => {
    execFile(
      file,
      args,
      {
        env: options.env ?? process.env,
        cwd: options.cwd,
        timeout: options.timeoutMs ?? 60_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== "number") {
          fail(new Error(`${file} ${args.join(" ")}: ${error.message}\n${stderr}`));
          return;
        }
        done({ code: typeof error?.code === "number" ? error.code : 0, stdout, stderr });
      },
    );
  });
}

/** Decodes the typed spec of a stored resource, for comparing what a Go tool printed. */
export function specOf<Desc extends DescMessage>(
  schema: Desc,
  resource: Resource | undefined,
): MessageShape<Desc> {
  return fromBinary(schema, resource?.spec?.protoSpec ?? new Uint8Array());
}

/** IDs of one kind in the emulator's store, in COSI's (ID) order. */
export function storedIds(store: CosiStore, type: string, namespace = "default"): string[] {
  return store.list(namespace, type).map((resource) => resource.metadata?.id ?? "");
}
