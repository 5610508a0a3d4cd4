import { create } from "@bufbuild/protobuf";
import { Code, createClient } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManagementService } from "../../src/gen/omni/management/management_pb.js";
import { ConfigPatchSpecSchema } from "../../src/gen/omni/specs/omni_pb.js";
import {
  Clusters,
  ConfigPatches,
  generateServiceAccountKey,
  type OmniClient,
  OmniError,
  PermissionDeniedError,
} from "../../src/index.js";
import {
  adminClient,
  createServiceAccount,
  createUser,
  expectOmniError,
  loginWithEcdsa,
  removeUser,
  type TestServiceAccount,
} from "./auth-support.js";
import { failure, realClient, transportNames, uniqueName } from "./harness.js";

/** Omni v1.9.3's roles, lowest first (internal/pkg/auth/role): there is no Auditor. */
const roles = ["None", "InfraProvider", "Reader", "Operator", "Admin"] as const;
type Role = (typeof roles)[number];

const insufficient = (role: Role) => `unauthorized: access denied: insufficient role: "${role}"`;
/** How COSI resource access refuses a role: Omni's validation wraps the role check. */
const resourceDenied = (role: Role) =>
  `failed to validate: 1 error occurred:\n\t* rpc error: code = PermissionDenied desc = ${insufficient(role)}\n\n`;

/**
 * What each call needs on Omni v1.9.3 and how a role below it is refused. `exact` lists the only
 * roles allowed where Omni asks for exact roles rather than a minimum.
 */
interface RoleRule {
  minimum?: Role;
  exact?: readonly Role[];
  denied: (role: Role) => string;
  call: (client: OmniClient, suffix: string) => Promise<unknown>;
}

const patchOf = (id: string) => ({
  metadata: { id },
  spec: create(ConfigPatchSpecSchema, { data: "machine: {}\n" }),
});

const rules: Record<string, RoleRule> = {
  // Any valid signature will do, even the None role's.
  "management.omniconfig": {
    minimum: "None",
    denied: insufficient,
    call: (c) => c.management.omniconfig(),
  },
  "management.validateConfig": {
    minimum: "None",
    denied: insufficient,
    call: (c) => c.management.validateConfig({ config: "machine: {}\n" }),
  },
  "management.talosconfig": {
    minimum: "Reader",
    denied: insufficient,
    call: (c) => c.management.talosconfig(),
  },
  "management.getMachineJoinConfig": {
    minimum: "Reader",
    denied: insufficient,
    call: (c) => c.management.getMachineJoinConfig({}),
  },
  "resources.list(Clusters)": {
    minimum: "Reader",
    denied: resourceDenied,
    call: (c) => c.resources.listAll(Clusters),
  },
  "resources.create + destroy(ConfigPatches)": {
    minimum: "Operator",
    denied: resourceDenied,
    call: async (c, suffix) => {
      const id = `400-roles-${suffix}`;
      await c.resources.create(ConfigPatches, patchOf(id));
      await c.resources.destroy(ConfigPatches, id);
    },
  },
  // Omni asks for exactly one of three roles here, so Reader is refused while InfraProvider is not.
  "management.createSchematicFromRaw": {
    exact: ["InfraProvider", "Operator", "Admin"],
    denied: () => "unauthorized: required exact roles not found",
    call: (c) => c.management.createSchematicFromRaw({ rawSchematic: "customization: {}\n" }),
  },
  "management.listServiceAccounts": {
    minimum: "Admin",
    denied: insufficient,
    call: (c) => c.management.listServiceAccounts(),
  },
  "management.listUsers": {
    minimum: "Admin",
    denied: insufficient,
    call: (c) => c.management.listUsers(),
  },
  "management.readAuditLog": {
    minimum: "Admin",
    denied: insufficient,
    call: async (c) => {
      for await (const _ of c.management.readAuditLog()) {
        return;
      }
    },
  },
};

function allowed(rule: RoleRule, role: Role): boolean {
  if (rule.exact) {
    return rule.exact.includes(role);
  }
  return roles.indexOf(role) >= roles.indexOf(rule.minimum ?? "Admin");
}

const accounts = new Map<Role, TestServiceAccount>();
beforeAll(async () => {
  for (const role of roles) {
    accounts.set(role, await createServiceAccount(role, `roles-${role.toLowerCase()}`));
  }
});
afterAll(async () => {
  const admin = adminClient();
  for (const account of accounts.values()) {
    await admin.management.destroyServiceAccount({ name: account.name });
  }
});

describe("roles of service accounts on real Omni v1.9.3", () => {
  describe.each(roles)("a %s service account", (role) => {
    it.each(Object.entries(rules))("%s", async (name, rule) => {
      const account = accounts.get(role);
      const client = realClient("native gRPC", { auth: account?.auth });
      const suffix = `${role.toLowerCase()}-${uniqueName("p")}`;
      const outcome = await rule.call(client, suffix).then(
        () => undefined,
        (error: unknown) => error,
      );
      if (!allowed(rule, role)) {
        expectOmniError(outcome, PermissionDeniedError, Code.PermissionDenied, rule.denied(role));
        return;
      }
      if (name === "management.createSchematicFromRaw" && outcome !== undefined) {
        // Allowed, then it needs the image factory, which this offline Omni cannot reach.
        expect(outcome).toBeInstanceOf(OmniError);
        expect((outcome as OmniError).code).toBe(Code.Unknown);
        expect((outcome as OmniError).rawMessage).toMatch(/^failed to ensure raw schematic: /);
        return;
      }
      expect(outcome).toBeUndefined();
    });
  });

  it.each(transportNames)("refuses a Reader's write the same way over %s", async (transport) => {
    const reader = realClient(transport, { auth: accounts.get("Reader")?.auth });
    expectOmniError(
      await failure(reader.resources.create(ConfigPatches, patchOf(`400-${uniqueName("r")}`))),
      PermissionDeniedError,
      Code.PermissionDenied,
      resourceDenied("Reader"),
    );
    expectOmniError(
      await failure(reader.management.listServiceAccounts()),
      PermissionDeniedError,
      Code.PermissionDenied,
      insufficient("Reader"),
    );
  });

  it("lists each account with its role, except infra-provider accounts", async () => {
    const roleOf = async (name: string) =>
      (await adminClient().management.listServiceAccounts()).find((each) => each.name === name)
        ?.role;
    for (const [role, account] of accounts) {
      // Omni keeps no ServiceAccountStatus for infra providers, so ListServiceAccounts omits them;
      // the others' statuses come from a controller, a moment after creation.
      await expect
        .poll(() => roleOf(account.name), { timeout: 10_000 })
        .toBe(role === "InfraProvider" ? undefined : role);
    }
  });
});

describe("creating service accounts: Omni v1.9.3's rules", () => {
  it("does not know the Auditor role (newer Omni releases do)", async () => {
    const name = uniqueName("auditor");
    const key = await generateServiceAccountKey({ name, ttlSeconds: 3600 });
    expectOmniError(
      await failure(
        adminClient().management.createServiceAccount({
          name,
          armoredPgpPublicKey: key.armoredPublicKey,
          role: "Auditor",
        }),
      ),
      OmniError,
      Code.Unknown,
      'unknown role to parse: "Auditor"',
    );
  });

  it("ties InfraProvider to the infra-provider: prefix, with plain errors (Unknown)", async () => {
    // The facade refuses these before sending; a raw client shows what Omni itself answers.
    const raw = createClient(ManagementService, adminClient().transport);
    const prefixed = `infra-provider:${uniqueName("ip")}`;
    const plain = uniqueName("plain");
    const cases: [string, string, boolean, string][] = [
      [
        prefixed,
        "Admin",
        false,
        'infra-provider service accounts must have the role "InfraProvider"',
      ],
      [
        prefixed,
        "",
        true,
        'infra provider service accounts must have the role "InfraProvider", but use-user-role was requested',
      ],
      [
        plain,
        "InfraProvider",
        false,
        'service accounts with role "InfraProvider" must be prefixed with "infra-provider:"',
      ],
      [plain, "", false, 'unknown role to parse: ""'],
    ];
    for (const [name, role, useUserRole, message] of cases) {
      const key = await generateServiceAccountKey({ name, ttlSeconds: 3600 });
      expectOmniError(
        await failure(
          raw.createServiceAccount({
            name,
            role,
            useUserRole,
            armoredPgpPublicKey: key.armoredPublicKey,
          }),
        ),
        OmniError,
        Code.Unknown,
        message,
      );
    }
  });

  it("makes a useUserRole account an Admin, whoever creates it", async () => {
    const name = uniqueName("user-role");
    const key = await generateServiceAccountKey({ name, ttlSeconds: 3600 });
    const admin = adminClient();
    await admin.management.createServiceAccount({
      name,
      armoredPgpPublicKey: key.armoredPublicKey,
      useUserRole: true,
    });
    try {
      await expect
        .poll(
          async () =>
            (await admin.management.listServiceAccounts()).find((each) => each.name === name)?.role,
          { timeout: 10_000 },
        )
        .toBe("Admin");
    } finally {
      await admin.management.destroyServiceAccount({ name });
    }
  });
});

describe("roles of users on real Omni v1.9.3", () => {
  it("caps a login key at the role its user had when the key was registered", async () => {
    const email = await createUser("Operator", "roles-user");
    const admin = adminClient();
    const first = await loginWithEcdsa(email);
    const keys = [first];
    try {
      const asFirst = realClient("native gRPC", { auth: first.auth });
      const id = `400-${uniqueName("user")}`;
      await asFirst.resources.create(ConfigPatches, patchOf(id));
      await asFirst.resources.destroy(ConfigPatches, id);

      // Lowering the user's role takes effect at once: the effective role is min(user, key).
      await admin.management.updateUser({ email, role: "Reader" });
      expectOmniError(
        await failure(asFirst.resources.create(ConfigPatches, patchOf(id))),
        PermissionDeniedError,
        Code.PermissionDenied,
        resourceDenied("Reader"),
      );

      // Raising it does not raise keys registered before: they stay at Operator.
      await admin.management.updateUser({ email, role: "Admin" });
      expectOmniError(
        await failure(asFirst.management.listUsers()),
        PermissionDeniedError,
        Code.PermissionDenied,
        insufficient("Operator"),
      );
      const second = await loginWithEcdsa(email);
      keys.push(second);
      const users = await realClient("native gRPC", { auth: second.auth }).management.listUsers();
      expect(users.find((user) => user.email === email)?.role).toBe("Admin");
    } finally {
      await removeUser(email, keys);
    }
  });

  it("refuses to let a user destroy itself", async () => {
    const email = await createUser("Admin", "roles-self");
    const key = await loginWithEcdsa(email);
    try {
      expectOmniError(
        await failure(
          realClient("native gRPC", { auth: key.auth }).management.destroyUser({ email }),
        ),
        OmniError,
        Code.InvalidArgument,
        "destroying your own account is not allowed",
      );
    } finally {
      await removeUser(email, [key]);
    }
  });
});
