import { Code, ConnectError } from "@connectrpc/connect";
import type { OmniVersion } from "./versions.js";

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
    throw new ConnectError("unauthorized: required exact roles not found", Code.PermissionDenied);
  }
}

/** Throws Omni's PERMISSION_DENIED answer for a role that may not read the audit log. */
export function requireAuditLogAccess(actual: Role): void {
  if (!canReadAuditLog(actual)) {
    throw insufficientRole(actual);
  }
}

/** Whether `version` knows the Auditor role: releases up to v1.9 do not. */
export function auditorRoleKnown(version: OmniVersion | undefined): boolean {
  return version === undefined || version.major > 1 || (version.major === 1 && version.minor >= 10);
}

/**
 * Parses a role sent by a client as Omni's `role.Parse` does: an unknown name, and Auditor on
 * a release that predates it, is a plain error, which gRPC sends as code Unknown. `prefix`
 * is the wrapping some calls add (`failed to parse role for public key: `).
 */
export function parseRole(value: string, version: OmniVersion | undefined, prefix = ""): Role {
  if (!isRole(value) || (value === "Auditor" && !auditorRoleKnown(version))) {
    throw new ConnectError(`${prefix}unknown role to parse: "${value}"`, Code.Unknown);
  }
  return value;
}
