/**
 * Bundle size: three tiny browser apps (bench/apps) built with esbuild (bundle, minify, browser,
 * code splitting as a real app build does), gzip-compressed. Only what the page loads up front
 * counts: the entry and the chunks it imports statically; dynamic imports load on demand.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build, type Metafile } from "esbuild";

const appsDir = fileURLToPath(new URL("./apps/", import.meta.url));

interface AppBundle {
  /** gzip bytes of the entry and every chunk it imports statically. */
  readonly initialGzipBytes: number;
  /** Whether any of those contain openpgp.js. */
  readonly initialHasOpenPgp: boolean;
}

function initialOutputs(metafile: Metafile, entry: string): string[] {
  const seen = new Set<string>();
  const visit = (output: string) => {
    if (seen.has(output)) {
      return;
    }
    seen.add(output);
    for (const imported of metafile.outputs[output]?.imports ?? []) {
      if (imported.kind === "import-statement" && !imported.external) {
        visit(imported.path);
      }
    }
  };
  visit(entry);
  return [...seen];
}

async function buildApp(name: string): Promise<AppBundle> {
  const outdir = await mkdtemp(join(tmpdir(), "omni-bench-bundle-"));
  try {
    const result = await build({
      entryPoints: [join(appsDir, `${name}.ts`)],
      bundle: true,
      minify: true,
      splitting: true,
      format: "esm",
      platform: "browser",
      target: "es2022",
      outdir,
      metafile: true,
      write: false,
      logLevel: "silent",
    });
    const { metafile } = result;
    const entry = Object.keys(metafile.outputs).find(
      (output) => metafile.outputs[output]?.entryPoint !== undefined,
    );
    if (!entry) {
      throw new Error(`esbuild produced no entry for ${name}`);
    }
    const initial = initialOutputs(metafile, entry);
    const contents = new Map(
      result.outputFiles.map((file) => [relative(process.cwd(), file.path), file.contents]),
    );
    let initialGzipBytes = 0;
    for (const output of initial) {
      const bytes = contents.get(output);
      if (!bytes) {
        throw new Error(`missing output ${output}`);
      }
      initialGzipBytes += gzipSync(bytes, { level: 9 }).length;
    }
    const initialHasOpenPgp = initial.some((output) =>
      Object.keys(metafile.outputs[output]?.inputs ?? {}).some((input) =>
        input.includes("node_modules/openpgp/"),
      ),
    );
    return { initialGzipBytes, initialHasOpenPgp };
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
}

export async function measureBundles(): Promise<{
  sdk: AppBundle;
  sdkCalls: AppBundle;
  bare: AppBundle;
}> {
  const [sdk, sdkCalls, bare] = await Promise.all([
    buildApp("sdk-ecdsa"),
    buildApp("sdk-ecdsa-calls"),
    buildApp("bare"),
  ]);
  return { sdk, sdkCalls, bare };
}
