import { utf8Encoder } from "../auth/encoding.js";
import { ValidationError } from "../errors.js";
import {
  hasControlCharacter,
  isFieldObject,
  MAX_RESOURCE_ID_BYTES,
  utf8Length,
} from "../validation.js";
import type { ResourcePhase, ResourceType } from "./types.js";

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

/** A resource ID by Omni's rules: non-empty, at most 1024 bytes, no control characters. */
export function validateId(id: unknown, argument = "id"): string {
  if (typeof id !== "string" || id === "") {
    throw new ValidationError(argument, "must be a non-empty resource ID");
  }
  if (id.trim() !== id) {
    throw new ValidationError(argument, "must not start or end with whitespace");
  }
  if (hasControlCharacter(id)) {
    throw new ValidationError(argument, "must not contain control characters");
  }
  if (utf8Length(id) > MAX_RESOURCE_ID_BYTES) {
    throw new ValidationError(
      argument,
      `must be at most ${MAX_RESOURCE_ID_BYTES} bytes, the longest resource ID Omni accepts`,
    );
  }
  return id;
}

/** The resources API the helpers (`lockMachine`, the overviews) call; a client in its place is refused. */
export function validateResourcesApi(resources: unknown): void {
  const api = resources as Record<string, unknown> | null;
  if (
    typeof api !== "object" ||
    api === null ||
    typeof api.get !== "function" ||
    typeof api.listAll !== "function" ||
    typeof api.update !== "function"
  ) {
    throw new ValidationError(
      "resources",
      "must be the resources API: an OmniClient's resources, or createResourcesApi()",
    );
  }
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

// Omni's limits for labels and annotations alike (v1.9.3, validations/metadata.go).
const maxMetadataEntries = 256;
const maxMetadataKeyBytes = 1024;
const maxMetadataValueBytes = 16 * 1024;

/**
 * Labels or annotations of a resource being written: an object of strings within Omni's limits
 * (at most 256 entries; keys non-empty and at most 1024 bytes, values at most 16 KiB; no control
 * characters in either). A key is never repeated in an error, as it may be long; a value's entry
 * is named by its key.
 */
export function validateMetadataMap(
  value: unknown,
  argument: string,
): Readonly<Record<string, string>> {
  if (value === undefined) {
    return {};
  }
  if (!isFieldObject(value)) {
    throw new ValidationError(argument, "must be an object of strings by key");
  }
  const entries = Object.entries(value);
  if (entries.length > maxMetadataEntries) {
    throw new ValidationError(
      argument,
      `has ${entries.length} entries; Omni allows at most ${maxMetadataEntries}`,
    );
  }
  for (const [key, entry] of entries) {
    if (key === "") {
      throw new ValidationError(argument, "has an empty key");
    }
    if (utf8Length(key) > maxMetadataKeyBytes) {
      throw new ValidationError(
        argument,
        `has a key longer than the ${maxMetadataKeyBytes} bytes Omni allows`,
      );
    }
    if (hasControlCharacter(key)) {
      throw new ValidationError(argument, "has a key with a control character");
    }
    const entryArgument = `${argument}[${JSON.stringify(key)}]`;
    if (typeof entry !== "string") {
      throw new ValidationError(entryArgument, "must be a string");
    }
    if (utf8Length(entry) > maxMetadataValueBytes) {
      throw new ValidationError(
        entryArgument,
        `must be at most ${maxMetadataValueBytes} bytes (16 KiB), Omni's limit`,
      );
    }
    if (hasControlCharacter(entry)) {
      throw new ValidationError(
        entryArgument,
        "must not contain control characters (line breaks and tabs included)",
      );
    }
  }
  return value as Record<string, string>;
}
