import type { TestProject } from "vitest/node";
import {
  buildInteropBinaries,
  type InteropBinaries,
} from "../../scripts/real-omni/interop-tools.js";

declare module "vitest" {
  export interface ProvidedContext {
    interopBinaries: InteropBinaries;
  }
}

export async function setup(project: TestProject): Promise<void> {
  process.stderr.write("interop: building omnictl and the emulator client (go build)\n");
  project.provide("interopBinaries", await buildInteropBinaries());
}
