import { Code, ConnectError } from "@connectrpc/connect";

/**
 * Omni's roles, lowest first; the order is what role checks compare. InfraProvider is for infra
 * providers' service accounts only; Auditor reads like Reader and may also read the audit log.
 */
export const roles = ["None", "InfraProvider", "Reader", "Auditor", "Operator", "Admin"] as const;
export type Role = (typeof roles)[number];

export function isRole(value: string): value is Role {
  return (roles as readonly string[]).includes(value);
}

export function roleRank(role: Role): number {
  return roles.indexOf(role);
}

/** Audit-log access goes by role, not rank: Operator outranks Auditor but may not read it. */
export function canReadAuditLog(role: Role): boolean {
  return role === "Auditor" || role === "Admin";
}

/**
 * The less capable role. Audit-log access is kept only when both have it: an Operator's key
 * registered as Auditor reads like a Reader, as in Omni.
 */
export function minRole(a: Role, b: Role): Role {
  const lower = roleRank(a) <= roleRank(b) ? a : b;
  return lower === "Auditor" && !(canReadAuditLog(a) && canReadAuditLog(b)) ? "Reader" : lower;
}

/** Omni's PERMISSION_DENIED answer to a caller whose role does not allow the call. */
function insufficientRole(actual: Role): ConnectError {
  return new ConnectError(
    `unauthorized: access denied: insufficient role: "${actual}"`,
    Code.PermissionDenied,
  );
}

/** Throws Omni's PERMISSION_DENIED answer when `actual` is below `required`. */
export function requireRole(actual: Role, required: Role): void {
  if (roleRank(actual) < roleRank(required)) {
    throw insufficientRole(actual);
  }
}

/** Throws Omni's PERMISSION_DENIED answer unless `actual` is one of `allowed` (Omni's exact roles). */
export function requireExactRole(actual: Role, allowed: readonly Role[]): void {
  if (!allowed.includes(actual)) {
    throw insufficientRole(actual);
  }
}

/** Throws Omni's PERMISSION_DENIED answer for a role that may not read the audit log. */
export function requireAuditLogAccess(actual: Role): void {
  if (!canReadAuditLog(actual)) {
    throw insufficientRole(actual);
  }
}

/** Parses a role sent by a client; Omni rejects unknown names as an invalid argument. */
export function parseRole(value: string, field: string): Role {
  if (!isRole(value)) {
    throw new ConnectError(
      `failed to validate: ${field}: unknown role "${value}"`,
      Code.InvalidArgument,
    );
  }
  return value;
}
