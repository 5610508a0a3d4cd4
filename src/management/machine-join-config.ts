import type { GetMachineJoinConfigResponse } from "../gen/omni/management/management_pb.js";
import { defineSecret, redacted } from "./secret-property.js";

/**
 * What a machine needs to join Omni: kernel arguments (for ISO / PXE boots) and a machine config
 * document (for machines that are configured instead). Both embed the join token, so they are
 * readable here but never appear in `JSON.stringify` or `toString()`.
 */
export class MachineJoinConfig {
  declare readonly kernelArgs: readonly string[];
  declare readonly config: string;

  constructor(kernelArgs: readonly string[], config: string) {
    Object.defineProperty(this, "kernelArgs", {
      value: Object.freeze([...kernelArgs]),
      enumerable: false,
    });
    defineSecret(this, "config", config);
  }

  static fromResponse(response: GetMachineJoinConfigResponse): MachineJoinConfig {
    return new MachineJoinConfig(response.kernelArgs, response.config);
  }

  get hasKernelArgs(): boolean {
    return this.kernelArgs.length > 0;
  }

  get hasConfig(): boolean {
    return this.config.trim() !== "";
  }

  /** Kernel arguments plus the config document, when there is one. */
  get totalItems(): number {
    return this.kernelArgs.length + (this.hasConfig ? 1 : 0);
  }

  /** The kernel arguments as one command-line string, ready for a boot loader. */
  kernelArgsString(): string {
    return this.kernelArgs.join(" ");
  }

  /** A description without any secret, e.g. `3 kernel args, config (1204 characters)`. */
  summary(): string {
    const args = `${this.kernelArgs.length} kernel arg${this.kernelArgs.length === 1 ? "" : "s"}`;
    const config = this.hasConfig ? `config (${this.config.length} characters)` : "no config";
    return `${args}, ${config}`;
  }

  toString(): string {
    return `MachineJoinConfig(${this.summary()})`;
  }

  toJSON(): Record<string, unknown> {
    return {
      kernelArgs: this.kernelArgs.map(() => redacted),
      config: this.hasConfig ? redacted : "",
    };
  }
}
