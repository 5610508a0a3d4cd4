import { Code, createClient } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateServiceAccountKey } from "../../src/auth/service-account-key.js";
import { type OmniEmulator, startOmniEmulator } from "../../src/emulator/index.js";
import { minRole } from "../../src/emulator/roles.js";
import { ManagementService } from "../../src/gen/omni/management/management_pb.js";
import { State } from "../../src/gen/v1alpha1/state_pb.js";
import {
  metadataInterceptor,
  rejection,
  serviceAccountSigner,
  signingInterceptor,
  transportFor,
} from "./support.js";

let emulator: OmniEmulator;

beforeAll(async () => {
  emulator = await startOmniEmulator({ seed: 9 });
});
afterAll(() => emulator.close());

async function clientsFor(role: "admin" | "operator" | "reader") {
  return clientsForKey(emulator.keys[role]);
}

async function clientsForKey(serviceAccountKey: string) {
  const signer = await serviceAccountSigner(serviceAccountKey);
  return {
    management: createClient(
      ManagementService,
      transportFor(emulator, "grpc", [
        metadataInterceptor({ context: "production" }),
        signingInterceptor(signer),
      ]),
    ),
    state: createClient(State, transportFor(emulator, "grpc", [signingInterceptor(signer)])),
  };
}

describe("roles", () => {
  it("lets a Reader read and refuses it anything above", async () => {
    const { management } = await clientsFor("reader");
    await expect(management.kubeconfig({})).resolves.toBeDefined();
    const denied = await rejection(management.kubernetesUpgradePreChecks({ newVersion: "1.33.3" }));
    expect(denied.code).toBe(Code.PermissionDenied);
    expect(denied.rawMessage).toBe('unauthorized: access denied: insufficient role: "Reader"');
  });

  it("keeps service accounts and users for Admins", async () => {
    const { management } = await clientsFor("operator");
    await expect(
      management.kubernetesUpgradePreChecks({ newVersion: "1.33.3" }),
    ).resolves.toBeDefined();
    for (const call of [
      () => management.listServiceAccounts({}),
      () => management.createUser({ email: "a@b.co", role: "Reader" }),
    ]) {
      const error = await rejection(call());
      expect(error.code).toBe(Code.PermissionDenied);
      expect(error.rawMessage).toContain('"Operator"');
    }
  });

  it("applies roles to cosi.resource.State", async () => {
    const reader = await clientsFor("reader");
    const listed = [];
    for await (const item of reader.state.list({
      namespace: "default",
      type: "Clusters.omni.sidero.dev",
    })) {
      listed.push(item);
    }
    expect(listed.length).toBeGreaterThan(0);
    const error = await rejection(
      reader.state.destroy({ namespace: "default", type: "Clusters.omni.sidero.dev", id: "dev" }),
    );
    expect(error.code).toBe(Code.PermissionDenied);
  });

  it("lets Auditors and Admins read the audit log, and not Operators, who outrank Auditors", async () => {
    const admin = await clientsFor("admin");
    const auditor = await generateServiceAccountKey({ name: "auditor", ttlSeconds: 3600 });
    await admin.management.createServiceAccount({
      name: "auditor",
      armoredPgpPublicKey: auditor.armoredPublicKey,
      role: "Auditor",
    });
    const readFirst = async (clients: Awaited<ReturnType<typeof clientsFor>>) => {
      for await (const entry of clients.management.readAuditLog({})) {
        return entry;
      }
      return undefined;
    };
    await expect(readFirst(await clientsForKey(auditor.serviceAccountKey))).resolves.toBeDefined();
    await expect(readFirst(admin)).resolves.toBeDefined();
    const denied = await rejection(readFirst(await clientsFor("operator")));
    expect(denied.code).toBe(Code.PermissionDenied);
    // An Auditor reads resources like a Reader and writes nothing.
    const asAuditor = await clientsForKey(auditor.serviceAccountKey);
    await expect(asAuditor.management.kubeconfig({})).resolves.toBeDefined();
    const write = await rejection(
      asAuditor.management.kubernetesUpgradePreChecks({ newVersion: "1.33.3" }),
    );
    expect(write.code).toBe(Code.PermissionDenied);
  });

  it("takes any lowercase service-account name, as Omni does, and refuses capitals", async () => {
    const admin = await clientsFor("admin");
    const create = async (name: string) => {
      const key = await generateServiceAccountKey({ name, ttlSeconds: 3600 });
      return admin.management.createServiceAccount({
        name,
        armoredPgpPublicKey: key.armoredPublicKey,
        role: "Reader",
      });
    };
    await expect(create("ci_bot.v2")).resolves.toBeDefined();
    const capitals = await rejection(create("CI-Bot"));
    expect(capitals.code).toBe(Code.InvalidArgument);
    expect(capitals.rawMessage).toContain("must be lowercase");
  });

  it("keeps audit-log access in a combined role only when both sides have it", () => {
    expect(minRole("Operator", "Auditor")).toBe("Reader");
    expect(minRole("Admin", "Auditor")).toBe("Auditor");
    expect(minRole("Auditor", "Auditor")).toBe("Auditor");
    expect(minRole("Operator", "Reader")).toBe("Reader");
    expect(minRole("InfraProvider", "Admin")).toBe("InfraProvider");
  });

  it("creates infra-provider service accounts only with the InfraProvider role", async () => {
    const admin = await clientsFor("admin");
    const key = await generateServiceAccountKey({ name: "infra-provider:aws-1", ttlSeconds: 3600 });
    const create = (role: string, useUserRole = false) =>
      admin.management.createServiceAccount({
        name: "infra-provider:aws-1",
        armoredPgpPublicKey: key.armoredPublicKey,
        role,
        useUserRole,
      });
    const wrongRole = await rejection(create("Admin"));
    expect(wrongRole.code).toBe(Code.Unknown);
    expect(wrongRole.rawMessage).toBe(
      'infra-provider service accounts must have the role "InfraProvider"',
    );
    const userRole = await rejection(create("", true));
    expect(userRole.code).toBe(Code.Unknown);
    expect(userRole.rawMessage).toBe(
      'infra provider service accounts must have the role "InfraProvider", but use-user-role was requested',
    );
    const plain = await generateServiceAccountKey({ name: "aws-2", ttlSeconds: 3600 });
    const misnamed = await rejection(
      admin.management.createServiceAccount({
        name: "aws-2",
        armoredPgpPublicKey: plain.armoredPublicKey,
        role: "InfraProvider",
      }),
    );
    expect(misnamed.code).toBe(Code.Unknown);
    expect(misnamed.rawMessage).toBe(
      'service accounts with role "InfraProvider" must be prefixed with "infra-provider:"',
    );
    await create("InfraProvider");
    // Omni keeps no ServiceAccountStatus for infra providers, so ListServiceAccounts omits them.
    const { serviceAccounts } = await admin.management.listServiceAccounts({});
    expect(serviceAccounts.map((account) => account.name)).not.toContain("infra-provider:aws-1");
    // Its key signs as aws-1@infra-provider.serviceaccount.omni.sidero.dev; the role reads nothing.
    const provider = await clientsForKey(key.serviceAccountKey);
    const denied = await rejection(provider.management.kubeconfig({}));
    expect(denied.code).toBe(Code.PermissionDenied);
    expect(denied.rawMessage).toContain('"InfraProvider"');
  });

  it("follows role changes of a user at once", async () => {
    const admin = await clientsFor("admin");
    emulator.addUser("changing@example.org", "Admin");
    expect(emulator.users().find((user) => user.email === "changing@example.org")?.role).toBe(
      "Admin",
    );
    await admin.management.updateUser({ email: "changing@example.org", role: "Reader" });
    expect(emulator.users().find((user) => user.email === "changing@example.org")?.role).toBe(
      "Reader",
    );
  });
});
