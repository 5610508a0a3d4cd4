import { readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  create,
  type DescFile,
  type DescMethod,
  type DescService,
  type Message,
  ScalarType,
} from "@bufbuild/protobuf";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import { afterAll, describe, expect, it } from "vitest";
import { generateServiceAccountKey } from "../../src/auth/service-account-key.js";
import { createOmniClient, type OmniClient } from "../../src/client.js";
import type { WriteKind } from "../../src/errors.js";
import { ReadOnlyModeError, ValidationError } from "../../src/errors.js";
import { ManagementService } from "../../src/gen/omni/management/management_pb.js";
import { ConfigPatchSpecSchema } from "../../src/gen/omni/specs/omni_pb.js";
import { State } from "../../src/gen/v1alpha1/state_pb.js";
import * as managementCalls from "../../src/management/calls.js";
import type { OmniManagementApi } from "../../src/management/management-api.js";
import { createOmniTransport, type OmniTransport } from "../../src/omni-transport.js";
import type { ResourcesApi } from "../../src/resources/api.js";
import * as resourceCalls from "../../src/resources/calls.js";
import { Clusters, ConfigPatches } from "../../src/resources/registry.js";
import {
  type CallKind,
  type CallKindRule,
  callKindRule,
  classifyCall,
  type FlagRule,
  inspectCall,
} from "../../src/safety/classification.js";
import {
  type CountingTransport,
  createCountingTransport,
  onTheWire,
} from "./counting-transport.js";

// Every read-only client sits on a transport that stands for the network and counts what reaches
// it. The services, their methods and the flags that make a call a write all come from the
// generated descriptors and the classification table, so a new RPC or flag is covered as it lands.

// ---------------------------------------------------------------------------------------------
// What the SDK knows: every service of every generated file under src/gen.

const genDir = fileURLToPath(new URL("../../src/gen/", import.meta.url));
const genFiles = (readdirSync(genDir, { recursive: true }) as string[])
  .filter((file) => file.endsWith("_pb.ts"))
  .sort();
const genModules = await Promise.all(
  genFiles.map((file) => import(join(genDir, file)) as Promise<Record<string, unknown>>),
);
const isDescFile = (value: unknown): value is DescFile =>
  typeof value === "object" && value !== null && (value as { kind?: unknown }).kind === "file";
const services: DescService[] = [
  ...new Map(
    genModules
      .flatMap((module) => Object.values(module))
      .filter(isDescFile)
      .flatMap((file) => file.services)
      .map((service) => [service.typeName, service] as const),
  ).values(),
];
const allMethods = services.flatMap((service) => service.methods);

const pathOf = (method: DescMethod) => `/${method.parent.typeName}/${method.name}`;
const isFlagRule = (rule: CallKindRule | undefined): rule is FlagRule =>
  typeof rule === "object" && rule !== null;
const flagMethods = allMethods.filter((method) => isFlagRule(callKindRule(method)));
const flagRuleOf = (method: DescMethod): FlagRule => callKindRule(method) as FlagRule;
const kindsOf = (rule: CallKindRule): CallKind[] =>
  typeof rule === "string"
    ? [rule]
    : [...new Set([...rule.flags.map(([, kind]) => kind), rule.otherwise])];

/**
 * Values of every JS type a caller can put in a bool field. The encoder sends each truthy one as
 * `true`; which those are is asked of the encoder itself, never assumed here.
 */
const flagValues: readonly (readonly [label: string, value: unknown])[] = [
  ["true", true],
  ["false", false],
  ["1", 1],
  ["-1", -1],
  ["0.5", 0.5],
  ["Infinity", Number.POSITIVE_INFINITY],
  ["0", 0],
  ["-0", -0],
  ["NaN", Number.NaN],
  ['"yes"', "yes"],
  ['"true"', "true"],
  ['"false"', "false"],
  ['"0"', "0"],
  ['""', ""],
  ["1n", 1n],
  ["0n", 0n],
  ["{}", {}],
  ["[]", []],
  ["[false]", [false]],
  ["new Boolean(false)", new Boolean(false)],
  ["new Date(0)", new Date(0)],
  ["Symbol()", Symbol("flag")],
  ["() => false", () => false],
  ["null", null],
  ["undefined", undefined],
];

// ---------------------------------------------------------------------------------------------
// The oracle: what the server would decode, and what a read-only client must do with it.

type Outcome =
  | { readonly sent: true }
  | { readonly refused: WriteKind | "a write" }
  | { readonly unsendable: true };

/** The kind of a request as the server decodes it from the wire. */
function wireKind(method: DescMethod, decoded: Message): CallKind | "unknown fields" {
  const rule = callKindRule(method);
  if (rule === undefined) {
    return "update";
  }
  if (typeof rule === "string") {
    return rule;
  }
  if (decoded.$unknown !== undefined && decoded.$unknown.length > 0) {
    return "unknown fields";
  }
  const fields = decoded as unknown as Record<string, unknown>;
  const set = rule.flags.find(([field]) => fields[field] === true);
  return set ? set[1] : rule.otherwise;
}

/** What must happen to a request on a read-only client, judged from its encoding. */
function outcomeOf(method: DescMethod, request: unknown): Outcome {
  let decoded: Message;
  try {
    decoded = onTheWire(method.input, request as never);
  } catch {
    // No transport can send it; the client must not either.
    return { unsendable: true };
  }
  const kind = wireKind(method, decoded);
  if (kind === "read") {
    return { sent: true };
  }
  return { refused: kind === "unknown fields" ? "a write" : kind };
}

async function drain(iterable: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of iterable) {
    // drain
  }
}

async function settle(result: unknown): Promise<unknown> {
  if (typeof result === "object" && result !== null && Symbol.asyncIterator in result) {
    await drain(result as AsyncIterable<unknown>);
    return undefined;
  }
  return await result;
}

async function* oneMessage(message: unknown): AsyncGenerator<unknown> {
  yield message;
}

/** Calls a method through a raw generated client, as a user of `client.transport` would. */
function callRaw(transport: Transport, method: DescMethod, request: unknown): Promise<unknown> {
  const client = createClient(method.parent, transport) as unknown as Record<
    string,
    (input: unknown) => unknown
  >;
  const call = client[method.localName];
  if (call === undefined) {
    throw new Error(`no ${method.localName} on the generated client`);
  }
  const input = method.methodKind === "unary" || method.methodKind === "server_streaming";
  return settle(call(input ? request : oneMessage(request)));
}

async function failureOf(run: Promise<unknown>): Promise<unknown> {
  try {
    await run;
    return undefined;
  } catch (error) {
    return error;
  }
}

/** Nothing a read-only client lets through is a write as the server decodes it. */
function expectOnlyReadsOnTheWire(network: CountingTransport): void {
  const writes = network.calls.flatMap((call) =>
    call.messages
      .map((message) => {
        const method = allMethods.find((each) => pathOf(each) === call.method);
        return method ? wireKind(method, message) : "unknown method";
      })
      .filter((kind) => kind !== "read")
      .map((kind) => `${call.method}: ${kind}`),
  );
  expect(writes).toEqual([]);
}

function readOnlyOver(network: CountingTransport): OmniClient {
  return createOmniClient({ transport: network.transport, readOnly: true });
}

// ---------------------------------------------------------------------------------------------
// Raw generated clients on `client.transport`: every method of every service.

interface RawCase {
  readonly name: string;
  readonly method: DescMethod;
  /** Builds the request; called once per run, so each run has an object of its own. */
  readonly request: () => unknown;
}

const fixedCases: RawCase[] = allMethods.map((method) => ({
  name: `${pathOf(method)} {}`,
  method,
  request: () => ({}),
}));

function messageWith(method: DescMethod, fields: Record<string, unknown>): Message {
  const message = create(method.input) as unknown as Record<string, unknown>;
  Object.assign(message, fields);
  return message as unknown as Message;
}

function fieldNumber(method: DescMethod, localName: string): number {
  const field = method.input.fields.find((each) => each.localName === localName);
  if (field === undefined) {
    throw new Error(`${method.input.typeName} has no field ${localName}`);
  }
  return field.number;
}

function unknownVarint(no: number, value: number) {
  return { no, wireType: WireType.Varint, data: new BinaryWriter().uint32(value).finish() };
}

const flagCases: RawCase[] = flagMethods.flatMap((method) => {
  const rule = flagRuleOf(method);
  const all = (value: unknown) => Object.fromEntries(rule.flags.map(([field]) => [field, value]));
  return [
    ...rule.flags.flatMap(([field]) =>
      flagValues.flatMap(([label, value]) => [
        {
          name: `${pathOf(method)} { ${field}: ${label} } (init object)`,
          method,
          request: () => ({ [field]: value }),
        },
        {
          name: `${pathOf(method)} ${field} = ${label} (on a message)`,
          method,
          request: () => messageWith(method, { [field]: value }),
        },
      ]),
    ),
    ...flagValues.map(([label, value]) => ({
      name: `${pathOf(method)} every flag ${label}`,
      method,
      request: () => all(value),
    })),
    ...rule.flags.flatMap(([field]) => [
      {
        name: `${pathOf(method)} ${field} set by an unknown field of its number`,
        method,
        request: () =>
          messageWith(method, { $unknown: [unknownVarint(fieldNumber(method, field), 1)] }),
      },
      {
        name: `${pathOf(method)} ${field} unset by an unknown field of its number`,
        method,
        request: () =>
          messageWith(method, {
            [field]: true,
            $unknown: [unknownVarint(fieldNumber(method, field), 0)],
          }),
      },
    ]),
  ];
});

/** A field number the request does not know: a flag of a newer Omni could be there. */
const unknownFieldCases: RawCase[] = flagMethods.map((method) => ({
  name: `${pathOf(method)} with a field the schema does not know`,
  method,
  request: () =>
    messageWith(method, {
      $unknown: [unknownVarint(Math.max(...method.input.fields.map((f) => f.number)) + 100, 1)],
    }),
}));

describe("read-only mode is airtight: raw generated clients on client.transport", () => {
  it("finds every service of the generated code, and the table classifies all of them", () => {
    const names = services.map((service) => service.typeName);
    for (const known of [
      "management.ManagementService",
      "auth.AuthService",
      "oidc.OIDCService",
      "cosi.resource.State",
      "omni.resources.ResourceService",
      "machine.MachineService",
    ]) {
      expect(names).toContain(known);
    }
    expect(allMethods.filter((method) => callKindRule(method) === undefined).map(pathOf)).toEqual(
      [],
    );
  });

  it("names as flags only singular bool fields of the request", () => {
    expect(flagMethods.length).toBeGreaterThan(0);
    for (const method of flagMethods) {
      const rule = flagRuleOf(method);
      expect(rule.flags.length).toBeGreaterThan(0);
      for (const [field] of rule.flags) {
        const desc = method.input.fields.find((each) => each.localName === field);
        expect(desc, `${pathOf(method)} ${field}`).toMatchObject({
          fieldKind: "scalar",
          scalar: ScalarType.BOOL,
        });
        expect(desc?.oneof, `${pathOf(method)} ${field}`).toBeUndefined();
      }
    }
  });

  it("tries values that are not `true` but go out as true, and some that go out as false", () => {
    const method = flagMethods[0] as DescMethod;
    const field = flagRuleOf(method).flags[0]?.[0] as string;
    const sentAsTrue = flagValues
      .filter(([, value]) => {
        try {
          return (onTheWire(method.input, { [field]: value } as never) as never)[field] === true;
        } catch {
          return false;
        }
      })
      .map(([label]) => label);
    expect(sentAsTrue).toEqual(expect.arrayContaining(["1", '"yes"', "{}", "1n", '"false"']));
    expect(sentAsTrue).not.toContain("0");
    expect(sentAsTrue).not.toContain('""');
  });

  it.each([...fixedCases, ...flagCases, ...unknownFieldCases].map((each) => [each.name, each]))(
    "%s",
    async (_name, { method, request }) => {
      const network = createCountingTransport();
      const client = readOnlyOver(network);
      const expected = outcomeOf(method, request());
      const error = await failureOf(callRaw(client.transport, method, request()));
      if ("sent" in expected) {
        expect(error).not.toBeInstanceOf(ReadOnlyModeError);
        expect(network.count()).toBe(1);
        expect(network.calls[0]?.method).toBe(pathOf(method));
      } else if ("refused" in expected) {
        expect(error).toBeInstanceOf(ReadOnlyModeError);
        expect((error as ReadOnlyModeError).method).toBe(pathOf(method));
        if (expected.refused !== "a write") {
          expect((error as ReadOnlyModeError).kind).toBe(expected.refused);
        }
        expect(network.count()).toBe(0);
      } else {
        expect(error).toBeDefined();
        expect(network.count()).toBe(0);
      }
      expectOnlyReadsOnTheWire(network);
    },
  );

  it("classifyCall, which retries and users ask, agrees with the guard on every flag case", () => {
    const disagreements = flagCases
      .filter(
        ({ method, request }) =>
          classifyCall(method, request()) !== inspectCall(method, request()).kind,
      )
      .map(({ name }) => name);
    expect(disagreements).toEqual([]);
  });

  it.each(
    flagMethods
      .filter((method) => method.methodKind === "unary")
      .map((method) => [pathOf(method), method] as const),
  )(
    "%s: a write given by a truthy non-boolean is never retried on a writable client",
    async (_path, method) => {
      const rule = flagRuleOf(method);
      const write = rule.flags.find(([, kind]) => kind !== "read");
      if (write === undefined) {
        return;
      }
      const network = createCountingTransport(new ConnectError("down", Code.Unavailable));
      const client = createOmniClient({
        transport: network.transport,
        retry: { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 1 },
      });
      await failureOf(callRaw(client.transport, method, { [write[0]]: 1 }));
      expect(network.count()).toBe(1);
    },
  );

  describe.each(flagMethods.map((method) => [pathOf(method), method] as const))(
    "%s: what was judged is what is sent",
    (_path, method) => {
      const rule = flagRuleOf(method);

      it.each(
        rule.flags.flatMap(([field]) => [true, false].map((value) => [field, value] as const)),
      )("%s = %s, changed while the call is under way", async (field, value) => {
        const request = messageWith(method, { [field]: value });
        const network = createCountingTransport();
        const pending = failureOf(callRaw(readOnlyOver(network).transport, method, request));
        (request as unknown as Record<string, unknown>)[field] = !value;
        const error = await pending;
        // Refused and sent nothing, or sent one request that is a read as the server sees it.
        expect(network.count()).toBe(error instanceof ReadOnlyModeError ? 0 : 1);
        expectOnlyReadsOnTheWire(network);
      });

      it.each(rule.flags.map(([field]) => [field]))(
        "%s behind a getter that answers false, then true",
        async (field) => {
          const request = create(method.input) as unknown as Record<string, unknown>;
          let reads = 0;
          Object.defineProperty(request, field, { get: () => reads++ > 0, enumerable: true });
          const network = createCountingTransport();
          await failureOf(callRaw(readOnlyOver(network).transport, method, request));
          expectOnlyReadsOnTheWire(network);
        },
      );
    },
  );

  const streamingFlagMethods = flagMethods.filter((method) => method.methodKind !== "unary");

  it.each(streamingFlagMethods.map((method) => [pathOf(method), method] as const))(
    "%s: a write after a read in one request stream is never sent",
    async (_path, method) => {
      const rule = flagRuleOf(method);
      // One request of each kind, from the table: the read form and a write form.
      const requestOf = (read: boolean) => {
        if ((rule.otherwise === "read") === read) {
          return messageWith(method, {});
        }
        const flag = rule.flags.find(([, kind]) => (kind === "read") === read);
        if (flag === undefined) {
          throw new Error(`${pathOf(method)} has no ${read ? "read" : "write"} form`);
        }
        return messageWith(method, { [flag[0]]: true });
      };
      const network = createCountingTransport();
      const transport = readOnlyOver(network).transport;
      const error = await failureOf(
        (async () => {
          const response = await transport.stream(
            method as never,
            undefined,
            undefined,
            undefined,
            (async function* () {
              yield requestOf(true);
              yield requestOf(false);
            })() as never,
          );
          await drain(response.message);
        })(),
      );
      expect(error).toBeInstanceOf(ReadOnlyModeError);
      expect(network.calls.flatMap((call) => call.messages)).toHaveLength(1);
      expectOnlyReadsOnTheWire(network);
    },
  );
});

// ---------------------------------------------------------------------------------------------
// The facade and the call functions: every method, with the flag cases from the table.

// Omni's key rules are checked before sending, so the key must be a real, short-lived one.
const { armoredPublicKey: publicKey } = await generateServiceAccountKey({
  name: "ci",
  ttlSeconds: 3600,
});
const machineId = "0c6bd7f5-6a0e-4f1c-a1b2-3c4d5e6f7a8b";
const schematicId = "376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba";

/** Arguments each management method accepts: its read form, then its write forms. */
const managementArgs: {
  readonly [K in keyof OmniManagementApi]: readonly Parameters<OmniManagementApi[K]>[];
} = {
  kubeconfig: [
    [{ cluster: "c", serviceAccountUser: "robot", serviceAccountTtlSeconds: 3600 }],
    [
      {
        cluster: "c",
        serviceAccount: true,
        serviceAccountUser: "robot",
        serviceAccountTtlSeconds: 3600,
      },
    ],
    [{ cluster: "c", breakGlass: true }],
  ],
  talosconfig: [[{ cluster: "c" }], [{ cluster: "c", breakGlass: true }]],
  omniconfig: [[]],
  machineLogs: [[{ machineId }]],
  machineLogLines: [[{ machineId }]],
  validateConfig: [[{ config: "machine: {}\n" }]],
  validateJSONSchema: [[{ data: "{}", schema: "{}" }]],
  createServiceAccount: [[{ name: "ro-test", armoredPgpPublicKey: publicKey, role: "Reader" }]],
  renewServiceAccount: [[{ name: "ro-test", armoredPgpPublicKey: publicKey }]],
  listServiceAccounts: [[]],
  destroyServiceAccount: [[{ name: "ro-test" }]],
  kubernetesUpgradePreChecks: [[{ cluster: "c", newVersion: "1.31.0" }]],
  kubernetesSyncManifests: [[{ cluster: "c", dryRun: true }], [{ cluster: "c" }]],
  createSchematic: [[{ extensions: ["siderolabs/iscsi-tools"] }]],
  createSchematicFromRaw: [[{ rawSchematic: "customization:\n  extraKernelArgs:\n    - a=b\n" }]],
  getBootAssetURL: [[{ talosVersion: "1.10.6", schematicId, bootAssetKind: "iso" }]],
  getSupportBundle: [[{ cluster: "c" }]],
  readAuditLog: [[{}]],
  maintenanceUpgrade: [[{ machineId, version: "v1.10.6" }]],
  maintenanceLifecycle: [
    [{ machineId, operation: "install", version: "v1.10.6", disk: "/dev/sda" }],
  ],
  getMachineJoinConfig: [[{}]],
  createJoinToken: [[{ name: "ro-test" }]],
  resetNodeUniqueToken: [[{ id: machineId }]],
  createUser: [[{ email: "ro@example.org", role: "Reader" }]],
  listUsers: [[]],
  updateUser: [[{ email: "ro@example.org", role: "Reader" }]],
  destroyUser: [[{ email: "ro@example.org" }]],
  machinePowerOff: [[{ machineId }]],
  machinePowerOn: [[{ machineId }]],
  tearDownLockedCluster: [[{ clusterId: "c" }]],
};

/** For each conditional ManagementService RPC, its method with every flag at every value. */
const managementFlagArgs: [string, unknown[]][] = flagMethods
  .filter((method) => method.parent.typeName === ManagementService.typeName)
  .flatMap((method) => {
    const name = method.localName as keyof OmniManagementApi;
    const [base] = (managementArgs[name]?.[0] ?? []) as [Record<string, unknown>?];
    return flagRuleOf(method).flags.flatMap(([field]) =>
      flagValues.map(([label, value]): [string, unknown[]] => [
        `${name}({ ${field}: ${label} })`,
        [name, { ...base, [field]: value }],
      ]),
    );
  });

const patch = {
  metadata: { id: "400-ro-test", labels: { "omni.sidero.dev/cluster": "c" } },
  spec: create(ConfigPatchSpecSchema, { data: "machine: {}\n" }),
};

const resourcesArgs: Readonly<Record<keyof ResourcesApi, readonly unknown[][]>> = {
  get: [[Clusters, "c"]],
  list: [[Clusters]],
  listAll: [[Clusters]],
  watch: [[Clusters]],
  create: [[ConfigPatches, patch]],
  update: [[ConfigPatches, { ...patch, metadata: { ...patch.metadata, version: "1" } }]],
  destroy: [[Clusters, "c"]],
  teardown: [[Clusters, "c"]],
  teardownAndDestroy: [[Clusters, "c"]],
};

const asCases = (args: Readonly<Record<string, readonly unknown[][]>>): [string, unknown[]][] =>
  Object.entries(args).flatMap(([name, forms]) =>
    forms.map((form, index): [string, unknown[]] => [`${name} #${index + 1}`, [name, ...form]]),
  );

type Invoke = (network: CountingTransport, name: string, args: unknown[]) => unknown;

interface Route {
  readonly name: string;
  readonly service: DescService;
  readonly cases: [string, unknown[]][];
  readonly invoke: Invoke;
  /** Functions the route offers, which the cases must all cover. */
  readonly offered: (network: CountingTransport) => string[];
  /** RPCs the route only makes after a write it has been refused. */
  readonly unreachable?: readonly string[];
}

const functionNames = (object: object) =>
  Object.entries(object)
    .filter(([, value]) => typeof value === "function")
    .map(([name]) => name)
    .sort();

const onTransport = (network: CountingTransport): OmniTransport =>
  createOmniTransport({ transport: network.transport, readOnly: true });

const call = (target: unknown, name: string, args: unknown[]) =>
  (target as Record<string, (...args: unknown[]) => unknown>)[name]?.(...args);

const managementCases = [...asCases(managementArgs), ...managementFlagArgs];
const resourcesCases = asCases(resourcesArgs);
const tearDownAndDestroy = `/${State.typeName}/${State.method.teardownAndDestroy.name}`;

const routes: Route[] = [
  {
    name: "client.management",
    service: ManagementService,
    cases: managementCases,
    invoke: (network, name, args) => call(readOnlyOver(network).management, name, args),
    offered: (network) => functionNames(readOnlyOver(network).management),
  },
  {
    name: "sidero-omni-client/management call functions",
    service: ManagementService,
    cases: managementCases,
    invoke: (network, name, args) => call(managementCalls, name, [onTransport(network), ...args]),
    offered: () => functionNames(managementCalls),
  },
  {
    name: "client.resources",
    service: State,
    cases: resourcesCases,
    invoke: (network, name, args) => call(readOnlyOver(network).resources, name, args),
    offered: (network) => functionNames(readOnlyOver(network).resources),
    unreachable: [tearDownAndDestroy],
  },
  {
    name: "sidero-omni-client/resources call functions",
    service: State,
    cases: resourcesCases,
    invoke: (network, name, args) => call(resourceCalls, name, [onTransport(network), ...args]),
    offered: () => functionNames(resourceCalls),
    unreachable: [tearDownAndDestroy],
  },
];

describe.each(routes.map((route) => [route.name, route] as const))(
  "read-only mode is airtight: %s",
  (_name, route) => {
    const reached = new Set<string>();
    const refused = new Set<string>();

    it("has cases for every function it offers", () => {
      const tried = new Set(route.cases.map(([, [name]]) => name as string));
      expect(route.offered(createCountingTransport()).filter((name) => !tried.has(name))).toEqual(
        [],
      );
    });

    it.each(route.cases)("%s", async (_case, [name, ...args]) => {
      const network = createCountingTransport();
      const error = await failureOf(
        (async () => settle(route.invoke(network, name as string, args)))(),
      );
      if (error instanceof ReadOnlyModeError) {
        refused.add(`${error.method} ${error.kind}`);
        expect(network.count()).toBe(0);
      } else if (error instanceof ValidationError) {
        // Refused as malformed (a flag that is not a boolean), before anything is sent.
        expect(network.count()).toBe(0);
      } else {
        expect(network.count()).toBeGreaterThan(0);
      }
      for (const sent of network.calls) {
        reached.add(sent.method);
      }
      expectOnlyReadsOnTheWire(network);
    });

    afterAll(() => {
      // Every RPC of the service, in every kind the table gives it, was reached (a read) or
      // refused (a write) by some case. Checked after the cases, which fill the two sets.
      const missing = route.service.methods.flatMap((method) => {
        const path = pathOf(method);
        if (route.unreachable?.includes(path)) {
          return [];
        }
        return kindsOf(callKindRule(method) as CallKindRule)
          .filter((kind) =>
            kind === "read" ? !reached.has(path) : !refused.has(`${path} ${kind}`),
          )
          .map((kind) => `${path} ${kind}`);
      });
      expect(missing).toEqual([]);
    });
  },
);

describe("read-only mode is airtight: client.auth", () => {
  // Registering and confirming a key is how a read-only dashboard gets to read at all, so the
  // login flow is not guarded; everything else is.
  const loginFlow = ["awaitPublicKeyConfirmation", "confirmPublicKey", "registerPublicKey"];

  it("offers only the login flow and revokePublicKey", () => {
    const network = createCountingTransport();
    expect(functionNames(readOnlyOver(network).auth)).toEqual([...loginFlow, "revokePublicKey"]);
  });

  it("refuses revokePublicKey and sends nothing", async () => {
    const network = createCountingTransport();
    const error = await failureOf(readOnlyOver(network).auth.revokePublicKey("key-id"));
    expect(error).toBeInstanceOf(ReadOnlyModeError);
    expect(error).toMatchObject({ kind: "delete", method: "/auth.AuthService/RevokePublicKey" });
    expect(network.count()).toBe(0);
  });
});
