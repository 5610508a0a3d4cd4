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

/** Free references to Node globals that a browser does not have. */
function nodeGlobalsIn(code: string): string[] {
  const found = new Set<string>();
  for (const match of code.matchAll(/(?<![.\w$])(Buffer|process)(?=\s*[.[(])/g)) {
    found.add(match[1] ?? "");
  }
  return [...found];
}

describe("the browser entry", () => {
  it("bundles for the browser without Node built-ins, Buffer or process", async () => {
    const { result, nodeImports } = await bundleForBrowser("src/index.ts");
    expect(result.errors).toEqual([]);
    expect(nodeImports).toEqual([]);
    const code = result.outputFiles.map((file) => file.text).join("\n");
    expect(nodeGlobalsIn(code)).toEqual([]);
  });

  it("detects a Node built-in when one is reached", async () => {
    const { nodeImports } = await bundleForBrowser("src/node.ts");
    expect(nodeImports.length).toBeGreaterThan(0);
  });
});
