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
import type { IdentityRecord } from "../identities.js";
import { parseRole } from "../roles.js";
import type { Caller } from "../signature.js";
import { type EmulatorState, invalidArgument, resourceNotFound } from "../state.js";

const emailPattern = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

function validEmail(email: string): string {
  if (!emailPattern.test(email)) {
    throw invalidArgument(`failed to validate: invalid email "${email}"`);
  }
  return email.toLowerCase();
}

function existingUser(state: EmulatorState, email: string): IdentityRecord {
  const record = state.identities.identity(email);
  if (!record || record.serviceAccount) {
    throw resourceNotFound("Identities.omni.sidero.dev", email.toLowerCase());
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
  const role = parseRole(request.role, "role");
  if (state.identities.identity(email)) {
    throw new ConnectError(`user "${email}" already exists`, Code.AlreadyExists);
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
  const record = existingUser(state, validEmail(request.email));
  record.role = parseRole(request.role, "role");
  audit(state, caller, AuditLogEventType.UPDATE, record.email);
}

export async function destroyUser(
  state: EmulatorState,
  request: DestroyUserRequest,
  context: HandlerContext,
): Promise<void> {
  const caller = callerWithRole(context, "Admin");
  refuseSelf(caller, request.email, "destroying your own account is not allowed");
  const email = validEmail(request.email);
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
  state.identities.removeIdentity(record.email);
  audit(state, caller, AuditLogEventType.DESTROY, record.email);
}
