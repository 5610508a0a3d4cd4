import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, type HandlerContext } from "@connectrpc/connect";
import {
  AuditLogEventType,
  type CreateUserRequest,
  type CreateUserResponse,
  CreateUserResponseSchema,
  type DestroyUserRequest,
  type ListUsersResponse,
  ListUsersResponse_UserSchema,
  ListUsersResponseSchema,
  type UpdateUserRequest,
} from "../../gen/omni/management/management_pb.js";
import { callerWithRole } from "../caller.js";
import type { IdentityRecord, PublicKeyRecord } from "../identities.js";
import { parseRole } from "../roles.js";
import type { Caller } from "../signature.js";
import { type EmulatorState, invalidArgument } from "../state.js";

const emailPattern = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

function validEmail(email: string): string {
  if (!emailPattern.test(email)) {
    throw invalidArgument(`failed to validate: invalid email "${email}"`);
  }
  return email.toLowerCase();
}

/** The identity UpdateUser changes: Omni reads it through COSI and maps its not-found. */
function existingIdentity(state: EmulatorState, email: string): IdentityRecord {
  const record = state.identities.identity(email);
  if (!record) {
    throw new ConnectError(
      `failed to get: resource Identities.omni.sidero.dev(default/${email.toLowerCase()}@undefined) doesn't exist`,
      Code.NotFound,
    );
  }
  return record;
}

/** Omni keeps an Admin from locking themselves out, whatever the target's state. */
function refuseSelf(caller: Caller, email: string, message: string): void {
  if (caller.email === email.toLowerCase()) {
    throw new ConnectError(message, Code.InvalidArgument);
  }
}

function audit(
  state: EmulatorState,
  caller: Caller,
  eventType: AuditLogEventType,
  email: string,
): void {
  state.auditLog.append({
    timestampMs: state.now().getTime(),
    eventType,
    resourceType: "Users.omni.sidero.dev",
    resourceId: email,
    clusterId: "",
    actor: caller.email,
    role: caller.role,
  });
}

export async function createUser(
  state: EmulatorState,
  request: CreateUserRequest,
  context: HandlerContext,
): Promise<CreateUserResponse> {
  const caller = callerWithRole(context, "Admin");
  const email = validEmail(request.email);
  const role = parseRole(request.role, state.omniVersion);
  if (state.identities.identity(email)) {
    // A plain error in Omni, so gRPC's Unknown rather than AlreadyExists.
    throw new ConnectError(`user with email "${email}" already exists`, Code.Unknown);
  }
  const record = state.identities.addIdentity(email, role);
  audit(state, caller, AuditLogEventType.CREATE, email);
  return create(CreateUserResponseSchema, { userId: record.userId });
}

export async function listUsers(
  state: EmulatorState,
  context: HandlerContext,
): Promise<ListUsersResponse> {
  callerWithRole(context, "Admin");
  const users = state.identities
    .identities()
    .filter((record) => !record.serviceAccount)
    .map((record) =>
      create(ListUsersResponse_UserSchema, {
        id: record.userId,
        email: record.email,
        role: record.role,
        samlLabels: record.samlLabels,
        lastActive: record.lastActive?.toISOString() ?? "",
      }),
    );
  return create(ListUsersResponseSchema, { users });
}

export async function updateUser(
  state: EmulatorState,
  request: UpdateUserRequest,
  context: HandlerContext,
): Promise<void> {
  const caller = callerWithRole(context, "Admin");
  refuseSelf(caller, request.email, "updating your own role is not allowed");
  const role = parseRole(request.role, state.omniVersion);
  // Omni looks the identity up as given: a service account's role changes too.
  const record = existingIdentity(state, request.email);
  record.role = role;
  audit(state, caller, AuditLogEventType.UPDATE, record.email);
}

export async function destroyUser(
  state: EmulatorState,
  request: DestroyUserRequest,
  context: HandlerContext,
): Promise<void> {
  const caller = callerWithRole(context, "Admin");
  refuseSelf(caller, request.email, "destroying your own account is not allowed");
  const email = request.email.toLowerCase();
  const record = state.identities.identity(email);
  if (!record) {
    throw new ConnectError(`user "${request.email}" not found`, Code.NotFound);
  }
  if (record.serviceAccount) {
    throw new ConnectError(
      `identity "${email}": identity is a service account, not a user`,
      Code.InvalidArgument,
    );
  }
  // A login key belongs to Omni's KeyPrunerController, so destroying it fails; the user and
  // its identity go all the same, and the controller prunes the keys, which sign no more.
  const ownedKeys = state.identities
    .keysOf(record.email)
    .sort((a, b) => (a.key.id < b.key.id ? -1 : 1));
  state.identities.removeIdentity(record.email);
  audit(state, caller, AuditLogEventType.DESTROY, record.email);
  if (ownedKeys.length > 0) {
    throw new ConnectError(keyPrunerOwnsKeys(ownedKeys), Code.PermissionDenied);
  }
}

/** The multierror Omni answers with when DestroyUser meets keys the KeyPrunerController owns. */
function keyPrunerOwnsKeys(keys: readonly PublicKeyRecord[]): string {
  // Registering writes a key's first version; confirming it writes the second.
  const errors = keys.map(
    (key) =>
      `* failed to update: resource PublicKeys.omni.sidero.dev(default/${key.key.id}@${key.confirmed ? 2 : 1}) is owned by "KeyPrunerController"`,
  );
  const count = `${keys.length} ${keys.length === 1 ? "error" : "errors"} occurred:`;
  return `${count}\n\t${errors.join("\n\t")}\n\n`;
}
