import { CanceledError, type OmniClient } from "./sdk.js";

/** Lines kept on screen; the stream itself can run for hours. */
const maxLines = 500;

/**
 * Follows one machine's log. Opening another machine, or `stop()`, aborts the stream, which
 * closes the HTTP request so that Omni stops sending.
 */
export class LogViewer {
  #abort: AbortController | undefined;

  constructor(
    private readonly output: HTMLPreElement,
    private readonly onStatus: (message: string | undefined) => void,
  ) {}

  follow(client: OmniClient, machineId: string): void {
    this.stop();
    const abort = new AbortController();
    this.#abort = abort;
    this.output.textContent = "";
    void this.#read(client, machineId, abort.signal);
  }

  stop(): void {
    this.#abort?.abort();
    this.#abort = undefined;
  }

  async #read(client: OmniClient, machineId: string, signal: AbortSignal): Promise<void> {
    const lines: string[] = [];
    try {
      for await (const line of client.management.machineLogLines(
        { machineId, follow: true, tailLines: 50 },
        { signal },
      )) {
        lines.push(line);
        if (lines.length > maxLines) {
          lines.splice(0, lines.length - maxLines);
        }
        const atBottom =
          this.output.scrollTop + this.output.clientHeight >= this.output.scrollHeight - 4;
        this.output.textContent = `${lines.join("\n")}\n`;
        if (atBottom) {
          this.output.scrollTop = this.output.scrollHeight;
        }
      }
    } catch (error) {
      if (!(signal.aborted || error instanceof CanceledError)) {
        this.onStatus(
          `logs of ${machineId}: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
  }
}
