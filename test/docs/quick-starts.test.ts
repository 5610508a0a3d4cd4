// The README's runnable examples, taken from README.md as they are written and run against the
// emulator: if the README changes into something that no longer runs, these tests fail.
//
// Each example is a ```ts block found under its heading. Its package imports are pointed at
// src/, and a `declare const name: Type;` line (a fragment's stand-in for something the reader
// already has) becomes a constant the test hands in. Nothing else in the code is changed. What the
// example prints with console.log is collected and checked.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { format } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { type OmniEmulator, startOmniEmulator } from "../../src/emulator/index.js";
import { Clusters, MachineStatuses, type OmniClient, rawResourceType } from "../../src/index.js";
import { createOmniClientFromEnv } from "../../src/node.js";

const root = resolve(import.meta.dirname, "../..");

/** The package's entries, as a consumer imports them, and the source files they are built from. */
const entries: Record<string, string> = {
  "sidero-omni-client": "src/index.ts",
  "sidero-omni-client/management": "src/management/calls.ts",
  "sidero-omni-client/resources": "src/resources/calls.ts",
  "sidero-omni-client/node": "src/node.ts",
  "sidero-omni-client/emulator": "src/emulator/index.ts",
};

/** The first ```ts block after the heading line `heading`, before the next heading of its level or higher. */
async function readmeBlock(heading: string): Promise<string> {
  const text = await readFile(join(root, "README.md"), "utf8");
  const lines = text.split("\n");
  const start = lines.indexOf(heading);
  if (start === -1) {
    throw new Error(`README.md has no heading "${heading}"`);
  }
  const level = heading.indexOf(" ");
  const section: string[] = [];
  for (const line of lines.slice(start + 1)) {
    const match = /^(#+) /.exec(line);
    if (match?.[1] && match[1].length <= level) {
      break;
    }
    section.push(line);
  }
  const block = /^```ts\n([\s\S]*?)^```$/m.exec(section.join("\n"));
  if (!block?.[1]) {
    throw new Error(`README.md has no ts block under "${heading}"`);
  }
  return block[1];
}

let scratch: string;
let runs = 0;

/**
 * Runs an example as a module and resolves to what it printed. `values` stand in for the
 * block's `declare const` lines, which must all be given.
 */
async function run(code: string, values: Record<string, unknown> = {}): Promise<string[]> {
  let source = code.replace(/from "(sidero-omni-client(?:\/[a-z]+)?)"/g, (whole, name: string) => {
    const file = entries[name];
    if (!file) {
      throw new Error(`unknown entry ${name} in ${whole}`);
    }
    return `from ${JSON.stringify(join(root, file))}`;
  });
  const declared = new Set<string>();
  source = source.replace(/^declare const (\w+): ([^;]+);/gm, (_, name: string, type: string) => {
    declared.add(name);
    return `const ${name}: ${type} = (globalThis as any).__readmeValues.${name};`;
  });
  expect([...declared].sort()).toEqual(Object.keys(values).sort());
  (globalThis as Record<string, unknown>).__readmeValues = values;

  const printed: string[] = [];
  vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => {
    printed.push(format(...args));
  });
  runs += 1;
  const file = join(scratch, `example-${runs}.ts`);
  await writeFile(file, source);
  await import(/* @vite-ignore */ file);
  return printed;
}

let emulator: OmniEmulator;
let admin: OmniClient;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "readme-examples-"));
  emulator = await startOmniEmulator({ seed: 7, timings: { followLogIntervalMs: 50 } });
  admin = createOmniClientFromEnv({
    env: { OMNI_ENDPOINT: emulator.url, OMNI_SERVICE_ACCOUNT_KEY: emulator.keys.admin },
  });
});

afterAll(async () => {
  await emulator?.close();
  await rm(scratch, { recursive: true, force: true });
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  delete (globalThis as Record<string, unknown>).__readmeValues;
});

/** The environment the README tells a Node user to set, pointed at the emulator. */
function stubOmniEnvironment(): void {
  vi.stubEnv("OMNI_ENDPOINT", emulator.url);
  vi.stubEnv("OMNI_SERVICE_ACCOUNT_KEY", emulator.keys.admin);
  vi.stubEnv("SIDERO_SERVICE_ACCOUNT_KEY", undefined);
}

const JoinTokens = rawResourceType("JoinTokens.omni.sidero.dev");

describe("README examples against the emulator", () => {
  it("Quick start: Node lists the clusters, reads the first one's kubeconfig and ten log lines", async () => {
    stubOmniEnvironment();
    const clusters = await admin.resources.listAll(Clusters);
    expect(clusters.length).toBeGreaterThan(0);

    const printed = await run(await readmeBlock("## Quick start: Node"));

    const listed = clusters.map(
      (cluster) => `${cluster.metadata.id} ${cluster.spec.kubernetesVersion}`,
    );
    expect(printed.slice(0, clusters.length)).toEqual(listed);
    // The kubeconfig is the first cluster's. Omni makes one for any name, known or not, with the
    // name inside, so its size tells whose it is.
    const first = clusters[0]?.metadata.id ?? "";
    const expected = await admin.management.kubeconfig({ cluster: first });
    expect(expected.length).toBeGreaterThan(0);
    expect(printed[clusters.length]).toBe(`kubeconfig of ${first}: ${expected.length} bytes`);
    const logLines = printed.slice(clusters.length + 1);
    expect(logLines).toHaveLength(10);
    expect(logLines.every((line) => line.trim() !== "")).toBe(true);
    // The log is the first connected machine's, as the example picks it.
    const machine = (await admin.resources.listAll(MachineStatuses)).find((m) => m.spec.connected);
    const tail: string[] = [];
    for await (const line of admin.management.machineLogLines({
      machineId: machine?.metadata.id ?? "",
      tailLines: 10,
    })) {
      tail.push(line);
    }
    // The emulator stamps each line with the time it is read; the rest is the same.
    const untimed = (line: string) => line.replace(/"talos-time":"[^"]*"/, "");
    expect(logLines.map(untimed)).toEqual(tail.map(untimed));
  });

  it("Join tokens: create, list, use for a join config and remove", async () => {
    stubOmniEnvironment();
    const before = await admin.resources.listAll(JoinTokens);

    const printed = await run(await readmeBlock("### Join tokens"));

    // The names of every token, the new one among them, and never a token's value.
    const names = printed.slice(0, before.length + 1);
    expect(names).toContain("rack-7");
    expect(names.filter((name) => name === "rack-7")).toHaveLength(1);
    for (const stored of before) {
      expect(printed.join("\n")).not.toContain(stored.metadata.id);
    }
    expect(printed[before.length + 1]).toMatch(/^3 kernel args, config \(\d+ characters\)$/);
    expect(printed).toHaveLength(before.length + 2);

    // Removed again: the tokens are those there were before.
    const after = await admin.resources.listAll(JoinTokens);
    expect(after.map((token) => token.metadata.id).sort()).toEqual(
      before.map((token) => token.metadata.id).sort(),
    );
  });

  it("Streams: a followed log stopped by our own signal ends without an error", async () => {
    const machine = (await admin.resources.listAll(MachineStatuses)).find((m) => m.spec.connected);
    expect(machine).toBeDefined();
    const started = Date.now();

    const printed = await run(await readmeBlock("### Streams"), {
      omni: admin,
      machineId: machine?.metadata.id,
    });

    // A followed log never ends by itself: the example's timer and its catch ended it.
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_900);
    expect(printed.length).toBeGreaterThan(0);
  });

  it("The emulator: starts one, lists its clusters over native gRPC and closes it", async () => {
    const printed = await run(await readmeBlock("## The emulator"));

    expect(printed).toHaveLength(1);
    const seeded = await startOmniEmulator({ seed: 1, simulation: false });
    try {
      const client = createOmniClientFromEnv({
        env: { OMNI_ENDPOINT: seeded.url, OMNI_SERVICE_ACCOUNT_KEY: seeded.keys.admin },
      });
      const ids = (await client.resources.listAll(Clusters)).map((cluster) => cluster.metadata.id);
      expect(ids).toHaveLength(3);
      expect(printed[0]).toBe(format(ids));
    } finally {
      await seeded.close();
    }
  });
});
