import { Code, ConnectError } from "@connectrpc/connect";

/** Omni's roles, lowest first; the order is what role checks compare. */
export const roles = ["None", "Reader", "Operator", "Admin"] as const;
export type Role = (typeof roles)[number];

export function isRole(value: string): value is Role {
  return (roles as readonly string[]).includes(value);
}

export function roleRank(role: Role): number {
  return roles.indexOf(role);
}

export function minRole(a: Role, b: Role): Role {
  return roleRank(a) <= roleRank(b) ? a : b;
}

/** Throws Omni's PERMISSION_DENIED answer when `actual` is below `required`. */
export function requireRole(actual: Role, required: Role): void {
  if (roleRank(actual) < roleRank(required)) {
    throw new ConnectError(
      `unauthorized: access denied: insufficient role: "${actual}"`,
      Code.PermissionDenied,
    );
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
