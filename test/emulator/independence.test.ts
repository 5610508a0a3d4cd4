import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/**
 * The emulator is the oracle of most tests, so it must not share the SDK's client code: a bug in
 * the SDK's resource descriptors, write rules, validation, signers or transports would otherwise
 * be agreed with by the server it is tested against (DESIGN.md, "Layout"). It may import its own
 * files, the generated descriptors and third-party packages; facts both sides need live in data
 * each reads (such as the generated resource definitions under src/emulator).
 */
const src = resolve(dirname(fileURLToPath(import.meta.url)), "../../src");
const emulatorDir = join(src, "emulator");
const allowedDirs = [emulatorDir, join(src, "gen")];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      return sourceFiles(path);
    }
    return /\.(c|m)?tsx?$/.test(entry.name) ? [path] : [];
  });
}

/**
 * Every module a file names: static imports and re-exports (type-only ones too), dynamic
 * `import()` and `require()`, as the TypeScript compiler finds them.
 */
function importsOf(text: string): string[] {
  return ts.preProcessFile(text, true, true).importedFiles.map((file) => file.fileName);
}

const insidePackage = (specifier: string) =>
  specifier === "sidero-omni-client" || specifier.startsWith("sidero-omni-client/");

/** The imports of `file` (with text `text`) that reach outside the emulator and src/gen. */
function clientImports(file: string, text: string): string[] {
  return importsOf(text).filter((specifier) => {
    if (insidePackage(specifier) || specifier.startsWith("/")) {
      return true;
    }
    if (!specifier.startsWith(".")) {
      return false; // a third-party package or a Node built-in
    }
    const target = resolve(dirname(file), specifier);
    return !allowedDirs.some((dir) => target.startsWith(dir + sep));
  });
}

describe("the emulator is independent of the SDK's client side", () => {
  const files = sourceFiles(emulatorDir);

  it("finds the emulator's sources", () => {
    expect(files.length).toBeGreaterThan(40);
  });

  it("imports only its own code, src/gen and third-party packages", () => {
    const offending = files.flatMap((file) =>
      clientImports(file, readFileSync(file, "utf8")).map(
        (specifier) => `${relative(src, file)}: ${specifier}`,
      ),
    );
    expect(offending).toEqual([]);
  });

  it("catches every form of import that would reach the client side", () => {
    const file = join(emulatorDir, "cosi", "example.ts");
    const text = [
      'import { Clusters } from "../../resources/registry.js";',
      'import type { ResourcePhase } from "../../resources/types.js";',
      'export { ValidationError } from "../../errors.js";',
      'const signer = await import("../../auth/signer.js");',
      'import { createOmniClient } from "sidero-omni-client";',
      'import { specTypes } from "./resource-types.js";',
      'import { SpecSchema } from "../../gen/v1alpha1/resource_pb.js";',
      'import { Code } from "@connectrpc/connect";',
      'import { readFile } from "node:fs/promises";',
    ].join("\n");
    expect(clientImports(file, text)).toEqual([
      "../../resources/registry.js",
      "../../resources/types.js",
      "../../errors.js",
      "../../auth/signer.js",
      "sidero-omni-client",
    ]);
  });
});
