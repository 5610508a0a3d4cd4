import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

const authIndex = fileURLToPath(new URL("../../src/auth/index.ts", import.meta.url));

async function browserBundle(exports: string): Promise<string> {
  const result = await build({
    stdin: {
      contents: `export { ${exports} } from ${JSON.stringify(authIndex)};`,
      resolveDir: process.cwd(),
      loader: "ts",
    },
    bundle: true,
    write: false,
    format: "esm",
    platform: "browser",
    logLevel: "silent",
  });
  return result.outputFiles.map((file) => file.text).join("\n");
}

// openpgp.js writes its name and version into the armor comments it produces.
const openpgpMarker = /OpenPGP\.js v\d/;

describe("browser bundles", () => {
  it("leave openpgp.js out of an ECDSA-only app, login flow included", async () => {
    const code = await browserBundle(
      "ecdsaAuth, generateEcdsaKey, createSigningInterceptor, createAuthApi, buildSignaturePayload",
    );
    expect(code).not.toMatch(openpgpMarker);
    expect(code).toContain("siderov1");
  });

  it("bring openpgp.js in once a PGP key is used", async () => {
    expect(await browserBundle("pgpAuth")).toMatch(openpgpMarker);
    expect(await browserBundle("serviceAccountAuth")).toMatch(openpgpMarker);
  });

  it("need no Node built-ins", async () => {
    const code = await browserBundle("serviceAccountAuth, pgpAuth, ecdsaAuth, createAuthApi");
    expect(code).not.toMatch(/from\s*["']node:|require\(["']node:/);
  });
});
