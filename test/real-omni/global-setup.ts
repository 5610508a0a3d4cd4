import type { TestProject } from "vitest/node";
import { type RealOmniFacts, useRealOmni } from "../../scripts/real-omni/facts.js";

declare module "vitest" {
  export interface ProvidedContext {
    realOmni: RealOmniFacts;
  }
}

let stopOmni: (() => Promise<void>) | undefined;

export async function setup(project: TestProject): Promise<void> {
  const omni = await useRealOmni({
    onStep: (step) => process.stderr.write(`real Omni: ${step}\n`),
  });
  stopOmni = omni.stop;
  project.provide("realOmni", omni.facts);
}

export async function teardown(): Promise<void> {
  await stopOmni?.();
}
