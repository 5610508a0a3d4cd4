import type { HandlerContext } from "@connectrpc/connect";
import { isMap, type Node, stringify } from "yaml";
import type { ValidateConfigRequest } from "../../gen/omni/management/management_pb.js";
import { signedCaller } from "../caller.js";
import { invalidArgument } from "../state.js";
import { goTag, parseGoYaml } from "./go-yaml.js";

/** Fields Omni owns in a machine config (v1.9.3's list); a patch that sets them is rejected. */
const forbiddenFields = [
  "cluster.clusterName",
  "cluster.id",
  "cluster.controlPlane.endpoint",
  "cluster.token",
  "cluster.secret",
  "cluster.aescbcEncryptionSecret",
  "cluster.secretboxEncryptionSecret",
  "cluster.acceptedCAs",
  "machine.token",
  "machine.ca",
  "machine.type",
  "machine.install.extensions",
  "machine.acceptedCAs",
];

/** List elements a patch may not add, by field: the Talos API admin role for Kubernetes. */
const forbiddenElements: Record<string, readonly string[]> = {
  "machine.features.kubernetesTalosAPIAccess.allowedRoles": ["os:admin"],
};

/** The top-level keys of Talos' v1alpha1 config document. */
const v1alpha1Keys = ["version", "debug", "persist", "machine", "cluster"];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function field(config: Record<string, unknown>, path: string): { value: unknown } | undefined {
  let current: unknown = config;
  for (const part of path.split(".")) {
    if (!isObject(current) || !(part in current)) {
      return undefined;
    }
    current = current[part];
  }
  return { value: current };
}

/** Go's `hashicorp/go-multierror` text. */
function multiError(errors: readonly string[]): string {
  const count = `${errors.length} ${errors.length === 1 ? "error" : "errors"} occurred:`;
  return `${count}\n\t${errors.map((error) => `* ${error}`).join("\n\t")}\n\n`;
}

/**
 * Validates a Talos config patch as Omni does: Talos' config loader reads every document (a
 * v1alpha1 patch, or a typed document with `apiVersion` and `kind`), then the first document
 * may not set the fields Omni owns. Every failure is an invalid argument with Go's wording.
 */
export async function validateConfig(
  request: ValidateConfigRequest,
  context: HandlerContext,
): Promise<void> {
  // Omni needs only a valid signature here.
  signedCaller(context);
  const parsed = parseGoYaml(request.config);
  if ("error" in parsed) {
    throw invalidArgument(`decode error: ${parsed.error}`);
  }
  const lineOf = (node: Node): number =>
    node.range ? parsed.lines.linePos(node.range[0]).line : 1;
  for (const document of parsed.documents) {
    const contents = document.contents as Node | null;
    if (!contents || goTag(contents) === "!!null") {
      continue;
    }
    if (!isMap(contents)) {
      throw invalidArgument(`expected a YAML document at line ${lineOf(contents)}`);
    }
    const value = document.toJS() as Record<string, unknown>;
    const text = (key: string): string =>
      typeof value[key] === "string" || typeof value[key] === "number" ? String(value[key]) : "";
    const legacy = Object.keys(value).some((key) => v1alpha1Keys.slice(1).includes(key));
    const apiVersion = legacy ? "v1alpha1" : text("apiVersion");
    const kind = text("kind");
    const id = `${text("apiVersion")}/${kind || "v1alpha1"}/${text("name")}`;
    const failure = (reason: string) =>
      invalidArgument(`error decoding document ${id} (line ${lineOf(contents)}): ${reason}`);
    if (apiVersion === "v1alpha1" && kind === "") {
      const unknown = Object.fromEntries(
        Object.entries(value).filter(([key]) => !v1alpha1Keys.includes(key)),
      );
      if (Object.keys(unknown).length > 0) {
        throw failure(`unknown keys found during decoding:\n${stringify(unknown, { indent: 4 })}`);
      }
    } else if (kind === "") {
      throw failure("missing kind");
    } else if (apiVersion === "") {
      throw failure("missing apiVersion");
    }
  }
  // Omni checks the fields it owns in the first document only.
  const first = parsed.documents[0]?.toJS() as unknown;
  if (!isObject(first)) {
    return;
  }
  const errors: string[] = [];
  for (const path of forbiddenFields) {
    if (field(first, path)) {
      errors.push(`overriding "${path}" is not allowed in the config patch`);
    }
  }
  for (const [path, elements] of Object.entries(forbiddenElements)) {
    const list = field(first, path)?.value;
    for (const element of Array.isArray(list) ? list : []) {
      if (elements.includes(element as string)) {
        errors.push(`element ${JSON.stringify(element)} is not allowed in field "${path}"`);
      }
    }
  }
  if (errors.length > 0) {
    throw invalidArgument(multiError(errors));
  }
}
