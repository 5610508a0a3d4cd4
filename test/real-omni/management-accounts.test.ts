import { Code } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import {
  AlreadyExistsError,
  type AuditLogEntry,
  generateServiceAccountKey,
  InvalidArgumentError,
  NotFoundError,
  OmniError,
  PermissionDeniedError,
  serviceAccountAuth,
  UnimplementedError,
} from "../../src/index.js";
import { drain, realClient, realOmni, transportNames, uniqueName } from "./harness.js";
import { expectOmniError, serviceAccountIdentity } from "./management-expect.js";

const hour = 3600;

/** The audit-log entries that mention `text`; Omni writes an entry as the write commits. */
async function auditEntriesAbout(
  transport: (typeof transportNames)[number],
  text: string,
): Promise<AuditLogEntry[]> {
  return drain(realClient(transport).management.readAuditLog({ search: text }));
}

describe.each(transportNames)("management accounts of real Omni over %s", (transport) => {
  const omni = () => realClient(transport);
  const adminIdentity = () => serviceAccountIdentity(realOmni().serviceAccountName);
  const listedAccount = async (name: string) =>
    (await omni().management.listServiceAccounts()).find((account) => account.name === name);
  const listedUser = async (email: string) =>
    (await omni().management.listUsers()).find((user) => user.email === email);

  it("a service account is created, renewed, listed, signs calls and is destroyed", async () => {
    const { management } = omni();
    const name = uniqueName("mgmt-sa");
    const first = await generateServiceAccountKey({ name, ttlSeconds: hour });
    const second = await generateServiceAccountKey({ name, ttlSeconds: hour });
    const created = await management.createServiceAccount({
      name,
      armoredPgpPublicKey: first.armoredPublicKey,
      role: "Reader",
    });
    expect(created.publicKeyId).toBe(first.publicKeyId);
    const renewed = await management.renewServiceAccount({
      name,
      armoredPgpPublicKey: second.armoredPublicKey,
    });
    expect(renewed.publicKeyId).toBe(second.publicKeyId);

    // Omni lists service accounts from a cache, which can lag a write by a moment.
    await expect
      .poll(async () => (await listedAccount(name))?.publicKeys.map((key) => key.id).sort())
      .toEqual([first.publicKeyId, second.publicKeyId].sort());
    const account = await listedAccount(name);
    expect(account).toMatchObject({ name, role: "Reader", lastActive: "" });
    expect(account?.publicKeys.every((key) => key.lastUsed === undefined)).toBe(true);

    // The new key signs calls as the new Reader: it may read, and Omni refuses its writes.
    const reader = realClient(transport, { auth: serviceAccountAuth(second.serviceAccountKey) });
    expect(await reader.management.omniconfig()).toContain(
      `identity: ${serviceAccountIdentity(name)}`,
    );
    await expectOmniError(
      reader.management.createJoinToken({ name: "reader-token" }),
      PermissionDeniedError,
      Code.PermissionDenied,
    );

    await management.destroyServiceAccount({ name });
    await expect.poll(() => listedAccount(name)).toBeUndefined();
    const entries = await auditEntriesAbout(transport, serviceAccountIdentity(name));
    expect(entries).toContainEqual(
      expect.objectContaining({
        eventType: "create",
        resourceType: "Identities.omni.sidero.dev",
        resourceId: serviceAccountIdentity(name),
        actor: adminIdentity(),
      }),
    );
  });

  it("useUserRole gives a service account the creator's role (Admin)", async () => {
    const { management } = omni();
    const name = uniqueName("mgmt-sa-own-role");
    const key = await generateServiceAccountKey({ name, ttlSeconds: hour });
    await management.createServiceAccount({
      name,
      armoredPgpPublicKey: key.armoredPublicKey,
      useUserRole: true,
    });
    await expect.poll(async () => (await listedAccount(name))?.role).toBe("Admin");
    await management.destroyServiceAccount({ name });
  });

  it("service-account mistakes fail with Omni's codes, not all of them specific", async () => {
    const { management } = omni();
    const name = uniqueName("mgmt-sa-dup");
    const key = await generateServiceAccountKey({ name, ttlSeconds: hour });
    await management.createServiceAccount({
      name,
      armoredPgpPublicKey: key.armoredPublicKey,
      role: "Reader",
    });
    await expectOmniError(
      management.createServiceAccount({
        name,
        armoredPgpPublicKey: key.armoredPublicKey,
        role: "Reader",
      }),
      AlreadyExistsError,
      Code.AlreadyExists,
      `service account "${serviceAccountIdentity(name)}" already exists`,
    );
    // The same public key twice is a COSI conflict that Omni passes on without a code.
    await expectOmniError(
      management.renewServiceAccount({ name, armoredPgpPublicKey: key.armoredPublicKey }),
      OmniError,
      Code.Unknown,
      `failed to create: resource PublicKeys.omni.sidero.dev(default/${key.publicKeyId}@undefined) already exists`,
    );
    await management.destroyServiceAccount({ name });
    await expectOmniError(
      management.destroyServiceAccount({ name }),
      NotFoundError,
      Code.NotFound,
      `service account "${name}" not found`,
    );
    // Renewing an account that does not exist is Unknown too, where destroying it is NotFound.
    await expectOmniError(
      management.renewServiceAccount({ name, armoredPgpPublicKey: key.armoredPublicKey }),
      OmniError,
      Code.Unknown,
      `failed to get: resource Identities.omni.sidero.dev(default/${serviceAccountIdentity(name)}@undefined) doesn't exist`,
    );
  });

  it("a created user is listed with its role, updateUser changes it, destroyUser removes it", async () => {
    const { management } = omni();
    const email = `${uniqueName("mgmt-user")}@example.com`;
    const id = await management.createUser({ email, role: "Reader" });
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    await expect
      .poll(() => listedUser(email))
      .toEqual({
        id,
        email,
        role: "Reader",
        samlLabels: {},
        lastActive: "",
      });
    await management.updateUser({ email, role: "Operator" });
    await expect.poll(async () => (await listedUser(email))?.role).toBe("Operator");
    await management.destroyUser({ email });
    await expect.poll(() => listedUser(email)).toBeUndefined();

    const about = (eventType: string, resourceType: string, resourceId: string) =>
      expect.objectContaining({ eventType, resourceType, resourceId, actor: adminIdentity() });
    const byEmail = await auditEntriesAbout(transport, email);
    for (const eventType of ["create", "teardown", "destroy"]) {
      expect(byEmail).toContainEqual(about(eventType, "Identities.omni.sidero.dev", email));
      expect(byEmail).toContainEqual(about(eventType, "Users.omni.sidero.dev", id));
    }
    // The role change is recorded on the user by ID only; its record does not name the email.
    const byId = await drain(management.readAuditLog({ resourceId: id, eventType: "update" }));
    expect(byId.map((entry) => entry.record.event_data)).toContainEqual(
      expect.objectContaining({ new_user: { id, role: "Operator" } }),
    );
  });

  it("Omni stores an email in lower case and has no Auditor role yet", async () => {
    const { management } = omni();
    const local = uniqueName("Mixed-Case");
    await management.createUser({ email: `${local}@Example.COM`, role: "None" });
    const stored = `${local.toLowerCase()}@example.com`;
    await expect.poll(async () => (await listedUser(stored))?.role).toBe("None");
    await management.destroyUser({ email: stored });
    // The SDK knows the newer Auditor role; v1.9.3 cannot parse it and answers without a code.
    await expectOmniError(
      management.createUser({ email: `${uniqueName("auditor")}@example.com`, role: "Auditor" }),
      OmniError,
      Code.Unknown,
      'unknown role to parse: "Auditor"',
    );
  });

  it("user mistakes fail with Omni's codes", async () => {
    const { management } = omni();
    const email = `${uniqueName("mgmt-user-dup")}@example.com`;
    await management.createUser({ email, role: "Reader" });
    await expectOmniError(
      management.createUser({ email, role: "Reader" }),
      OmniError,
      Code.Unknown,
      `user with email "${email}" already exists`,
    );
    await management.destroyUser({ email });
    await expectOmniError(
      management.destroyUser({ email }),
      NotFoundError,
      Code.NotFound,
      `user "${email}" not found`,
    );
    await expectOmniError(
      management.updateUser({ email, role: "Admin" }),
      NotFoundError,
      Code.NotFound,
      `failed to get: resource Identities.omni.sidero.dev(default/${email}@undefined) doesn't exist`,
    );
  });

  it("readAuditLog filters and orders what it reads", async () => {
    const { management } = omni();
    const email = `${uniqueName("mgmt-audit")}@example.com`;
    await management.createUser({ email, role: "Reader" });
    await management.destroyUser({ email });
    const ascending = await drain(management.readAuditLog({ search: email }));
    const descending = await drain(management.readAuditLog({ search: email, orderByDir: "desc" }));
    expect(ascending.length).toBeGreaterThanOrEqual(3);
    // Entries of the same millisecond come in no fixed order, so only the times are compared.
    const times = (entries: AuditLogEntry[]) => entries.map((entry) => entry.time?.getTime() ?? 0);
    expect(times(ascending)).toEqual(times(ascending).sort((a, b) => a - b));
    expect(times(descending)).toEqual(times(ascending).reverse());
    expect(descending).toEqual(expect.arrayContaining(ascending));
    const created = await drain(management.readAuditLog({ search: email, eventType: "create" }));
    expect(created.length).toBeGreaterThan(0);
    expect(created.every((entry) => entry.eventType === "create")).toBe(true);
    // v1.9.3 has no positions: every entry carries 0.
    expect(ascending.every((entry) => entry.id === 0n)).toBe(true);
    // Days before any of this happened hold nothing.
    expect(
      await drain(management.readAuditLog({ startTime: "2020-01-01", endTime: "2020-01-02" })),
    ).toEqual([]);
  });

  it("following the audit log is newer than v1.9.3: UnimplementedError on every transport", async () => {
    const error = await expectOmniError(
      omni().management.readAuditLog({ follow: true }),
      UnimplementedError,
      Code.Unimplemented,
      "this Omni cannot follow the audit log: it is older than the follow mode of ReadAuditLog",
    );
    expect(error.method).toBe("/management.ManagementService/ReadAuditLog");
  });

  it("newer audit-log options: binary protobuf drops them, the gateway refuses them", async () => {
    const { management } = omni();
    const email = `${uniqueName("mgmt-audit-new")}@example.com`;
    await management.createUser({ email, role: "Reader" });
    await management.destroyUser({ email });
    const newer = [
      // The position in the message is where the field sits in the JSON body.
      [{ startTsMs: Date.now() + 3_600_000 }, /^proto: \(line 1:\d+\): unknown field "startTsMs"$/],
      [{ fromId: 1_000_000 }, /^proto: \(line 1:\d+\): unknown field "fromId"$/],
      [
        { eventType: "audit-log-access" },
        /^proto: \(line 1:\d+\): invalid value for enum field eventType: "AUDIT_LOG_EVENT_TYPE_AUDIT_LOG_ACCESS"$/,
      ],
    ] as const;
    for (const [option, gatewayMessage] of newer) {
      const read = () => drain(management.readAuditLog({ search: email, ...option }));
      if (transport === "gateway") {
        await expectOmniError(read, InvalidArgumentError, Code.InvalidArgument, gatewayMessage);
      } else {
        // Ignored: the entries come as if the option had not been given.
        expect((await read()).length).toBeGreaterThan(0);
      }
    }
  });
});
