import { readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { build, type Plugin } from "esbuild";
import { describe, expect, it } from "vitest";

const nodeBuiltins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

/** Records every import of a Node built-in instead of letting esbuild fail on the first one. */
function recordNodeImports(found: string[]): Plugin {
  return {
    name: "record-node-imports",
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /.*/ }, (args) => {
        if (nodeBuiltins.has(args.path) || args.path.startsWith("node:")) {
          found.push(`${args.path} (imported by ${args.importer})`);
          return { path: args.path, external: true };
        }
        return undefined;
      });
    },
  };
}

async function bundleForBrowser(entry: string) {
  const nodeImports: string[] = [];
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: "esm",
    platform: "browser",
    splitting: true,
    outdir: "/virtual-out",
    minify: true,
    metafile: true,
    logLevel: "silent",
    plugins: [recordNodeImports(nodeImports)],
  });
  return { result, nodeImports };
}

/**
 * References to Node globals a browser does not have, in our own sources that the bundle
 * reached (generated code only declares messages). Comments and string literals are blanked first so prose does not count. Libraries are
 * judged by their imports only: protobuf-es, for one, reads `process.env` behind a typeof guard.
 */
function nodeGlobalsInOwnSources(inputs: string[]): string[] {
  const found: string[] = [];
  const ownSources = inputs.filter(
    (path) => path.startsWith("src/") && !path.startsWith("src/gen/"),
  );
  for (const input of ownSources) {
    const code = readFileSync(input, "utf8")
      .replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, "")
      .replace(/(["'`])(?:\\.|(?!\1)[^\\\n])*\1/g, '""');
    for (const match of code.matchAll(/(?<![.\w$])(Buffer|process)\b/g)) {
      found.push(`${match[1]} in ${input}`);
    }
  }
  return found;
}

describe("the browser entry", () => {
  it("bundles for the browser without Node built-ins, Buffer or process", async () => {
    const { result, nodeImports } = await bundleForBrowser("src/index.ts");
    expect(result.errors).toEqual([]);
    expect(nodeImports).toEqual([]);
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((path) => path.startsWith("src/client.ts"))).toBe(true);
    expect(nodeGlobalsInOwnSources(inputs)).toEqual([]);
  });

  it("gives an app one file to load up front, with openpgp.js and YAML loaded on demand", async () => {
    const { result } = await bundleForBrowser("src/index.ts");
    const outputs = Object.values(result.metafile.outputs);
    const entry = outputs.find((output) => output.entryPoint === "src/index.ts");
    // A shared chunk (esbuild's namespace helper, for one) would be a second request on every page.
    expect(entry?.imports.filter((imported) => imported.kind === "import-statement")).toEqual([]);
    const lazyInputs = outputs
      .filter((output) => output !== entry)
      .flatMap((output) => Object.keys(output.inputs));
    expect(lazyInputs).toContainEqual(expect.stringContaining("node_modules/openpgp/"));
    expect(lazyInputs).toContainEqual(expect.stringContaining("node_modules/yaml/"));
    expect(Object.keys(entry?.inputs ?? {}).filter((input) => /openpgp|yaml/.test(input))).toEqual(
      [],
    );
  });

  it("detects a Node built-in and Node globals when they are reached", async () => {
    const { result, nodeImports } = await bundleForBrowser("src/node.ts");
    expect(nodeImports.length).toBeGreaterThan(0);
    expect(nodeGlobalsInOwnSources(Object.keys(result.metafile.inputs))).toContainEqual(
      expect.stringMatching(/^process in src\/node\//),
    );
  });
});

describe("the call-function entries", () => {
  it.each(["src/resources/calls.ts", "src/management/calls.ts"])(
    "%s bundles for the browser without Node built-ins, Buffer or process",
    async (entry) => {
      const { result, nodeImports } = await bundleForBrowser(entry);
      expect(result.errors).toEqual([]);
      expect(nodeImports).toEqual([]);
      expect(nodeGlobalsInOwnSources(Object.keys(result.metafile.inputs))).toEqual([]);
    },
  );

  it("leave the calls an app does not make out of its bundle", async () => {
    const app = `
      import { createOmniTransport } from "./src/omni-transport.ts";
      import { listAll } from "./src/resources/calls.ts";
      import { kubeconfig } from "./src/management/calls.ts";
      import { Clusters } from "./src/resources/registry.ts";
      const transport = createOmniTransport({ transport: globalThis.omniTransport });
      console.log(await listAll(transport, Clusters), await kubeconfig(transport, { cluster: "c" }));
    `;
    const result = await build({
      stdin: { contents: app, resolveDir: process.cwd(), loader: "ts" },
      bundle: true,
      write: false,
      format: "esm",
      platform: "browser",
      minify: true,
      metafile: true,
      logLevel: "silent",
    });
    const used = new Set(
      Object.values(result.metafile.outputs).flatMap((output) =>
        Object.entries(output.inputs)
          .filter(([, input]) => input.bytesInOutput > 0)
          .map(([path]) => path),
      ),
    );
    expect(used).toContain("src/resources/api.ts");
    expect(used).toContain("src/management/calls.ts");
    // Only writes check specs and write rules; only other management calls parse audit logs.
    for (const unused of [
      "src/resources/spec-check.ts",
      "src/resources/write-rules.ts",
      "src/management/audit-log.ts",
      "src/management/support-bundle.ts",
      "src/management/management-api.ts",
      "src/auth/login.ts",
      // The SDK calls the transport itself; Connect's generated client builds every method of a
      // service, and its single-request iterable brings a down-levelled async generator.
      "node_modules/@connectrpc/connect/dist/esm/promise-client.js",
      "node_modules/@connectrpc/connect/dist/esm/protocol/async-iterable.js",
    ]) {
      expect(used, unused).not.toContain(unused);
    }
    const code = result.outputFiles.map((file) => file.text).join("\n");
    expect(code).not.toContain("is required with raw or breakGlass");
  });
});
