import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { type OmniEmulator, startOmniEmulator } from "../../src/emulator/index.js";
import { PermissionDeniedError, ValidationError } from "../../src/errors.js";
import { createOmniClientFromOmniconfig } from "../../src/node/clients.js";
import { loadOmniconfig } from "../../src/node/omniconfig.js";
import { Clusters } from "../../src/resources/registry.js";

let emulator: OmniEmulator;
let root: string;
let home: string;
// Where the SDK would look when a test forgets `homeDir`: an empty home, never the user's.
let elsewhere: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "omniconfig-emulator-"));
  home = join(root, "omni-home");
  elsewhere = join(root, "elsewhere");
  emulator = await startOmniEmulator({
    simulation: false,
    omnictlHome: home,
    users: [{ email: "viewer@example.org", role: "Reader" }],
  });
});

afterAll(async () => {
  await emulator.close();
  rmSync(root, { recursive: true, force: true });
});

describe("createOmniClientFromOmniconfig against the emulator's omnictl home", () => {
  it("reads the home as omnictl does with HOME=<dir>, and signs as its user", async () => {
    const omni = createOmniClientFromOmniconfig({ homeDir: home, env: {} });
    const clusters = await omni.resources.listAll(Clusters);
    expect(clusters.map((cluster) => cluster.metadata.id).sort()).toEqual([
      "dev",
      "production",
      "staging",
    ]);
    const omniconfig = parse(await omni.management.omniconfig());
    expect(omniconfig.contexts.default.auth.siderov1.identity).toBe("admin@example.org");
  });

  it("reads it as $OMNICONFIG and $SIDEROV1_KEYS_DIR, or as path and keysDir", async () => {
    const written = emulator.omnictlHome;
    if (!written) {
      throw new Error("the emulator wrote no home");
    }
    const fromEnv = createOmniClientFromOmniconfig({
      homeDir: elsewhere,
      env: { OMNICONFIG: written.omniconfig, SIDEROV1_KEYS_DIR: written.keysDir },
    });
    await expect(fromEnv.resources.get(Clusters, "production")).resolves.toBeDefined();
    const fromOptions = createOmniClientFromOmniconfig({
      path: written.omniconfig,
      keysDir: written.keysDir,
      homeDir: elsewhere,
      env: {},
    });
    await expect(fromOptions.resources.get(Clusters, "dev")).resolves.toBeDefined();
  });

  it("points at the home when only its omniconfig is given", () => {
    const written = emulator.omnictlHome;
    let error: unknown;
    try {
      createOmniClientFromOmniconfig({ path: written?.omniconfig, homeDir: elsewhere, env: {} });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).argument).toBe("keyFile");
    expect((error as ValidationError).rawMessage).toContain(
      `but the home of ${written?.omniconfig} has one: pass { homeDir: ${JSON.stringify(home)} }`,
    );
  });

  it("parses the omniconfig the emulator writes", () => {
    const config = loadOmniconfig(undefined, { env: {}, homeDir: home });
    expect(config.context).toBe("default");
    expect(config.contexts.default).toEqual({
      name: "default",
      url: emulator.url,
      identity: "admin@example.org",
    });
  });

  it("has the role of the user the home was written for", async () => {
    const dir = join(root, "viewer-home");
    await emulator.writeOmnictlHome(dir, { user: "viewer@example.org" });
    const viewer = createOmniClientFromOmniconfig({ homeDir: dir, env: {} });
    await expect(viewer.resources.listAll(Clusters)).resolves.toHaveLength(3);
    await expect(viewer.resources.destroy(Clusters, "dev")).rejects.toBeInstanceOf(
      PermissionDeniedError,
    );
  });
});
