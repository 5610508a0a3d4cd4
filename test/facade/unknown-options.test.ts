import { describe, expect, it } from "vitest";
import { generateServiceAccountKey } from "../../src/auth/service-account-key.js";
import { createOmniClient } from "../../src/client.js";
import { callOptionKeys } from "../../src/management/call-options.js";
import type { OmniManagementApi } from "../../src/management/management-api.js";
import {
  createJoinTokenOptionKeys,
  createSchematicFromRawOptionKeys,
  createSchematicOptionKeys,
  createServiceAccountOptionKeys,
  createUserOptionKeys,
  destroyServiceAccountOptionKeys,
  destroyUserOptionKeys,
  emptyOptionKeys,
  getBootAssetUrlOptionKeys,
  getMachineJoinConfigOptionKeys,
  getSupportBundleOptionKeys,
  kubeconfigOptionKeys,
  kubernetesSsaOptionKeys,
  kubernetesSyncManifestsOptionKeys,
  kubernetesUpgradePreChecksOptionKeys,
  machineLogsOptionKeys,
  machinePowerOptionKeys,
  maintenanceLifecycleOptionKeys,
  maintenanceUpgradeOptionKeys,
  readAuditLogOptionKeys,
  renewServiceAccountOptionKeys,
  resetNodeUniqueTokenOptionKeys,
  schematicOverlayOptionKeys,
  talosconfigOptionKeys,
  tearDownLockedClusterOptionKeys,
  updateUserOptionKeys,
  validateConfigOptionKeys,
  validateJsonSchemaOptionKeys,
} from "../../src/management/option-keys.js";
import { omniTransportOptionKeys } from "../../src/omni-transport.js";
import { retryOptionKeys } from "../../src/retry.js";
import {
  everyKeyUnset,
  expectNoUnknownKey,
  expectUnknownKey,
  failureOf,
} from "../options/support.js";
import { createFakeOmni } from "./fake-omni.js";

// Omni's key rules are checked before sending, so the key must be a real, short-lived one.
const { armoredPublicKey: publicKey } = await generateServiceAccountKey({
  name: "ci",
  ttlSeconds: 3600,
});

type Api = OmniManagementApi;

interface MethodCase<M extends keyof Api> {
  keys: ReadonlySet<string>;
  /** Options the facade sends as they are. */
  valid: NonNullable<Parameters<Api[M]>[0]>;
  /** A misspelt key, and the key it should be taken for (none when nothing is close). */
  typo: [key: string, meant: string | undefined];
}

/** One case per method: the mapped type makes a method without a case a compile error. */
const methods: { [M in keyof Api]: MethodCase<M> } = {
  kubeconfig: {
    keys: kubeconfigOptionKeys,
    valid: { cluster: "prod" },
    typo: ["breakglass", "breakGlass"],
  },
  talosconfig: { keys: talosconfigOptionKeys, valid: {}, typo: ["clsuter", "cluster"] },
  omniconfig: { keys: emptyOptionKeys, valid: {}, typo: ["cluster", undefined] },
  machineLogs: {
    keys: machineLogsOptionKeys,
    valid: { machineId: "m-1" },
    typo: ["folow", "follow"],
  },
  machineLogLines: {
    keys: machineLogsOptionKeys,
    valid: { machineId: "m-1" },
    typo: ["tail_lines", "tailLines"],
  },
  validateConfig: {
    keys: validateConfigOptionKeys,
    valid: { config: "version: v1alpha1" },
    typo: ["strict", undefined],
  },
  validateJSONSchema: {
    keys: validateJsonSchemaOptionKeys,
    valid: { data: "{}", schema: "{}" },
    typo: ["shcema", "schema"],
  },
  createServiceAccount: {
    keys: createServiceAccountOptionKeys,
    valid: { name: "ci", armoredPgpPublicKey: publicKey, role: "Reader" },
    typo: ["useUserrole", "useUserRole"],
  },
  renewServiceAccount: {
    keys: renewServiceAccountOptionKeys,
    valid: { name: "ci", armoredPgpPublicKey: publicKey },
    typo: ["armoredPgpPublickey", "armoredPgpPublicKey"],
  },
  listServiceAccounts: { keys: emptyOptionKeys, valid: {}, typo: ["name", undefined] },
  destroyServiceAccount: {
    keys: destroyServiceAccountOptionKeys,
    valid: { name: "ci" },
    typo: ["nmae", "name"],
  },
  kubernetesUpgradePreChecks: {
    keys: kubernetesUpgradePreChecksOptionKeys,
    valid: { cluster: "prod", newVersion: "1.31.2" },
    typo: ["version", undefined],
  },
  kubernetesSyncManifests: {
    keys: kubernetesSyncManifestsOptionKeys,
    valid: { cluster: "prod" },
    typo: ["dryrun", "dryRun"],
  },
  createSchematic: {
    keys: createSchematicOptionKeys,
    valid: {},
    typo: ["extension", "extensions"],
  },
  createSchematicFromRaw: {
    keys: createSchematicFromRawOptionKeys,
    valid: { rawSchematic: "customization: {}" },
    typo: ["talosversion", "talosVersion"],
  },
  getBootAssetURL: {
    keys: getBootAssetUrlOptionKeys,
    valid: { talosVersion: "1.10.0", schematicId: "abc", bootAssetKind: "iso" },
    typo: ["secureboot", "secureBoot"],
  },
  getSupportBundle: {
    keys: getSupportBundleOptionKeys,
    valid: { cluster: "prod" },
    typo: ["encrypted", "encrypt"],
  },
  readAuditLog: { keys: readAuditLogOptionKeys, valid: {}, typo: ["startTs", "startTsMs"] },
  maintenanceUpgrade: {
    keys: maintenanceUpgradeOptionKeys,
    valid: { machineId: "m-1", version: "1.10.0" },
    typo: ["machineID", "machineId"],
  },
  maintenanceLifecycle: {
    keys: maintenanceLifecycleOptionKeys,
    valid: { machineId: "m-1", operation: "install", disk: "/dev/sda" },
    typo: ["disks", "disk"],
  },
  getMachineJoinConfig: {
    keys: getMachineJoinConfigOptionKeys,
    valid: {},
    typo: ["useGRPCTunnel", "useGrpcTunnel"],
  },
  createJoinToken: {
    keys: createJoinTokenOptionKeys,
    valid: { name: "lab" },
    typo: ["expiration", undefined],
  },
  resetNodeUniqueToken: {
    keys: resetNodeUniqueTokenOptionKeys,
    valid: { id: "m-1" },
    typo: ["machineId", undefined],
  },
  createUser: {
    keys: createUserOptionKeys,
    valid: { email: "a@example.com", role: "Reader" },
    typo: ["rol", "role"],
  },
  listUsers: { keys: emptyOptionKeys, valid: {}, typo: ["role", undefined] },
  updateUser: {
    keys: updateUserOptionKeys,
    valid: { email: "a@example.com", role: "Reader" },
    typo: ["emial", "email"],
  },
  destroyUser: {
    keys: destroyUserOptionKeys,
    valid: { email: "a@example.com" },
    typo: ["mail", "email"],
  },
  machinePowerOff: {
    keys: machinePowerOptionKeys,
    valid: { machineId: "m-1" },
    typo: ["machine", undefined],
  },
  machinePowerOn: {
    keys: machinePowerOptionKeys,
    valid: { machineId: "m-1" },
    typo: ["machineid", "machineId"],
  },
  tearDownLockedCluster: {
    keys: tearDownLockedClusterOptionKeys,
    valid: { clusterId: "prod" },
    typo: ["clusterID", "clusterId"],
  },
};

const methodCases = (Object.keys(methods) as (keyof Api)[]).map((name) => {
  const { keys, valid, typo } = methods[name] as MethodCase<keyof Api>;
  return { name, keys, valid, typo };
});

function setup() {
  const omni = createFakeOmni();
  const { management } = createOmniClient({ transport: omni.transport });
  const call = (name: keyof Api, options: unknown, callOptions?: unknown) =>
    failureOf(() =>
      (management[name] as (options: unknown, call?: unknown) => unknown)(options, callOptions),
    );
  return { omni, management, call };
}

describe("management options with a key the method does not know", () => {
  it.each(methodCases)("$name refuses it before sending", async ({ name, valid, typo }) => {
    const { omni, call } = setup();
    const [key, meant] = typo;
    expectUnknownKey(await call(name, { ...valid, [key]: true }), `options.${key}`, meant);
    expect(omni.requestCount()).toBe(0);
  });

  it.each([
    [
      "kubernetesSyncManifests",
      { cluster: "prod", ssa: { noprune: true } },
      "options.ssa.noprune",
      "noPrune",
    ],
    [
      "createSchematic",
      { overlay: { image: "siderolabs/sbc-rockchip", name: "rock5b", option: "x" } },
      "options.overlay.option",
      "options",
    ],
  ] as const)("%s refuses it in a nested object", async (name, options, argument, meant) => {
    const { omni, call } = setup();
    expectUnknownKey(await call(name, options), argument, meant);
    expect(omni.requestCount()).toBe(0);
  });

  it("refuses a misspelt call option in the second argument", async () => {
    const { omni, call } = setup();
    const signal = new AbortController().signal;
    expectUnknownKey(
      await call("omniconfig", {}, { signl: signal }),
      "callOptions.signl",
      "signal",
    );
    expectUnknownKey(
      await call("machineLogs", { machineId: "m-1" }, { timeout: 5 }),
      "callOptions.timeout",
      "timeoutMs",
    );
    expect(omni.requestCount()).toBe(0);
  });

  it("points a call option given with the method's options to the second argument", async () => {
    const { omni, call } = setup();
    const error = await call("machineLogs", { machineId: "m-1", signal: AbortSignal.abort() });
    expect(error).toMatchObject({
      argument: "options.signal",
      rawMessage: expect.stringContaining("as the second argument"),
    });
    expect(omni.requestCount()).toBe(0);
  });
});

describe("management options: every key of each options type is accepted", () => {
  it.each(methodCases)("$name sends with every key present", async ({ name, keys, valid }) => {
    const { omni, call } = setup();
    expectNoUnknownKey(
      await call(name, { ...everyKeyUnset(keys), ...valid }, everyKeyUnset(callOptionKeys)),
    );
    expect(omni.requestCount()).toBe(1);
  });

  it("takes every key of the nested ssa and overlay options", async () => {
    const { omni, call } = setup();
    const ssa = everyKeyUnset(kubernetesSsaOptionKeys);
    const overlay = { ...everyKeyUnset(schematicOverlayOptionKeys), image: "i", name: "n" };
    expectNoUnknownKey(await call("kubernetesSyncManifests", { cluster: "prod", ssa }));
    expectNoUnknownKey(await call("createSchematic", { overlay }));
    expect(omni.requestCount()).toBe(2);
  });
});

describe("createOmniClient options", () => {
  const transport = createFakeOmni().transport;

  it.each([
    [{ readonly: true }, "options.readonly", "readOnly"],
    [{ timeout: 1000 }, "options.timeout", "timeoutMs"],
    [{ loger: console }, "options.loger", "logger"],
    [{ retry: { maxAttempt: 5 } }, "options.retry.maxAttempt", "maxAttempts"],
    [{ retry: { initialDelay: 5 } }, "options.retry.initialDelay", "initialDelayMs"],
  ])("refuses %j, naming %s", (options, argument, meant) => {
    let thrown: unknown;
    try {
      createOmniClient({ transport, ...(options as object) });
    } catch (error) {
      thrown = error;
    }
    expectUnknownKey(thrown, argument, meant);
  });

  it("takes every key of its options and of the retry options", () => {
    const client = createOmniClient({
      ...everyKeyUnset(omniTransportOptionKeys),
      transport,
      retry: everyKeyUnset(retryOptionKeys),
    });
    expect(client.readOnly).toBe(false);
  });
});
