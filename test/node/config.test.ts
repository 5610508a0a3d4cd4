import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readServiceAccountEnvironment } from "../../src/node/env.js";
import { readUserKeyFile, userKeyFileCandidates, xdgDataHome } from "../../src/node/key-files.js";
import {
  defaultOmniconfigPath,
  loadOmniconfig,
  selectOmniconfigContext,
} from "../../src/node/omniconfig.js";
import { thrownValidationError } from "../validation-error.js";

describe("readServiceAccountEnvironment", () => {
  it("prefers SIDERO_SERVICE_ACCOUNT_KEY over OMNI_SERVICE_ACCOUNT_KEY", () => {
    expect(
      readServiceAccountEnvironment({
        OMNI_ENDPOINT: " https://omni.example.com ",
        SIDERO_SERVICE_ACCOUNT_KEY: "c2lkZXJv",
        OMNI_SERVICE_ACCOUNT_KEY: "b21uaQ==",
      }),
    ).toEqual({
      endpoint: "https://omni.example.com",
      serviceAccountKey: "c2lkZXJv",
      keyVariable: "SIDERO_SERVICE_ACCOUNT_KEY",
    });
  });

  it("falls back to OMNI_SERVICE_ACCOUNT_KEY when the other is empty", () => {
    const found = readServiceAccountEnvironment({
      OMNI_ENDPOINT: "https://omni.example.com",
      SIDERO_SERVICE_ACCOUNT_KEY: "",
      OMNI_SERVICE_ACCOUNT_KEY: "b21uaQ==",
    });
    expect(found.keyVariable).toBe("OMNI_SERVICE_ACCOUNT_KEY");
  });

  it("names the missing variable", () => {
    expect(
      thrownValidationError(() => readServiceAccountEnvironment({ OMNI_SERVICE_ACCOUNT_KEY: "x" }))
        .argument,
    ).toBe("OMNI_ENDPOINT");
    const error = thrownValidationError(() =>
      readServiceAccountEnvironment({ OMNI_ENDPOINT: "https://o" }),
    );
    expect(error.argument).toBe("OMNI_SERVICE_ACCOUNT_KEY");
    expect(error.message).toContain("SIDERO_SERVICE_ACCOUNT_KEY");
  });
});

describe("omniconfig", () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "omniconfig-"));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  function write(name: string, text: string): string {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  }

  const twoContexts = `contexts:
  default:
    url: https://omni.example.com
    auth:
      siderov1:
        identity: jane@example.com
  lab:
    url: grpc://127.0.0.1:8080
    auth:
      basic: ignored
context: default
`;

  it("reads contexts, their identities and the current context", () => {
    const path = write("config", twoContexts);
    const config = loadOmniconfig(path);
    expect(config.path).toBe(path);
    expect(config.context).toBe("default");
    expect(config.contexts).toEqual({
      default: { name: "default", url: "https://omni.example.com", identity: "jane@example.com" },
      lab: { name: "lab", url: "grpc://127.0.0.1:8080", identity: undefined },
    });
    expect(selectOmniconfigContext(config).name).toBe("default");
    expect(selectOmniconfigContext(config, "lab").url).toBe("grpc://127.0.0.1:8080");
  });

  it("finds the file through $OMNICONFIG, else under the home directory", () => {
    const path = write("from-env", twoContexts);
    expect(loadOmniconfig(undefined, { env: { OMNICONFIG: path } }).path).toBe(path);
    expect(defaultOmniconfigPath({}, "/home/jane")).toBe("/home/jane/.talos/omni/config");
    mkdirSync(join(dir, ".talos", "omni"), { recursive: true });
    writeFileSync(join(dir, ".talos", "omni", "config"), twoContexts);
    expect(loadOmniconfig(undefined, { env: {}, homeDir: dir }).contexts.lab?.url).toBe(
      "grpc://127.0.0.1:8080",
    );
  });

  it("uses the only context when there is no context key", () => {
    const config = loadOmniconfig(write("one", "contexts:\n  solo:\n    url: https://o.example\n"));
    expect(selectOmniconfigContext(config).name).toBe("solo");
  });

  it.each([
    ["contexts: [1, 2]\n", "contexts", "must map context names"],
    ["contexts:\n  a:\n    url: [https://o]\n", "contexts.a.url", "must be a URL string"],
    ["contexts:\n  a: just-a-string\n", "contexts.a", "must be a mapping"],
    [
      "contexts:\n  a:\n    url: https://o\n    auth:\n      siderov1:\n        identity: [x]\n",
      "contexts.a.auth.siderov1.identity",
      "must be an email",
    ],
    ["contexts:\n  a: {url: https://o}\ncontext: [a]\n", "context", "must be the name"],
    ["contexts:\n  a: {url: https://o\n", "omniconfig", "is not valid YAML"],
    ["- just\n- a list\n", "omniconfig", "must be a YAML mapping"],
  ])("says what is wrong and where: %j", (text, argument, message) => {
    const path = write("bad", text);
    const error = thrownValidationError(() => loadOmniconfig(path));
    expect(error.argument).toBe(argument);
    expect(error.message).toContain(message);
    expect(error.message).toContain(path);
  });

  it("uses the selected context when another one is unfinished, as omnictl does", () => {
    const config = loadOmniconfig(
      write(
        "config",
        `contexts:
  default:
    url: https://omni.example.com
  scratch:
    url: ""
  empty:
context: default
`,
      ),
    );
    expect(selectOmniconfigContext(config).url).toBe("https://omni.example.com");
    for (const name of ["scratch", "empty"]) {
      const error = thrownValidationError(() => selectOmniconfigContext(config, name));
      expect(error.argument).toBe(`contexts.${name}.url`);
      expect(error.message).toContain(`is missing in ${config.path}`);
    }
  });

  it("reads the first YAML document only, as omnictl does", () => {
    const config = loadOmniconfig(write("config", `${twoContexts}---\n`));
    expect(selectOmniconfigContext(config).url).toBe("https://omni.example.com");
    const withMore = loadOmniconfig(write("more", `${twoContexts}---\nnot: [valid\n`));
    expect(Object.keys(withMore.contexts)).toEqual(["default", "lab"]);
  });

  it("names the file that does not exist", () => {
    const path = join(dir, "missing");
    const error = thrownValidationError(() => loadOmniconfig(path));
    expect(error.message).toContain(`${path} does not exist`);
  });

  it("rejects a context that is not in the file, listing those that are", () => {
    const config = loadOmniconfig(write("config", twoContexts));
    const error = thrownValidationError(() => selectOmniconfigContext(config, "prod"));
    expect(error.argument).toBe("context");
    expect(error.message).toContain('"prod" is not in');
    expect(error.message).toContain("default, lab");
  });

  it("asks for a context when several exist and none is current", () => {
    const config = loadOmniconfig(write("config", twoContexts.replace("context: default\n", "")));
    expect(thrownValidationError(() => selectOmniconfigContext(config)).message).toContain(
      "pass { context }",
    );
  });
});

describe("user key files", () => {
  it("looks in $SIDEROV1_KEYS_DIR, then the XDG data directory, as omnictl does", () => {
    expect(
      userKeyFileCandidates(
        "default",
        "jane@example.com",
        { SIDEROV1_KEYS_DIR: "/keys", XDG_DATA_HOME: "/data" },
        "/home/j",
      ),
    ).toEqual([
      "/keys/default-jane@example.com.pgp",
      "/data/omni/keys/default-jane@example.com.pgp",
    ]);
    expect(userKeyFileCandidates("lab", "j@x", {}, "/home/j", "/custom", "linux")).toEqual([
      "/custom/lab-j@x.pgp",
      "/home/j/.local/share/omni/keys/lab-j@x.pgp",
    ]);
  });

  it("reads a key saved in the XDG data directory when the custom keys directory lacks it", () => {
    const home = mkdtempSync(join(tmpdir(), "home-"));
    try {
      const custom = join(home, "custom-keys");
      const dataKeys = join(home, "data", "omni", "keys");
      mkdirSync(custom);
      mkdirSync(dataKeys, { recursive: true });
      writeFileSync(join(dataKeys, "lab-j@x.pgp"), "saved before");
      const env = { SIDEROV1_KEYS_DIR: custom, XDG_DATA_HOME: join(home, "data") };
      const read = () =>
        readUserKeyFile(userKeyFileCandidates("lab", "j@x", env, home), "lab", "j@x");
      expect(read()).toEqual({
        path: join(dataKeys, "lab-j@x.pgp"),
        armoredPrivateKey: "saved before",
      });
      // The custom directory wins once it holds the key.
      writeFileSync(join(custom, "lab-j@x.pgp"), "custom");
      expect(read().path).toBe(join(custom, "lab-j@x.pgp"));
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it("looks in ~/.talos/keys, then the XDG data directory", () => {
    expect(userKeyFileCandidates("lab", "j@x", {}, "/home/j", undefined, "linux")).toEqual([
      "/home/j/.talos/keys/lab-j@x.pgp",
      "/home/j/.local/share/omni/keys/lab-j@x.pgp",
    ]);
    expect(userKeyFileCandidates("lab", "j@x", { XDG_DATA_HOME: "/data" }, "/home/j")[1]).toBe(
      "/data/omni/keys/lab-j@x.pgp",
    );
  });

  it("finds the XDG data directory where omnictl's xdg library does, on every platform", () => {
    const windowsHome = "C:\\Users\\j";
    const localAppData = "C:\\Users\\j\\AppData\\Local";
    const cases: [Record<string, string>, string, NodeJS.Platform, string][] = [
      [{}, "/Users/j", "darwin", "/Users/j/Library/Application Support"],
      [{ LOCALAPPDATA: localAppData }, windowsHome, "win32", localAppData],
      [{}, windowsHome, "win32", localAppData],
      [{}, "/home/j", "linux", "/home/j/.local/share"],
      [{ XDG_DATA_HOME: "/data" }, "/Users/j", "darwin", "/data"],
      [{ XDG_DATA_HOME: "~/data" }, "/home/j", "linux", "/home/j/data"],
      [{ XDG_DATA_HOME: "$HOME/data" }, "/home/j", "linux", "/home/j/data"],
      [{ XDG_DATA_HOME: "%USERPROFILE%\\data" }, windowsHome, "win32", `${windowsHome}\\data`],
      // Windows expands only %USERPROFILE%, and a path without a drive is not absolute there.
      [{ XDG_DATA_HOME: "~/data", LOCALAPPDATA: localAppData }, windowsHome, "win32", localAppData],
      [{ XDG_DATA_HOME: "\\data", LOCALAPPDATA: localAppData }, windowsHome, "win32", localAppData],
      // A relative value is ignored.
      [{ XDG_DATA_HOME: "data" }, "/home/j", "linux", "/home/j/.local/share"],
    ];
    for (const [env, home, platform, expected] of cases) {
      expect(xdgDataHome(env, home, platform), JSON.stringify({ env, platform })).toBe(expected);
    }
    expect(userKeyFileCandidates("lab", "j@x", {}, "/Users/j", undefined, "darwin")).toEqual([
      "/Users/j/.talos/keys/lab-j@x.pgp",
      "/Users/j/Library/Application Support/omni/keys/lab-j@x.pgp",
    ]);
    expect(userKeyFileCandidates("lab", "j@x", {}, windowsHome, undefined, "win32")).toEqual([
      `${windowsHome}\\.talos\\keys\\lab-j@x.pgp`,
      `${localAppData}\\omni\\keys\\lab-j@x.pgp`,
    ]);
  });

  it("reads the first file that exists and lists every place it looked otherwise", () => {
    const dir = mkdtempSync(join(tmpdir(), "keys-"));
    try {
      const second = join(dir, "b.pgp");
      writeFileSync(second, "armored");
      expect(readUserKeyFile([join(dir, "a.pgp"), second], "ctx", "j@x")).toEqual({
        path: second,
        armoredPrivateKey: "armored",
      });
      const error = thrownValidationError(() =>
        readUserKeyFile([join(dir, "a.pgp")], "ctx", "j@x"),
      );
      expect(error.argument).toBe("keyFile");
      expect(error.message).toContain(join(dir, "a.pgp"));
      expect(error.message).toContain('no key for j@x in context "ctx"');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
