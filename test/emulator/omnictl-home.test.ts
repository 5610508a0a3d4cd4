import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fromBinary } from "@bufbuild/protobuf";
import { Code, createClient } from "@connectrpc/connect";
import * as openpgp from "openpgp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  EmulatorOptionError,
  type OmniEmulator,
  startOmniEmulator,
} from "../../src/emulator/index.js";
import { ManagementService } from "../../src/gen/omni/management/management_pb.js";
import { SysVersionSpecSchema } from "../../src/gen/omni/specs/system_pb.js";
import {
  type ResourceDefinitionSpec,
  ResourceDefinitionSpecSchema,
} from "../../src/gen/v1alpha1/meta_pb.js";
import { State } from "../../src/gen/v1alpha1/state_pb.js";
import { rejection, signingInterceptor, type TestSigner, transportFor } from "./support.js";

let emulator: OmniEmulator;
let root: string;
let home: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "omnictl-home-"));
  home = join(root, "omni-home");
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

/** A signer over the key file omnictl would read, written apart from the SDK's signers. */
async function keyFileSigner(path: string, identity: string): Promise<TestSigner> {
  const privateKey = await openpgp.readPrivateKey({ armoredKey: readFileSync(path, "utf8") });
  return {
    identity,
    keyId: privateKey.getFingerprint(),
    async sign(payload) {
      return (await openpgp.sign({
        message: await openpgp.createMessage({ binary: payload }),
        signingKeys: privateKey,
        detached: true,
        format: "binary",
      })) as Uint8Array;
    },
  };
}

describe("an omnictl home written at start", () => {
  it("lays out omnictl's files: the omniconfig and the user's key, both 0600", () => {
    const written = emulator.omnictlHome;
    expect(written).toMatchObject({
      dir: home,
      omniconfig: join(home, ".talos", "omni", "config"),
      keysDir: join(home, ".talos", "keys"),
      keyFile: join(home, ".talos", "keys", "default-admin@example.org.pgp"),
      context: "default",
      identity: "admin@example.org",
    });
    if (process.platform !== "win32") {
      expect(statSync(written?.omniconfig ?? "").mode & 0o777).toBe(0o600);
      expect(statSync(written?.keyFile ?? "").mode & 0o777).toBe(0o600);
    }
  });

  it("writes the omniconfig as Omni hands it out: one default context, four-space indentation", () => {
    const text = readFileSync(join(home, ".talos", "omni", "config"), "utf8");
    expect(text.split("\n").slice(1).join("\n")).toBe(
      [
        "contexts:",
        "    default:",
        `        url: ${emulator.url}`,
        "        auth:",
        "            siderov1:",
        "                identity: admin@example.org",
        "context: default",
        "",
      ].join("\n"),
    );
    expect(text.startsWith("# ")).toBe(true);
  });

  it("writes an unencrypted PGP key of the user, living at most 8 hours, as omnictl accepts", async () => {
    const key = await openpgp.readPrivateKey({
      armoredKey: readFileSync(
        join(home, ".talos", "keys", "default-admin@example.org.pgp"),
        "utf8",
      ),
    });
    expect(key.isDecrypted()).toBe(true);
    expect(key.getUserIDs()).toEqual(["omni-emulator <admin@example.org>"]);
    const expiration = await key.getExpirationTime();
    expect(expiration).toBeInstanceOf(Date);
    const lifetimeMs = (expiration as Date).getTime() - key.getCreationTime().getTime();
    expect(lifetimeMs).toBe(8 * 3600 * 1000);
    expect(key.getFingerprint()).toBe(emulator.omnictlHome?.publicKeyId);
  });

  it("registers and confirms the key, so calls it signs act as the user", async () => {
    const signer = await keyFileSigner(emulator.omnictlHome?.keyFile ?? "", "admin@example.org");
    const management = createClient(
      ManagementService,
      transportFor(emulator, "grpc", [signingInterceptor(signer)]),
    );
    const omniconfig = parse(
      new TextDecoder().decode((await management.omniconfig({})).omniconfig),
    );
    expect(omniconfig.contexts.default.auth.siderov1.identity).toBe("admin@example.org");
  });

  it("answers the reads omnictl makes before every command", async () => {
    const signer = await keyFileSigner(emulator.omnictlHome?.keyFile ?? "", "admin@example.org");
    const state = createClient(State, transportFor(emulator, "grpc", [signingInterceptor(signer)]));
    const sysVersion = await state.get({
      namespace: "ephemeral",
      type: "SysVersions.system.sidero.dev",
      id: "current",
    });
    const spec = fromBinary(
      SysVersionSpecSchema,
      sysVersion.resource?.spec?.protoSpec ?? new Uint8Array(),
    );
    // omnictl v1.5 and later refuse a backend whose API version is not 2.
    expect(spec.backendApiVersion).toBe(2);
    expect(spec.backendVersion).toMatch(/^v\d+\.\d+\.\d+$/);

    let clusters: ResourceDefinitionSpec | undefined;
    for await (const { resource } of state.list({
      namespace: "meta",
      type: "ResourceDefinitions.meta.cosi.dev",
    })) {
      const definition = fromBinary(
        ResourceDefinitionSpecSchema,
        resource?.spec?.protoSpec ?? new Uint8Array(),
      );
      if (definition.resourceType === "Clusters.omni.sidero.dev") {
        clusters = definition;
      }
    }
    expect(clusters?.defaultNamespace).toBe("default");
    expect(clusters?.allAliases).toEqual(expect.arrayContaining(["clusters", "cluster"]));
    expect(clusters?.printColumns.map((column) => column.name)).toEqual([
      "Talos Version",
      "Kubernetes Version",
    ]);
  });
});

describe("writeOmnictlHome", () => {
  it("writes a home for another user, whose key has that user's role", async () => {
    const dir = join(root, "viewer");
    const written = await emulator.writeOmnictlHome(dir, { user: "viewer@example.org" });
    expect(written.keyFile).toBe(join(dir, ".talos", "keys", "default-viewer@example.org.pgp"));
    const signer = await keyFileSigner(written.keyFile, "viewer@example.org");
    const management = createClient(
      ManagementService,
      transportFor(emulator, "grpc", [signingInterceptor(signer)]),
    );
    await expect(management.omniconfig({})).resolves.toBeDefined();
    const denied = await rejection(management.createServiceAccount({ armoredPgpPublicKey: "x" }));
    expect(denied.code).toBe(Code.PermissionDenied);
  });

  it("rewrites a home it wrote, with a new key", async () => {
    const dir = join(root, "again");
    const first = await emulator.writeOmnictlHome(dir);
    const second = await emulator.writeOmnictlHome(dir);
    expect(second.publicKeyId).not.toBe(first.publicKeyId);
    expect(readFileSync(second.keyFile, "utf8")).not.toBe("");
  });

  it("refuses to replace an omniconfig it did not write, such as a real home's", async () => {
    const dir = join(root, "real-home");
    mkdirSync(join(dir, ".talos", "omni"), { recursive: true });
    const config = join(dir, ".talos", "omni", "config");
    writeFileSync(config, "contexts:\n  prod:\n    url: https://omni.example.com\ncontext: prod\n");
    const error = await emulator.writeOmnictlHome(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EmulatorOptionError);
    expect((error as EmulatorOptionError).message).toContain("the emulator did not write");
    expect(readFileSync(config, "utf8")).toContain("omni.example.com");
  });

  it("names the users it can write a home for", async () => {
    const unknown = emulator.writeOmnictlHome(join(root, "x"), { user: "nobody@example.org" });
    await expect(unknown).rejects.toThrow(/admin@example.org, viewer@example.org/);
    const account = emulator.writeOmnictlHome(join(root, "x"), {
      user: "emulator-admin@serviceaccount.omni.sidero.dev",
    });
    await expect(account).rejects.toThrow(EmulatorOptionError);
  });

  it("is refused as a start option when it is no path", async () => {
    await expect(startOmniEmulator({ omnictlHome: " " })).rejects.toThrow(/omnictlHome/);
  });
});
