import { ValidationError } from "../errors.js";

/**
 * The roles Omni knows, lowest first. Omni matches them exactly (`Admin`, not `admin`). `Auditor`
 * is newer than some servers, which answer it with an error of their own.
 */
export const omniRoles = [
  "None",
  "InfraProvider",
  "Reader",
  "Auditor",
  "Operator",
  "Admin",
] as const;

export type OmniRole = (typeof omniRoles)[number];

function isOmniRole(value: unknown): value is OmniRole {
  return (omniRoles as readonly unknown[]).includes(value);
}

export function requireRole(argument: string, value: unknown): OmniRole {
  if (!isOmniRole(value)) {
    throw new ValidationError(argument, `must be one of ${omniRoles.join(", ")}`);
  }
  return value;
}
