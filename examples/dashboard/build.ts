import { copyFile, mkdir, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));

/** Where `npm run demo` and the e2e tests serve the dashboard from (git-ignored). */
export const dashboardDist = join(here, "dist");

/**
 * Bundles the dashboard for browsers: ESM with code splitting, so openpgp.js stays in its own
 * chunk and is fetched only when a service-account key is used.
 */
export async function buildDashboard(outdir: string = dashboardDist): Promise<string> {
  await rm(outdir, { recursive: true, force: true });
  await mkdir(outdir, { recursive: true });
  await build({
    entryPoints: { main: join(here, "src/main.ts") },
    outdir,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: true,
    sourcemap: true,
    logLevel: "warning",
  });
  await Promise.all(
    ["index.html", "styles.css"].map((file) => copyFile(join(here, file), join(outdir, file))),
  );
  return outdir;
}
