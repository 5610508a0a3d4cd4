import { ValidationError } from "../errors.js";
import type { ResourceType } from "./types.js";

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it rejects
const controlCharacters = /[\u0000-\u001f\u007f]/;

/** Omni's server rejects ID regexps longer than this before compiling them. */
const maxRegexpLength = 4096;

/**
 * Constructs JavaScript accepts but Go's RE2 (what Omni compiles the query with) rejects:
 * lookaround and backreferences.
 */
const re2Unsupported = /\(\?<?[=!]|\\[1-9]|\\k</;

export function validateResourceType(type: ResourceType, argument = "type"): void {
  if (
    typeof type !== "object" ||
    type === null ||
    typeof type.type !== "string" ||
    type.type === "" ||
    typeof type.namespace !== "string"
  ) {
    throw new ValidationError(
      argument,
      "must be a resource type descriptor such as Clusters, or one made with rawResourceType()",
    );
  }
}

export function validateId(id: unknown, argument = "id"): string {
  if (typeof id !== "string" || id === "") {
    throw new ValidationError(argument, "must be a non-empty resource ID");
  }
  if (id.trim() !== id) {
    throw new ValidationError(argument, "must not start or end with whitespace");
  }
  if (controlCharacters.test(id)) {
    throw new ValidationError(argument, "must not contain control characters");
  }
  return id;
}

export function validateNamespace(namespace: unknown, argument = "namespace"): string {
  if (typeof namespace !== "string" || namespace.trim() === "" || namespace.trim() !== namespace) {
    throw new ValidationError(argument, "must be a non-empty namespace such as default");
  }
  return namespace;
}

export function validateIdRegex(pattern: unknown, argument = "options.idRegex"): string {
  if (typeof pattern !== "string" || pattern === "") {
    throw new ValidationError(argument, "must be a non-empty regular expression");
  }
  if (pattern.length > maxRegexpLength) {
    throw new ValidationError(
      argument,
      `is longer than the ${maxRegexpLength} characters Omni accepts`,
    );
  }
  if (re2Unsupported.test(pattern)) {
    throw new ValidationError(
      argument,
      "uses lookaround or a backreference, which Omni's regular expressions (Go RE2) do not support",
    );
  }
  try {
    new RegExp(pattern);
  } catch (error) {
    throw new ValidationError(
      argument,
      `is not a valid regular expression (${(error as Error).message})`,
    );
  }
  return pattern;
}

export function validateStringRecord(
  value: unknown,
  argument: string,
): Readonly<Record<string, string>> {
  if (value === undefined) {
    return {};
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ValidationError(argument, "must be a record of strings");
  }
  for (const [key, entry] of Object.entries(value)) {
    if (key === "" || typeof entry !== "string") {
      throw new ValidationError(
        argument,
        `entry ${JSON.stringify(key)} must have a non-empty key and a string value`,
      );
    }
  }
  return value as Record<string, string>;
}
