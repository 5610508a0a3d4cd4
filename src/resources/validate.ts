import { utf8Encoder } from "../auth/encoding.js";
import { ValidationError } from "../errors.js";
import type { ResourcePhase, ResourceType } from "./types.js";

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it rejects
const controlCharacters = /[\u0000-\u001f\u007f]/;

/**
 * COSI's server refuses ID regexps longer than this many bytes before parsing them
 * (cosi-project/runtime `ConvertIDQuery`).
 */
const maxRegexpBytes = 4096;

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

/**
 * Checks what can be checked here of an ID regexp. The pattern itself is left to the server: Omni
 * compiles it with Go's RE2, whose syntax differs from JavaScript's both ways (`(?i)` and
 * `(?P<name>...)` are RE2 only, lookaround is JavaScript only), so only Omni can tell if it is
 * valid. A bad one comes back as InvalidArgumentError.
 */
export function validateIdRegex(pattern: unknown, argument = "options.idRegex"): string {
  if (typeof pattern !== "string" || pattern === "") {
    throw new ValidationError(argument, "must be a non-empty regular expression (Go RE2 syntax)");
  }
  // Go measures the pattern in UTF-8 bytes.
  if (utf8Encoder.encode(pattern).length > maxRegexpBytes) {
    throw new ValidationError(argument, `is longer than the ${maxRegexpBytes} bytes Omni accepts`);
  }
  return pattern;
}

export function validatePhase(phase: unknown, argument: string): ResourcePhase {
  if (phase !== "running" && phase !== "tearingDown") {
    throw new ValidationError(argument, 'must be "running" or "tearingDown"');
  }
  return phase;
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
