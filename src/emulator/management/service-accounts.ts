import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type HandlerContext } from "@connectrpc/connect";
import {
  AuditLogEventType,
  type CreateServiceAccountRequest,
  type CreateServiceAccountResponse,
  CreateServiceAccountResponseSchema,
  type DestroyServiceAccountRequest,
  type ListServiceAccountsResponse,
  ListServiceAccountsResponse_ServiceAccount_PgpPublicKeySchema,
  ListServiceAccountsResponse_ServiceAccountSchema,
  ListServiceAccountsResponseSchema,
  type RenewServiceAccountRequest,
  type RenewServiceAccountResponse,
  RenewServiceAccountResponseSchema,
} from "../../gen/omni/management/management_pb.js";
import { callerWithRole } from "../caller.js";
import {
  isInfraProviderServiceAccount,
  serviceAccountBaseName,
  serviceAccountIdentity,
  serviceAccountName,
} from "../identities.js";
import { type ParsedPublicKey, parsePgpPublicKey } from "../public-keys.js";
import { parseRole, type Role } from "../roles.js";
import type { Caller } from "../signature.js";
import { type EmulatorState, invalidArgument } from "../state.js";

/** Omni's `ServiceAccountMaxAllowedLifetime`. */
export const serviceAccountMaxLifetimeMs = 365 * 24 * 3600 * 1000;

/**
 * Omni's identity rule for service accounts: the identity must be lowercase (created as an
 * internal actor, it is not checked as an e-mail address). Whitespace and "@" are refused as
 * well, since no signature header could name such an identity.
 */
function validateName(name: string): void {
  if (name === "") {
    throw invalidArgument("failed to validate: service account name is required");
  }
  if (/\p{Lu}/u.test(name)) {
    throw invalidArgument("failed to validate: must be lowercase");
  }
  const base = serviceAccountBaseName(name);
  if (base === "" || /[\s@]/.test(base)) {
    throw invalidArgument(`failed to validate: invalid service account name "${name}"`);
  }
}

function validateKey(armored: string): Promise<ParsedPublicKey> {
  return parsePgpPublicKey(armored, { maxLifetimeMs: serviceAccountMaxLifetimeMs });
}

function audit(
  state: EmulatorState,
  caller: Caller,
  eventType: AuditLogEventType,
  name: string,
): void {
  state.auditLog.append({
    timestampMs: state.now().getTime(),
    eventType,
    resourceType: "Identities.omni.sidero.dev",
    resourceId: serviceAccountIdentity(name),
    clusterId: "",
    actor: caller.email,
    role: caller.role,
  });
}

/**
 * The role a new service account gets. Omni gives the InfraProvider role to `infra-provider:`
 * accounts only, and requires it of them, refusing a mismatch with a plain error (code Unknown).
 * `useUserRole` makes an Admin, whoever asks: only an Admin may create service accounts.
 */
function serviceAccountRole(state: EmulatorState, request: CreateServiceAccountRequest): Role {
  const infraProvider = isInfraProviderServiceAccount(request.name);
  if (request.useUserRole && infraProvider) {
    throw new ConnectError(
      'infra provider service accounts must have the role "InfraProvider", but use-user-role was requested',
      Code.Unknown,
    );
  }
  if (request.useUserRole) {
    return "Admin";
  }
  const role = parseRole(request.role, state.omniVersion);
  if (infraProvider && role !== "InfraProvider") {
    throw new ConnectError(
      'infra-provider service accounts must have the role "InfraProvider"',
      Code.Unknown,
    );
  }
  if (!infraProvider && role === "InfraProvider") {
    throw new ConnectError(
      'service accounts with role "InfraProvider" must be prefixed with "infra-provider:"',
      Code.Unknown,
    );
  }
  return role;
}

/** COSI's conflict when a key's resource exists already, as Omni's state words it. */
function keyExists(id: string, code: Code): ConnectError {
  return new ConnectError(
    `failed to create: resource PublicKeys.omni.sidero.dev(default/${id}@undefined) already exists`,
    code,
  );
}

export async function createServiceAccount(
  state: EmulatorState,
  request: CreateServiceAccountRequest,
  context: HandlerContext,
): Promise<CreateServiceAccountResponse> {
  const caller = callerWithRole(context, "Admin");
  validateName(request.name);
  const role = serviceAccountRole(state, request);
  const identity = serviceAccountIdentity(request.name);
  if (state.identities.identity(identity)) {
    throw new ConnectError(`service account "${identity}" already exists`, Code.AlreadyExists);
  }
  const key = await validateKey(request.armoredPgpPublicKey);
  if (state.identities.key(key.id)) {
    // Omni maps COSI's conflict to AlreadyExists here (RenewServiceAccount does not).
    throw keyExists(key.id, Code.AlreadyExists);
  }
  state.identities.addIdentity(identity, role, { serviceAccount: true });
  state.identities.addKey(key, identity, role, true);
  audit(state, caller, AuditLogEventType.CREATE, request.name);
  return create(CreateServiceAccountResponseSchema, { publicKeyId: key.id });
}

/**
 * Renewing reads the account's identity and passes COSI's errors on unwrapped: a missing account
 * and a key registered before are code Unknown.
 */
export async function renewServiceAccount(
  state: EmulatorState,
  request: RenewServiceAccountRequest,
  context: HandlerContext,
): Promise<RenewServiceAccountResponse> {
  const caller = callerWithRole(context, "Admin");
  const identity = serviceAccountIdentity(request.name);
  const account = state.identities.identity(identity);
  if (!account?.serviceAccount) {
    throw new ConnectError(
      `failed to get: resource Identities.omni.sidero.dev(default/${identity}@undefined) doesn't exist`,
      Code.Unknown,
    );
  }
  const key = await validateKey(request.armoredPgpPublicKey);
  if (state.identities.key(key.id)) {
    throw keyExists(key.id, Code.Unknown);
  }
  state.identities.addKey(key, account.email, account.role, true);
  audit(state, caller, AuditLogEventType.UPDATE, request.name);
  return create(RenewServiceAccountResponseSchema, { publicKeyId: key.id });
}

export async function listServiceAccounts(
  state: EmulatorState,
  context: HandlerContext,
): Promise<ListServiceAccountsResponse> {
  callerWithRole(context, "Admin");
  const serviceAccounts = state.identities
    .identities()
    // Omni lists the accounts its controller keeps a status for, which infra providers lack.
    .filter(
      (record) =>
        record.serviceAccount && !isInfraProviderServiceAccount(serviceAccountName(record.email)),
    )
    .map((record) =>
      create(ListServiceAccountsResponse_ServiceAccountSchema, {
        name: serviceAccountName(record.email),
        role: record.role,
        lastActive: record.lastActive?.toISOString() ?? "",
        pgpPublicKeys: state.identities.keysOf(record.email).map((key) =>
          create(ListServiceAccountsResponse_ServiceAccount_PgpPublicKeySchema, {
            id: key.key.id,
            armored: key.key.armored,
            expiration: timestampFromDate(key.key.expiration),
            created: timestampFromDate(key.key.created),
            lastUsed: key.lastUsed ? timestampFromDate(key.lastUsed) : undefined,
          }),
        ),
      }),
    );
  return create(ListServiceAccountsResponseSchema, { serviceAccounts });
}

export async function destroyServiceAccount(
  state: EmulatorState,
  request: DestroyServiceAccountRequest,
  context: HandlerContext,
): Promise<void> {
  const caller = callerWithRole(context, "Admin");
  const identity = serviceAccountIdentity(request.name);
  if (caller.email === identity.toLowerCase()) {
    throw new ConnectError(
      "destroying your own service account is not allowed",
      Code.InvalidArgument,
    );
  }
  const account = state.identities.identity(identity);
  if (!account?.serviceAccount) {
    throw new ConnectError(`service account "${request.name}" not found`, Code.NotFound);
  }
  state.identities.removeIdentity(account.email);
  audit(state, caller, AuditLogEventType.DESTROY, request.name);
}
