import type { HandlerContext } from "@connectrpc/connect";
import { parseAllDocuments } from "yaml";
import type { ValidateConfigRequest } from "../../gen/omni/management/management_pb.js";
import { signedCaller } from "../caller.js";
import { invalidArgument } from "../state.js";

/** Fields Omni owns in a machine config; a patch that sets them is rejected. */
const forbiddenPaths: ReadonlyArray<readonly [string, string]> = [
  ["machine", "token"],
  ["machine", "ca"],
  ["machine", "acceptedCAs"],
  ["cluster", "id"],
  ["cluster", "secret"],
  ["cluster", "token"],
  ["cluster", "ca"],
  ["cluster", "aggregatorCA"],
  ["cluster", "serviceAccount"],
  ["cluster", "aescbcEncryptionSecret"],
  ["cluster", "secretboxEncryptionSecret"],
  ["cluster", "clusterName"],
];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Validates a Talos config patch: YAML documents that are either a v1alpha1 patch (`machine`,
 * `cluster`, `version`, `debug`, `persist`) or a typed document with `apiVersion` and `kind`.
 */
export async function validateConfig(
  request: ValidateConfigRequest,
  context: HandlerContext,
): Promise<void> {
  // Omni needs only a valid signature here.
  signedCaller(context);
  const documents = parseAllDocuments(request.config);
  for (const [index, document] of (Array.isArray(documents) ? documents : [documents]).entries()) {
    const firstError = document.errors[0];
    if (firstError) {
      throw invalidArgument(`failed to validate: document ${index + 1}: ${firstError.message}`);
    }
    const value: unknown = document.toJS();
    if (value === null || value === undefined) {
      continue;
    }
    if (!isObject(value)) {
      throw invalidArgument(`failed to validate: document ${index + 1} is not a mapping`);
    }
    const typed = "apiVersion" in value || "kind" in value;
    if (typed) {
      if (typeof value.kind !== "string" || value.kind === "") {
        throw invalidArgument(`failed to validate: document ${index + 1}: missing kind`);
      }
      continue;
    }
    for (const key of Object.keys(value)) {
      if (!["version", "debug", "persist", "machine", "cluster"].includes(key)) {
        throw invalidArgument(`failed to validate: document ${index + 1}: unknown field "${key}"`);
      }
    }
    for (const [section, field] of forbiddenPaths) {
      const part = value[section];
      if (isObject(part) && field in part) {
        throw invalidArgument(
          `failed to validate: overriding "${section}.${field}" is not allowed`,
        );
      }
    }
  }
}
