import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { HarnessError } from "./harness-error.js";

/** A child process whose output goes to a log file, and whose last lines explain a failure. */
export class ManagedProcess {
  private readonly recent: string[] = [];
  private exitCode: number | null | undefined;
  readonly exited: Promise<void>;

  private constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    this.exited = once(child, "close").then(([code]) => {
      this.exitCode = code as number | null;
    });
  }

  static start(
    name: string,
    command: string,
    args: string[],
    options: { cwd: string; logFile: string; env?: NodeJS.ProcessEnv },
  ): ManagedProcess {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const managed = new ManagedProcess(name, child);
    const log = createWriteStream(options.logFile);
    const keep = (chunk: Buffer) => {
      log.write(chunk);
      for (const line of chunk.toString().split("\n")) {
        if (line.trim() !== "") {
          managed.recent.push(line);
        }
      }
      managed.recent.splice(0, Math.max(0, managed.recent.length - 40));
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    child.on("close", () => log.end());
    child.on("error", (error) => managed.recent.push(`cannot start ${command}: ${error.message}`));
    return managed;
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  /** The last lines the process printed, for an error message. */
  tail(lines = 15): string {
    return this.recent.slice(-lines).join("\n");
  }

  /** Resolves with the first printed line that matches, or fails when the process ends first. */
  async waitForLine(step: string, pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      for (const line of this.recent) {
        const match = line.match(pattern);
        if (match) {
          return match;
        }
      }
      if (!this.running) {
        throw this.failure(step, `${this.name} exited with ${this.exitCode}`);
      }
      await new Promise((wake) => setTimeout(wake, 50));
    }
    throw this.failure(step, `${this.name} printed nothing matching ${pattern} in ${timeoutMs} ms`);
  }

  failure(step: string, reason: string): HarnessError {
    const tail = this.tail();
    return new HarnessError(step, tail === "" ? reason : `${reason}; its last lines:\n${tail}`);
  }

  /** SIGTERM, then SIGKILL if it is still there after `graceMs`. */
  async stop(graceMs = 15_000): Promise<void> {
    if (!this.running) {
      return;
    }
    this.child.kill("SIGTERM");
    const killed = new Promise<"timeout">((wake) =>
      setTimeout(() => wake("timeout"), graceMs).unref(),
    );
    if ((await Promise.race([this.exited, killed])) === "timeout") {
      this.child.kill("SIGKILL");
      await this.exited;
    }
  }
}
