import { Code, createClient } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type OmniEmulator, startOmniEmulator } from "../../src/emulator/index.js";
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
  const signer = await serviceAccountSigner(emulator.keys[role]);
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
