// Compiles the packed package the way its users do, with `tsc --strict --skipLibCheck false`.
//
//   node scripts/check-consumers.mjs [--keep]      (npm run check:consumers)
//
// 1. `npm pack` (which builds) into a temporary directory.
// 2. Two consumer projects next to it, each with the tarball and our own TypeScript version
//    installed from the registry (`npm install --no-audit --no-fund`):
//      node     @types/node as well; compiled twice, as "module"/"moduleResolution" node16 and
//               nodenext, with lib ES2023 + DOM (Connect's own types need DOM's HeadersInit).
//      browser  no @types/node; moduleResolution bundler, lib ES2023 + DOM. The compiled
//               program must not contain a single file of @types/node.
// 3. The consumer apps (below) import and use every public entry: the browser app every entry
//    but "/node" and "/emulator", the Node app all of them. An entry of package.json "exports"
//    that no app imports fails the check, so a new entry cannot go unchecked.
// 4. Every ```ts (or ```typescript) block of README.md and docs/*.md is compiled as a module of
//    its own (an `export {}` is appended), in the same consumers, each failure reported as
//    <file>:<line of the failing code> with the compiler's message. A block goes to:
//      - the Node consumer (both node16 and nodenext) when it imports "sidero-omni-client/node",
//        "sidero-omni-client/emulator", "electron", a Node built-in ("node:fs", "fs", ...) or
//        uses `process`, `Buffer`, `__dirname` or `__filename`;
//      - otherwise the browser consumer, and the Node consumer too unless it uses a DOM global
//        (`window`, `document`, `location`, `localStorage`, `sessionStorage`, `indexedDB`).
//    Words after the language in the fence's info string change that:
//      ```ts node            compile in the Node consumer only
//      ```ts browser         compile in the browser consumer only
//      ```ts ignore-compile  do not compile (for a block that is not code a user could compile,
//                            such as a signature; use sparingly and say why in the text)
//    Names a block may use without declaring them: the placeholders the text leaves to the
//    reader, declared once for all blocks (a block's own declaration of the same name wins):
//      omni: OmniClient           transport: the base Connect Transport   auth: OmniAuth
//      identity: string           privateKey: CryptoKey (for ecdsaAuth)  publicKeyId: string
//    Anything else a block uses must be imported or declared in the block itself. "electron" is
//    not installed: a stub declares what the docs use (ipcMain.handle,
//    contextBridge.exposeInMainWorld, ipcRenderer.invoke).
//
// Exits non-zero when an app or a block does not compile. `--keep` leaves the temporary
// directory in place (its path is printed) to look at the projects.
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const keep = process.argv.includes("--keep");
const ours = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const typescriptVersion = ours.devDependencies.typescript;
const typesNodeVersion = ours.devDependencies["@types/node"];

// ---------------------------------------------------------------------------------------------
// The consumer apps. Type annotations on the results make the compiler check what users rely on.

const browserApp = `
import {
  Clusters,
  createGatewayTransport,
  createGrpcWebTransport,
  createOmniClient,
  createOmniTransport,
  ecdsaAuth,
  generateEcdsaKey,
  NotFoundError,
  OmniError,
  type OmniClient,
  pgpAuth,
  ReadOnlyModeError,
  serviceAccountAuth,
} from "sidero-omni-client";
import { kubeconfig, machineLogLines } from "sidero-omni-client/management";
import { get, listAll, watch } from "sidero-omni-client/resources";

const key = await generateEcdsaKey();
const login: OmniClient = createOmniClient({
  transport: createGatewayTransport({ baseUrl: window.location.origin }),
});
const { publicKeyId } = await login.auth.registerPublicKey({
  identity: "user@example.com",
  ecdsaKey: key,
});
await login.auth.awaitPublicKeyConfirmation(publicKeyId);

const omni = createOmniClient({
  transport: createGrpcWebTransport({ baseUrl: "https://omni-grpc-web.example.com" }),
  auth: ecdsaAuth({ identity: "user@example.com", privateKey: key.privateKey, publicKeyId }),
  readOnly: true,
  timeoutMs: 10_000,
});
for await (const cluster of omni.resources.list(Clusters)) {
  const version: string = cluster.spec.kubernetesVersion;
  console.log(cluster.metadata.id, version);
}
const config: string = await omni.management.kubeconfig({ cluster: "prod" });
console.log(config.length);

const transport = createOmniTransport({
  transport: createGatewayTransport({ baseUrl: window.location.origin, fetch: window.fetch }),
  auth: pgpAuth({ identity: "user@example.com", armoredPrivateKey: "...", passphrase: "..." }),
});
const clusters = await listAll(transport, Clusters);
const first = await get(transport, Clusters, clusters[0]?.metadata.id ?? "prod");
const text: string = await kubeconfig(transport, { cluster: first.metadata.id });
const controller = new AbortController();
for await (const line of machineLogLines(transport, { machineId: "m1", tailLines: 10 })) {
  const printed: string = line;
  console.log(printed, text.length);
}
for await (const event of watch(transport, Clusters, { signal: controller.signal })) {
  if (event.type === "bootstrapped") continue;
  console.log(event.type, event.resource.metadata.id);
}

try {
  await createOmniClient({
    transport,
    auth: serviceAccountAuth("base64"),
    readOnly: true,
  }).resources.destroy(Clusters, "prod");
} catch (error) {
  if (error instanceof ReadOnlyModeError || error instanceof NotFoundError) {
    console.log(error.code, error.method);
  } else if (error instanceof OmniError) {
    console.log(error.message);
  }
}
`;

const nodeApp = `
import { readFile } from "node:fs/promises";
import {
  Clusters,
  createOmniClient,
  createOmniTransport,
  OmniError,
  type OmniClient,
  serviceAccountAuth,
} from "sidero-omni-client";
import { startOmniEmulator } from "sidero-omni-client/emulator";
import { kubeconfig } from "sidero-omni-client/management";
import {
  createGrpcTransport,
  createOmniClientFromEnv,
  createOmniClientFromOmniconfig,
  loadOmniconfig,
} from "sidero-omni-client/node";
import { listAll } from "sidero-omni-client/resources";

const emulator = await startOmniEmulator({ host: "127.0.0.1", port: 0 });
const urls: string[] = [emulator.url, emulator.grpcWebUrl, emulator.gatewayUrl];
const omni: OmniClient = createOmniClient({
  transport: createGrpcTransport({
    baseUrl: emulator.url,
    tls: { ca: await readFile("/dev/null", "utf8") },
  }),
  auth: serviceAccountAuth(emulator.keys.reader),
  readOnly: true,
});
for (const cluster of await omni.resources.listAll(Clusters)) {
  const version: string = cluster.spec.kubernetesVersion;
  console.log(cluster.metadata.id, version, urls);
}
const transport = createOmniTransport({
  transport: createGrpcTransport({ baseUrl: emulator.url }),
  auth: serviceAccountAuth(emulator.keys.admin),
});
const [first] = await listAll(transport, Clusters);
if (first) {
  const config: string = await kubeconfig(transport, { cluster: first.metadata.id });
  console.log(config.length);
}
for await (const chunk of omni.management.machineLogs({ machineId: "m1", tailLines: 1 })) {
  const bytes: Uint8Array = chunk;
  console.log(bytes.length);
}

try {
  const fromEnv = createOmniClientFromEnv({ readOnly: true });
  const fromConfig = await createOmniClientFromOmniconfig({ context: "default" });
  const config = await loadOmniconfig();
  console.log(fromEnv.readOnly, fromConfig.readOnly, config.contexts);
} catch (error) {
  if (error instanceof OmniError) {
    console.log(error.code, error.method);
  }
}
await emulator.close();
`;

/** Just what the docs use of Electron, so that "electron" need not be installed. */
const electronStub = `
declare module "electron" {
  export const ipcMain: {
    handle(channel: string, listener: (event: unknown, ...args: any[]) => unknown): void;
  };
  export const contextBridge: {
    exposeInMainWorld(apiKey: string, api: unknown): void;
  };
  export const ipcRenderer: {
    invoke(channel: string, ...args: any[]): Promise<any>;
  };
}
`;

/** The placeholders of the docs (see the top of this file); a global script, not a module. */
const docsPlaceholders = `
declare const omni: import("sidero-omni-client").OmniClient;
declare const transport: import("sidero-omni-client").OmniClientOptions["transport"];
declare const auth: import("sidero-omni-client").OmniAuth;
declare const identity: string;
declare const privateKey: import("sidero-omni-client").EcdsaAuthOptions["privateKey"];
declare const publicKeyId: string;
`;

// ---------------------------------------------------------------------------------------------
// The consumer projects.

const strictness = { strict: true, skipLibCheck: false, noEmit: true, target: "ES2022" };
const nodeOptions = (kind) => ({
  ...strictness,
  module: kind,
  moduleResolution: kind,
  // Connect's own types use DOM's HeadersInit, so a Node app needs lib DOM (TypeScript's default).
  lib: ["ES2023", "DOM"],
  types: ["node"],
});
const browserOptions = {
  ...strictness,
  module: "ESNext",
  moduleResolution: "bundler",
  lib: ["ES2023", "DOM", "DOM.Iterable"],
  types: [],
};

/** One tsc run: a project of a consumer, and the sources (app or docs blocks) it compiles. */
const compilations = [
  { name: "node16 app", consumer: "node", options: nodeOptions("node16"), sources: "app" },
  { name: "nodenext app", consumer: "node", options: nodeOptions("nodenext"), sources: "app" },
  { name: "browser app", consumer: "browser", options: browserOptions, sources: "app" },
  { name: "node16 docs", consumer: "node", options: nodeOptions("node16"), sources: "docs" },
  { name: "nodenext docs", consumer: "node", options: nodeOptions("nodenext"), sources: "docs" },
  { name: "browser docs", consumer: "browser", options: browserOptions, sources: "docs" },
].map((compilation) => ({
  ...compilation,
  config: `tsconfig.${compilation.name.replace(" ", "-")}.json`,
}));

// ---------------------------------------------------------------------------------------------
// The ```ts blocks of the docs.

// A global is a name not preceded by ".", so that `event.location` or `job.process` do not count.
const nodeOnlyPattern = new RegExp(
  [
    /from\s+["'](?:sidero-omni-client\/(?:node|emulator)|electron|node:[\w/]+)["']/.source,
    /from\s+["'](?:fs|path|os|http|https|http2|net|tls|crypto|child_process|url|stream|util)(?:\/\w+)?["']/
      .source,
    /(?<![.\w$])(?:process|Buffer|__dirname|__filename)\b/.source,
  ].join("|"),
);
const domPattern =
  /(?<![.\w$])(?:window|document|location|localStorage|sessionStorage|indexedDB)\b/;

/** The ```ts blocks of README.md and docs/*.md ({ file, line, code, targets }), and the ignored count. */
function docsBlocks() {
  const files = [
    "README.md",
    ...readdirSync(join(root, "docs"))
      .filter((name) => name.endsWith(".md"))
      .sort()
      .map((name) => `docs/${name}`),
  ];
  const blocks = [];
  let ignored = 0;
  for (const file of files) {
    const lines = readFileSync(join(root, file), "utf8").split("\n");
    for (let index = 0; index < lines.length; index++) {
      const open = /^```(ts|typescript)(?:\s+(.*))?$/.exec(lines[index].trim());
      if (!open) continue;
      const words = (open[2] ?? "").split(/\s+/).filter(Boolean);
      const first = index + 1;
      let end = first;
      while (end < lines.length && lines[end].trim() !== "```") end++;
      index = end;
      if (words.includes("ignore-compile")) {
        ignored++;
        continue;
      }
      const code = lines.slice(first, end).join("\n");
      blocks.push({ file, line: first + 1, code, targets: blockTargets(code, words) });
    }
  }
  return { blocks, ignored };
}

function blockTargets(code, words) {
  if (words.includes("node")) return ["node"];
  if (words.includes("browser")) return ["browser"];
  if (nodeOnlyPattern.test(code)) return ["node"];
  if (domPattern.test(code)) return ["browser"];
  return ["browser", "node"];
}

/** The file name a block is compiled as, e.g. docs/README.md-58.ts. */
const blockFileName = (block) => `${block.file.replaceAll("/", "_")}-${block.line}.ts`;

// ---------------------------------------------------------------------------------------------

function run(command, args, cwd) {
  return new Promise((resolvePromise) => {
    const child = spawn(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (data) => {
      output += data;
    });
    child.stderr.on("data", (data) => {
      output += data;
    });
    child.on("close", (code) => resolvePromise({ code, output }));
  });
}

/** tsc's `file(line,col): error TS...: message` diagnostics, continuation lines included. */
function diagnostics(output) {
  const found = [];
  for (const line of output.split("\n")) {
    const located = /^(.+?)\((\d+),(\d+)\): error (TS\d+: .*)$/.exec(line);
    if (located) {
      const [, file, lineNumber, column, message] = located;
      found.push({ file, line: Number(lineNumber), column: Number(column), message });
    } else if (/^error TS\d+/.test(line)) {
      found.push({ file: "", line: 0, column: 0, message: line.slice("error ".length) });
    } else if (line.startsWith(" ") && found.length > 0) {
      found.at(-1).message += `\n${line}`;
    }
  }
  return found;
}

/** The entries of package.json "exports" that the Node app (which should use all) never imports. */
function entriesNotImported() {
  return Object.keys(ours.exports)
    .filter((key) => key !== "./package.json")
    .map((key) => (key === "." ? ours.name : `${ours.name}/${key.slice(2)}`))
    .filter((entry) => !nodeApp.includes(`from "${entry}"`));
}

function pack(work) {
  const packDir = join(work, "pack");
  mkdirSync(packDir);
  // `npm pack` runs `prepack`, which builds dist/ from the current sources.
  execFileSync("npm", ["pack", "--silent", "--pack-destination", packDir], {
    cwd: root,
    stdio: ["ignore", "inherit", "inherit"],
  });
  return join(
    packDir,
    readdirSync(packDir).find((name) => name.endsWith(".tgz")),
  );
}

function writeConsumers(consumers, blocks) {
  for (const [consumer, dir] of Object.entries(consumers)) {
    const files = {
      "package.json": { name: `consumer-${consumer}`, private: true, type: "module" },
      "app/main.ts": consumer === "node" ? nodeApp : browserApp,
      "docs/placeholders.d.ts": docsPlaceholders,
      "docs/electron.d.ts": electronStub,
    };
    for (const block of blocks.filter((b) => b.targets.includes(consumer))) {
      files[`docs/${blockFileName(block)}`] = `${block.code}\nexport {};\n`;
    }
    for (const compilation of compilations.filter((c) => c.consumer === consumer)) {
      files[compilation.config] = {
        compilerOptions: compilation.options,
        include: [compilation.sources],
      };
    }
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      const text = typeof content === "string" ? content : JSON.stringify(content, null, 2);
      writeFileSync(join(dir, path), text);
    }
  }
}

async function install(consumers, tarball) {
  const installs = Object.entries(consumers).map(([consumer, dir]) => {
    const packages = [tarball, `typescript@${typescriptVersion}`];
    if (consumer === "node") packages.push(`@types/node@${typesNodeVersion}`);
    return run("npm", ["install", "--no-audit", "--no-fund", ...packages], dir);
  });
  for (const { code, output } of await Promise.all(installs)) {
    if (code !== 0) {
      throw new Error(`npm install failed in a consumer:\n${output}`);
    }
  }
}

/** Packs, writes and installs the consumers, compiles them and reports every problem. */
async function compileConsumers(work, report) {
  console.log(`::: npm pack into ${work}`);
  const tarball = pack(work);
  const { blocks, ignored } = docsBlocks();
  const consumers = { node: join(work, "node"), browser: join(work, "browser") };
  writeConsumers(consumers, blocks);
  console.log(
    `::: npm install of the tarball and typescript@${typescriptVersion} in each consumer`,
  );
  await install(consumers, tarball);

  console.log(
    `::: tsc --strict --skipLibCheck false: ${compilations.map((c) => c.name).join(", ")}`,
  );
  const results = await Promise.all(
    compilations.map(async (compilation) => {
      const dir = consumers[compilation.consumer];
      const tsc = join(dir, "node_modules", "typescript", "bin", "tsc");
      const args = ["-p", compilation.config, "--strict", "--skipLibCheck", "false", "--noEmit"];
      const listing = ["--pretty", "false", "--listFiles"];
      return { compilation, ...(await run(process.execPath, [tsc, ...args, ...listing], dir)) };
    }),
  );

  const failedBlocks = new Set();
  for (const { compilation, code, output } of results) {
    const { name, consumer, sources } = compilation;
    // --listFiles names every file of the program; a browser app has no Node types.
    const nodeTypes = output.split("\n").find((line) => line.includes("/@types/node/"));
    if (consumer === "browser" && nodeTypes) {
      report(`the browser program needs @types/node: ${nodeTypes.trim()}`, name);
    }
    const found = diagnostics(output);
    if (code !== 0 && found.length === 0) {
      report(`tsc exited with ${code}:\n${output.trim()}`, name);
    }
    for (const { file, line, column, message } of found) {
      const block = sources === "docs" && blocks.find((b) => file === `docs/${blockFileName(b)}`);
      if (block) {
        failedBlocks.add(block);
        report(`${block.file}:${block.line + line - 1}:${column}: ${message}`, name);
      } else {
        report(file ? `${file}:${line}:${column}: ${message}` : message, name);
      }
    }
  }

  return { blocks, ignored, failedBlocks };
}

async function main() {
  /** Each problem once, with the compilations that reported it: text -> names. */
  const problems = new Map();
  const report = (text, name) => problems.set(text, [...(problems.get(text) ?? []), name]);
  for (const entry of entriesNotImported()) {
    report(
      `the consumer apps do not import "${entry}": add it to ${basename(import.meta.url)}`,
      "apps",
    );
  }

  const work = mkdtempSync(join(tmpdir(), "omni-consumers-"));
  let outcome;
  try {
    outcome = await compileConsumers(work, report);
  } finally {
    if (keep) {
      console.log(`::: kept ${work}`);
    } else {
      rmSync(work, { recursive: true, force: true });
    }
  }
  const { blocks, ignored, failedBlocks } = outcome;
  const byPlace = ([a], [b]) => a.localeCompare(b, "en", { numeric: true });
  for (const [text, names] of [...problems].sort(byPlace)) {
    console.log(`\n${text}\n  (${names.join(", ")})`);
  }
  console.log(
    `\n::: ${blocks.length} ts blocks of README.md and docs/*.md compiled` +
      (ignored > 0 ? `, ${ignored} marked ignore-compile` : ""),
  );
  if (problems.size > 0) {
    const blockList = [...failedBlocks].map((block) => `${block.file}:${block.line}`).join(", ");
    console.log(
      `::: consumer check FAILED: ${problems.size} problem(s)` +
        (failedBlocks.size > 0 ? `; blocks that do not compile: ${blockList}` : ""),
    );
    process.exit(1);
  }
  console.log("::: every consumer compiles every entry and every docs block");
}

await main();
