import { create } from "@bufbuild/protobuf";
import type { HandlerContext } from "@connectrpc/connect";
import { parse } from "yaml";
import {
  type ValidateJsonSchemaRequest,
  type ValidateJsonSchemaResponse,
  type ValidateJsonSchemaResponse_Error,
  ValidateJsonSchemaResponse_ErrorSchema,
  ValidateJsonSchemaResponseSchema,
} from "../../gen/omni/management/management_pb.js";
import { signedCaller } from "../caller.js";
import { invalidArgument } from "../state.js";

type Schema = Record<string, unknown>;
type ValidationIssue = ValidateJsonSchemaResponse_Error;

function issue(
  schemaPath: string,
  dataPath: string,
  cause: string,
  errors: ValidationIssue[] = [],
): ValidationIssue {
  return create(ValidateJsonSchemaResponse_ErrorSchema, { schemaPath, dataPath, cause, errors });
}

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function typeMatches(expected: string, actual: string): boolean {
  return expected === actual || (expected === "number" && actual === "integer");
}

function isSchema(value: unknown): value is Schema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * A JSON Schema subset (type, enum, const, required, properties, additionalProperties, items,
 * min/max, length and pattern keywords). Failures inside a property or item are grouped under
 * one error for that location, so the reply nests like Omni's validator output.
 */
function validate(
  schema: Schema,
  data: unknown,
  schemaPath: string,
  dataPath: string,
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const actual = typeOf(data);
  const type = schema.type;
  if (type !== undefined) {
    const allowed = Array.isArray(type) ? type.map(String) : [String(type)];
    if (!allowed.some((expected) => typeMatches(expected, actual))) {
      return [
        issue(
          `${schemaPath}/type`,
          dataPath,
          `expected ${allowed.join(" or ")}, but got ${actual}`,
        ),
      ];
    }
  }
  if (
    Array.isArray(schema.enum) &&
    !schema.enum.some((candidate) => JSON.stringify(candidate) === JSON.stringify(data))
  ) {
    issues.push(
      issue(
        `${schemaPath}/enum`,
        dataPath,
        `value must be one of ${schema.enum.map((v) => JSON.stringify(v)).join(", ")}`,
      ),
    );
  }
  if ("const" in schema && JSON.stringify(schema.const) !== JSON.stringify(data)) {
    issues.push(
      issue(`${schemaPath}/const`, dataPath, `value must be ${JSON.stringify(schema.const)}`),
    );
  }
  if (typeof data === "number") {
    if (typeof schema.minimum === "number" && data < schema.minimum) {
      issues.push(
        issue(`${schemaPath}/minimum`, dataPath, `must be >= ${schema.minimum} but found ${data}`),
      );
    }
    if (typeof schema.maximum === "number" && data > schema.maximum) {
      issues.push(
        issue(`${schemaPath}/maximum`, dataPath, `must be <= ${schema.maximum} but found ${data}`),
      );
    }
  }
  if (typeof data === "string") {
    if (typeof schema.minLength === "number" && data.length < schema.minLength) {
      issues.push(
        issue(
          `${schemaPath}/minLength`,
          dataPath,
          `length must be >= ${schema.minLength}, but got ${data.length}`,
        ),
      );
    }
    if (typeof schema.maxLength === "number" && data.length > schema.maxLength) {
      issues.push(
        issue(
          `${schemaPath}/maxLength`,
          dataPath,
          `length must be <= ${schema.maxLength}, but got ${data.length}`,
        ),
      );
    }
    if (typeof schema.pattern === "string" && !new RegExp(schema.pattern, "u").test(data)) {
      issues.push(
        issue(
          `${schemaPath}/pattern`,
          dataPath,
          `does not match pattern ${JSON.stringify(schema.pattern)}`,
        ),
      );
    }
  }
  if (isSchema(data)) {
    const properties = isSchema(schema.properties) ? schema.properties : {};
    if (Array.isArray(schema.required)) {
      const missing = schema.required.map(String).filter((name) => !(name in data));
      if (missing.length > 0) {
        issues.push(
          issue(
            `${schemaPath}/required`,
            dataPath,
            `missing properties: ${missing.map((m) => JSON.stringify(m)).join(", ")}`,
          ),
        );
      }
    }
    for (const [name, value] of Object.entries(data)) {
      const child = properties[name];
      if (isSchema(child)) {
        issues.push(
          ...nested(child, value, `${schemaPath}/properties/${name}`, `${dataPath}/${name}`),
        );
      } else if (schema.additionalProperties === false) {
        issues.push(
          issue(
            `${schemaPath}/additionalProperties`,
            dataPath,
            `additionalProperties ${JSON.stringify(name)} not allowed`,
          ),
        );
      } else if (isSchema(schema.additionalProperties)) {
        issues.push(
          ...nested(
            schema.additionalProperties,
            value,
            `${schemaPath}/additionalProperties`,
            `${dataPath}/${name}`,
          ),
        );
      }
    }
  }
  if (Array.isArray(data) && isSchema(schema.items)) {
    const items = schema.items;
    data.forEach((value, index) => {
      issues.push(...nested(items, value, `${schemaPath}/items`, `${dataPath}/${index}`));
    });
  }
  return issues;
}

function nested(
  schema: Schema,
  data: unknown,
  schemaPath: string,
  dataPath: string,
): ValidationIssue[] {
  const issues = validate(schema, data, schemaPath, dataPath);
  if (issues.length <= 1 || typeof data !== "object" || data === null) {
    return issues;
  }
  return [
    issue(schemaPath, dataPath, `doesn't validate with ${JSON.stringify(schemaPath)}`, issues),
  ];
}

function parseDocument(text: string, field: string): unknown {
  try {
    return parse(text);
  } catch (error) {
    throw invalidArgument(
      `failed to parse ${field}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

export async function validateJsonSchema(
  request: ValidateJsonSchemaRequest,
  context: HandlerContext,
): Promise<ValidateJsonSchemaResponse> {
  // Omni needs only a valid signature here.
  signedCaller(context);
  const schema = parseDocument(request.schema, "schema");
  if (!isSchema(schema)) {
    throw invalidArgument("failed to parse schema: the schema must be a JSON object");
  }
  const data = parseDocument(request.data, "data");
  const issues = validate(schema, data, "", "");
  const errors =
    issues.length === 0 ? [] : [issue("", "", "doesn't validate with schema.json#", issues)];
  return create(ValidateJsonSchemaResponseSchema, { errors });
}
