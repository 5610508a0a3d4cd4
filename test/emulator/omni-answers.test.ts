import { Code, createClient } from "@connectrpc/connect";
import * as openpgp from "openpgp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type OmniEmulator, startOmniEmulator } from "../../src/emulator/index.js";
import { AuthService } from "../../src/gen/omni/auth/auth_pb.js";
import {
  MaintenanceLifecycleRequest_Operation,
  ManagementService,
} from "../../src/gen/omni/management/management_pb.js";
import {
  collect,
  metadataInterceptor,
  type Protocol,
  rejection,
  serviceAccountSigner,
  signingInterceptor,
  transportFor,
} from "./support.js";

/**
 * The emulator answers management and auth mistakes as real Omni v1.9.3 does; these are the
 * answers test/real-omni/*.test.ts asserts against a real Omni.
 */

async function serviceAccountPublicKey(name: string): Promise<{ armored: string; id: string }> {
  const { publicKey } = await openpgp.generateKey({
    type: "ecc",
    curve: "ed25519Legacy",
    userIDs: [{ name, email: `${name}@serviceaccount.omni.sidero.dev` }],
    keyExpirationTime: 3600,
    format: "armored",
  });
  const key = await openpgp.readKey({ armoredKey: publicKey });
  return { armored: publicKey, id: key.getFingerprint() };
}

async function managementAs(
  emulator: OmniEmulator,
  key: string,
  protocol: Protocol = "grpc",
  metadata: Record<string, string> = {},
) {
  const signer = await serviceAccountSigner(key);
  return createClient(
    ManagementService,
    transportFor(emulator, protocol, [metadataInterceptor(metadata), signingInterceptor(signer)]),
  );
}

describe.each(["grpc", "gateway"] as const)("the emulator answers as Omni over %s", (protocol) => {
  let emulator: OmniEmulator;
  beforeAll(async () => {
    emulator = await startOmniEmulator({ seed: 17 });
  });
  afterAll(() => emulator.close());
  const admin = (metadata: Record<string, string> = {}) =>
    managementAs(emulator, emulator.keys.admin, protocol, metadata);

  it("names a machine it does not know 'machine not found', its logs by the log store", async () => {
    const management = await admin();
    const machineId = "no-such-machine";
    const logs = await rejection(collect(management.machineLogs({ machineId, tailLines: 10 })));
    expect(logs.code).toBe(Code.NotFound);
    expect(logs.rawMessage).toBe(
      `failed to get log store for machine "${machineId}": log store not found: ${machineId}`,
    );
    for (const call of [
      () => management.maintenanceUpgrade({ machineId, version: "1.10.0" }),
      () =>
        collect(
          management.maintenanceLifecycle({
            machineId,
            operation: MaintenanceLifecycleRequest_Operation.INSTALL,
            disk: "/dev/sda",
          }),
        ),
      () => management.resetNodeUniqueToken({ id: machineId }),
      () => management.machinePowerOff({ machineId }),
      () => management.machinePowerOn({ machineId }),
    ]) {
      const error = await rejection(call());
      expect(error.code).toBe(Code.NotFound);
      expect(error.rawMessage).toBe("machine not found");
    }
  });

  it("fails Kubernetes calls on an unknown cluster with code Unknown and Omni's texts", async () => {
    const cluster = "no-such-cluster";
    const management = await admin({ cluster });
    const preChecks = await rejection(
      management.kubernetesUpgradePreChecks({ newVersion: "1.31.2" }),
    );
    expect(preChecks.code).toBe(Code.Unknown);
    expect(preChecks.rawMessage).toBe(
      `failed to get: resource KubernetesUpgradeStatuses.omni.sidero.dev(default/${cluster}@undefined) doesn't exist`,
    );
    const sync = await rejection(collect(management.kubernetesSyncManifests({ dryRun: true })));
    expect(sync.code).toBe(Code.Unknown);
    expect(sync.rawMessage).toBe(
      `failed to get kubeconfig: kubeconfig for cluster ${cluster} is not found`,
    );
  });

  it("words service-account mistakes as Omni does", async () => {
    const management = await admin();
    const name = `dup-${protocol}`;
    const identity = `${name}@serviceaccount.omni.sidero.dev`;
    const key = await serviceAccountPublicKey(name);
    await management.createServiceAccount({
      name,
      armoredPgpPublicKey: key.armored,
      role: "Reader",
    });
    const duplicate = await rejection(
      management.createServiceAccount({ name, armoredPgpPublicKey: key.armored, role: "Reader" }),
    );
    expect(duplicate.code).toBe(Code.AlreadyExists);
    expect(duplicate.rawMessage).toBe(`service account "${identity}" already exists`);
    const sameKey = await rejection(
      management.renewServiceAccount({ name, armoredPgpPublicKey: key.armored }),
    );
    expect(sameKey.code).toBe(Code.Unknown);
    expect(sameKey.rawMessage).toBe(
      `failed to create: resource PublicKeys.omni.sidero.dev(default/${key.id}@undefined) already exists`,
    );
    await management.destroyServiceAccount({ name });
    const gone = await rejection(management.destroyServiceAccount({ name }));
    expect(gone.code).toBe(Code.NotFound);
    expect(gone.rawMessage).toBe(`service account "${name}" not found`);
    const renewGone = await rejection(
      management.renewServiceAccount({ name, armoredPgpPublicKey: key.armored }),
    );
    expect(renewGone.code).toBe(Code.Unknown);
    expect(renewGone.rawMessage).toBe(
      `failed to get: resource Identities.omni.sidero.dev(default/${identity}@undefined) doesn't exist`,
    );
    const own = await rejection(management.destroyServiceAccount({ name: "emulator-admin" }));
    expect(own.code).toBe(Code.InvalidArgument);
    expect(own.rawMessage).toBe("destroying your own service account is not allowed");
  });

  it("words user mistakes as Omni does", async () => {
    const management = await admin();
    const email = `user-${protocol}@example.com`;
    const missing = await rejection(management.updateUser({ email, role: "Admin" }));
    expect(missing.code).toBe(Code.NotFound);
    expect(missing.rawMessage).toBe(
      `failed to get: resource Identities.omni.sidero.dev(default/${email}@undefined) doesn't exist`,
    );
  });

  it("refuses createSchematicFromRaw to a Reader and unreadable raw schematics", async () => {
    const reader = await managementAs(emulator, emulator.keys.reader, protocol);
    const encode = (text: string) => new TextEncoder().encode(text);
    const denied = await rejection(
      reader.createSchematicFromRaw({ rawSchematic: encode("customization: {}\n") }),
    );
    expect(denied.code).toBe(Code.PermissionDenied);
    expect(denied.rawMessage).toBe("unauthorized: required exact roles not found");
    const management = await admin();
    for (const [raw, reason] of [
      [
        "customization:\n  kernelArgs: [a]\n",
        "yaml: construct errors:\n  line 2: field kernelArgs not found in type schematic.Customization",
      ],
      [
        "customization: [",
        "yaml: while parsing a flow node at line 1: did not find expected node content",
      ],
      ["", "EOF"],
    ] as const) {
      const error = await rejection(
        management.createSchematicFromRaw({ rawSchematic: encode(raw) }),
      );
      expect(error.code).toBe(Code.Unknown);
      expect(error.rawMessage).toBe(`failed to unmarshal raw schematic: ${reason}`);
    }
  });

  it("validates configs and JSON schemas with Omni's texts", async () => {
    const management = await admin();
    await expect(
      management.validateConfig({ config: "machine:\n  network:\n    hostname: worker-1\n" }),
    ).resolves.toBeDefined();
    const badYaml = await rejection(management.validateConfig({ config: "machine: [" }));
    expect(badYaml.code).toBe(Code.InvalidArgument);
    expect(badYaml.rawMessage).toBe(
      "decode error: yaml: while parsing a flow node at line 1: did not find expected node content",
    );
    const locked = await rejection(
      management.validateConfig({ config: "cluster:\n  clusterName: other\n" }),
    );
    expect(locked.code).toBe(Code.InvalidArgument);
    expect(locked.rawMessage).toBe(
      '1 error occurred:\n\t* overriding "cluster.clusterName" is not allowed in the config patch\n\n',
    );
    const schema = '{"type":"object","properties":{"replicas":{"type":"integer"}}}';
    const invalid = await management.validateJSONSchema({ data: '{"replicas":"3"}', schema });
    expect(invalid.errors).toEqual([
      expect.objectContaining({
        schemaPath: expect.stringMatching(
          /^file:\/\/\/.*\/untitled-schema\.json#\/properties\/replicas$/,
        ),
        dataPath: "/replicas",
        cause: "got string, want integer",
        errors: [],
      }),
    ]);
    const notJson = await rejection(
      management.validateJSONSchema({ data: "{}", schema: "not json" }),
    );
    expect(notJson.code).toBe(Code.Unknown);
    expect(notJson.rawMessage).toBe("invalid character 'o' in literal null (expecting 'u')");
  });

  it("answers revoking a missing key with COSI's not-found as code Unknown", async () => {
    const signer = await serviceAccountSigner(emulator.keys.admin);
    const auth = createClient(
      AuthService,
      transportFor(emulator, protocol, [signingInterceptor(signer)]),
    );
    const missing = "0".repeat(40);
    const error = await rejection(auth.revokePublicKey({ publicKeyId: missing }));
    expect(error.code).toBe(Code.Unknown);
    expect(error.rawMessage).toBe(
      `failed to get: resource PublicKeys.omni.sidero.dev(default/${missing}@undefined) doesn't exist`,
    );
  });
});

describe("the Auditor role", () => {
  it("exists in the newest API and is refused as Omni v1.9.3 refuses it", async () => {
    const newest = await startOmniEmulator({ seed: 18 });
    const v193 = await startOmniEmulator({ seed: 18, omniVersion: "1.9.3" });
    try {
      const current = await managementAs(newest, newest.keys.admin);
      await expect(
        current.createUser({ email: "auditor@example.org", role: "Auditor" }),
      ).resolves.toBeDefined();
      const old = await managementAs(v193, v193.keys.admin);
      const user = await rejection(
        old.createUser({ email: "auditor@example.org", role: "Auditor" }),
      );
      expect(user.code).toBe(Code.Unknown);
      expect(user.rawMessage).toBe('unknown role to parse: "Auditor"');
      const key = await serviceAccountPublicKey("auditor");
      const account = await rejection(
        old.createServiceAccount({
          name: "auditor",
          armoredPgpPublicKey: key.armored,
          role: "Auditor",
        }),
      );
      expect(account.code).toBe(Code.Unknown);
      expect(account.rawMessage).toBe('unknown role to parse: "Auditor"');
    } finally {
      await Promise.all([newest.close(), v193.close()]);
    }
  });
});
