import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { HarnessError } from "./harness-error.js";

interface LineWatcher {
  pattern: RegExp;
  found(match: RegExpMatchArray): void;
}

/** A child process whose output goes to a log file, and whose last lines explain a failure. */
export class ManagedProcess {
  private readonly recent: string[] = [];
  private readonly watchers = new Set<LineWatcher>();
  private partialLine = "";
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
    const read = (chunk: Buffer) => {
      log.write(chunk);
      managed.receive(chunk.toString());
    };
    child.stdout?.on("data", read);
    child.stderr?.on("data", read);
    child.on("close", () => log.end());
    child.on("error", (error) => managed.recent.push(`cannot start ${command}: ${error.message}`));
    return managed;
  }

  private receive(text: string): void {
    const lines = (this.partialLine + text).split("\n");
    this.partialLine = lines.pop() ?? "";
    for (const line of lines) {
      if (line.trim() === "") {
        continue;
      }
      this.recent.push(line);
      for (const watcher of this.watchers) {
        const match = line.match(watcher.pattern);
        if (match) {
          this.watchers.delete(watcher);
          watcher.found(match);
        }
      }
    }
    this.recent.splice(0, Math.max(0, this.recent.length - 40));
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  /** The last lines the process printed, for an error message. */
  tail(lines = 15): string {
    return this.recent.slice(-lines).join("\n");
  }

  /**
   * Resolves with the first line printed from now on (or among the last few kept) that matches,
   * or fails when the process ends first or the time runs out.
   */
  async waitForLine(step: string, pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
    for (const line of this.recent) {
      const match = line.match(pattern);
      if (match) {
        return match;
      }
    }
    let watcher: LineWatcher | undefined;
    let timer: NodeJS.Timeout | undefined;
    const found = new Promise<RegExpMatchArray>((resolve) => {
      watcher = { pattern, found: resolve };
      this.watchers.add(watcher);
    });
    const timedOut = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), timeoutMs);
    });
    const outcome = await Promise.race([
      found,
      this.exited.then(() => "exited" as const),
      timedOut,
    ]);
    clearTimeout(timer);
    if (watcher) {
      this.watchers.delete(watcher);
    }
    if (outcome === "exited") {
      throw this.failure(step, `${this.name} exited with ${this.exitCode}`);
    }
    if (outcome === "timeout") {
      throw this.failure(
        step,
        `${this.name} printed nothing matching ${pattern} in ${timeoutMs} ms`,
      );
    }
    return outcome;
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
