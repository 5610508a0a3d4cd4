import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, type HandlerContext } from "@connectrpc/connect";
import {
  type ValidateJsonSchemaRequest,
  type ValidateJsonSchemaResponse,
  type ValidateJsonSchemaResponse_Error,
  ValidateJsonSchemaResponse_ErrorSchema,
  ValidateJsonSchemaResponseSchema,
} from "../../gen/omni/management/management_pb.js";
import { signedCaller } from "../caller.js";
import { parseGoYaml } from "./go-yaml.js";

type Schema = Record<string, unknown>;

/**
 * One failure as santhosh-tekuri/jsonschema (v6, the validator Omni uses) reports it: the
 * location of the failing (sub)schema, the data's location, the kind's text and nested causes.
 */
interface SchemaError {
  schemaUrl: string;
  instance: string[];
  cause: string;
  /** Set for `required`, which Omni reports once per missing property. */
  missing?: string[];
  causes: SchemaError[];
}

function isSchema(value: unknown): value is Schema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Go's `%q` between single quotes, as the validator quotes names and strings. */
function quote(text: string): string {
  return `'${JSON.stringify(text).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'")}'`;
}

function display(value: unknown): string {
  if (typeof value === "string") return quote(value);
  if (value === null) return "<nil>";
  if (typeof value === "object") return "value";
  return String(value);
}

function jsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return "number";
  if (typeof value === "object") return "object";
  return typeof value;
}

function typeAllowed(want: string, value: unknown): boolean {
  const actual = jsonType(value);
  return want === actual || (want === "integer" && Number.isInteger(value));
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** A JSON pointer token escaped and path-escaped as the validator writes schema locations. */
function token(name: string): string {
  return encodeURIComponent(name.replace(/~/g, "~0").replace(/\//g, "~1")).replace(/%40/g, "@");
}

/**
 * Validates `data` against a JSON Schema subset (type, const, enum, min/max properties,
 * required, properties, additionalProperties, min/max items, items, min/max length, pattern,
 * minimum, maximum, exclusive bounds, multipleOf) in the validator's order and wording.
 */
function validate(
  schema: unknown,
  data: unknown,
  location: string,
  instance: string[],
): SchemaError | undefined {
  const failure = (cause: string, extra: Partial<SchemaError> = {}): SchemaError => ({
    schemaUrl: location,
    instance,
    cause,
    causes: [],
    ...extra,
  });
  if (schema === true || !isSchema(schema)) {
    return schema === false ? failure("false schema") : undefined;
  }
  if (schema.type !== undefined) {
    const want = (Array.isArray(schema.type) ? schema.type : [schema.type]).map(String);
    if (!want.some((type) => typeAllowed(type, data))) {
      return failure(`got ${jsonType(data)}, want ${want.join(" or ")}`);
    }
  }
  if ("const" in schema && !sameValue(schema.const, data)) {
    return failure(
      typeof schema.const === "object" && schema.const !== null
        ? "'const' failed"
        : `value must be ${display(schema.const)}`,
    );
  }
  if (Array.isArray(schema.enum) && !schema.enum.some((item) => sameValue(item, data))) {
    const values = schema.enum as unknown[];
    const primitive = values.every((item) => typeof item !== "object" || item === null);
    return failure(
      !primitive
        ? "'enum' failed"
        : values.length === 1
          ? `value must be ${display(values[0])}`
          : `value must be one of ${values.map(display).join(", ")}`,
    );
  }
  const errors: SchemaError[] = [];
  const add = (error: SchemaError | undefined): void => {
    if (error) errors.push(error);
  };
  const bound = (keyword: string, got: number, fails: (want: number) => boolean): void => {
    const want = schema[keyword];
    if (typeof want === "number" && fails(want)) {
      errors.push(failure(`${keyword}: got ${got}, want ${want}`));
    }
  };
  if (isSchema(data)) {
    const names = Object.keys(data);
    bound("minProperties", names.length, (want) => names.length < want);
    bound("maxProperties", names.length, (want) => names.length > want);
    if (Array.isArray(schema.required)) {
      const missing = schema.required.map(String).filter((name) => !(name in data));
      if (missing.length > 0) {
        const listed = missing.map(quote).join(", ");
        errors.push(
          failure(
            missing.length === 1 ? `missing property ${listed}` : `missing properties ${listed}`,
            { missing },
          ),
        );
      }
    }
    const properties = isSchema(schema.properties) ? schema.properties : {};
    const additional: string[] = [];
    for (const name of names) {
      if (name in properties) {
        add(
          validate(properties[name], data[name], `${location}/properties/${token(name)}`, [
            ...instance,
            name,
          ]),
        );
      } else if (schema.additionalProperties === false) {
        additional.push(name);
      } else if (schema.additionalProperties !== undefined) {
        add(
          validate(schema.additionalProperties, data[name], `${location}/additionalProperties`, [
            ...instance,
            name,
          ]),
        );
      }
    }
    if (additional.length > 0) {
      errors.push(failure(`additional properties ${additional.map(quote).join(", ")} not allowed`));
    }
  }
  if (Array.isArray(data)) {
    bound("minItems", data.length, (want) => data.length < want);
    bound("maxItems", data.length, (want) => data.length > want);
    if (schema.items !== undefined) {
      data.forEach((item, index) => {
        add(validate(schema.items, item, `${location}/items`, [...instance, String(index)]));
      });
    }
  }
  if (typeof data === "string") {
    const length = [...data].length;
    bound("minLength", length, (want) => length < want);
    bound("maxLength", length, (want) => length > want);
    if (typeof schema.pattern === "string" && !new RegExp(schema.pattern, "u").test(data)) {
      errors.push(failure(`${quote(data)} does not match pattern ${quote(schema.pattern)}`));
    }
  }
  if (typeof data === "number") {
    bound("minimum", data, (want) => data < want);
    bound("maximum", data, (want) => data > want);
    bound("exclusiveMinimum", data, (want) => data <= want);
    bound("exclusiveMaximum", data, (want) => data >= want);
    bound("multipleOf", data, (want) => want !== 0 && !Number.isInteger(data / want));
  }
  if (errors.length <= 1) {
    return errors[0];
  }
  return failure("validation failed", { causes: errors });
}

/** Omni's `handleValidationErrors`: every cause, depth first, in one flat list. */
function flatten(causes: readonly SchemaError[]): ValidateJsonSchemaResponse_Error[] {
  const flat: ValidateJsonSchemaResponse_Error[] = [];
  for (const cause of causes) {
    const dataPath = `/${cause.instance.join("/")}`;
    const entries = cause.missing
      ? cause.missing.map((name) => ({
          dataPath: `${dataPath === "/" ? "" : dataPath}/${name}`,
          cause: "property is required",
        }))
      : [{ dataPath, cause: cause.cause }];
    for (const entry of entries) {
      flat.push(
        create(ValidateJsonSchemaResponse_ErrorSchema, { schemaPath: cause.schemaUrl, ...entry }),
      );
    }
    flat.push(...flatten(cause.causes));
  }
  return flat;
}

function plainError(message: string): ConnectError {
  return new ConnectError(message, Code.Unknown);
}

/** Go's `quoteChar` of the JSON scanner. */
function quoteChar(char: string): string {
  if (char === "'") return "'\\''";
  if (char === '"') return "'\"'";
  return `'${JSON.stringify(char).slice(1, -1)}'`;
}

/**
 * Reads a schema as Go's `encoding/json` decoder does, with its error texts: `EOF` for nothing,
 * `unexpected EOF` for a value cut short, the scanner's `invalid character ...` otherwise.
 */
export function parseGoJson(text: string): unknown {
  let at = 0;
  const space = (): void => {
    while (at < text.length && " \t\r\n".includes(text.charAt(at))) at++;
  };
  const invalid = (context: string): ConnectError => {
    if (at >= text.length) return plainError("unexpected EOF");
    return plainError(`invalid character ${quoteChar(text.charAt(at))} ${context}`);
  };
  const literal = (word: string): void => {
    for (let index = 1; index < word.length; index++) {
      at++;
      if (text.charAt(at) !== word.charAt(index)) {
        throw invalid(`in literal ${word} (expecting ${quoteChar(word.charAt(index))})`);
      }
    }
    at++;
  };
  const digits = (context: string): void => {
    if (!/[0-9]/.test(text.charAt(at))) throw invalid(context);
    while (/[0-9]/.test(text.charAt(at))) at++;
  };
  const string = (): void => {
    at++;
    for (;;) {
      if (at >= text.length) throw plainError("unexpected EOF");
      const char = text.charAt(at);
      if (char === '"') {
        at++;
        return;
      }
      if (char < " ") throw invalid("in string literal");
      if (char === "\\") {
        at++;
        if (at >= text.length) throw plainError("unexpected EOF");
        if (text.charAt(at) === "u") {
          for (let index = 0; index < 4; index++) {
            at++;
            if (!/[0-9a-fA-F]/.test(text.charAt(at))) {
              throw invalid("in \\u hexadecimal character escape");
            }
          }
        } else if (!'"\\/bfnrt'.includes(text.charAt(at))) {
          throw invalid("in string escape code");
        }
      }
      at++;
    }
  };
  const value = (): void => {
    space();
    const char = text.charAt(at);
    if (at >= text.length) throw plainError("unexpected EOF");
    if (char === "{") {
      at++;
      space();
      if (text.charAt(at) === "}") {
        at++;
        return;
      }
      for (;;) {
        space();
        if (text.charAt(at) !== '"') throw invalid("looking for beginning of object key string");
        string();
        space();
        if (text.charAt(at) !== ":") throw invalid("after object key");
        at++;
        value();
        space();
        if (text.charAt(at) === "}") {
          at++;
          return;
        }
        if (text.charAt(at) !== ",") throw invalid("after object key:value pair");
        at++;
      }
    }
    if (char === "[") {
      at++;
      space();
      if (text.charAt(at) === "]") {
        at++;
        return;
      }
      for (;;) {
        value();
        space();
        if (text.charAt(at) === "]") {
          at++;
          return;
        }
        if (text.charAt(at) !== ",") throw invalid("after array element");
        at++;
      }
    }
    if (char === '"') {
      string();
      return;
    }
    if (char === "t") {
      literal("true");
      return;
    }
    if (char === "f") {
      literal("false");
      return;
    }
    if (char === "n") {
      literal("null");
      return;
    }
    if (char === "-" || /[0-9]/.test(char)) {
      if (char === "-") at++;
      if (text.charAt(at) === "0") at++;
      else digits("in numeric literal");
      if (text.charAt(at) === ".") {
        at++;
        digits("after decimal point in numeric literal");
      }
      if (/[eE]/.test(text.charAt(at))) {
        at++;
        if (/[+-]/.test(text.charAt(at))) at++;
        digits("in exponent of numeric literal");
      }
      return;
    }
    throw invalid("looking for beginning of value");
  };
  space();
  if (at >= text.length) throw plainError("EOF");
  const start = at;
  value();
  const end = at;
  space();
  if (at < text.length) throw plainError("invalid character after top-level value");
  return JSON.parse(text.slice(start, end));
}

/** Where Omni's validator says the schema lives: a file named after it in Omni's directory. */
function schemaFile(): string {
  return pathToFileURL(join(process.cwd(), "untitled-schema.json")).href;
}

export async function validateJsonSchema(
  request: ValidateJsonSchemaRequest,
  context: HandlerContext,
): Promise<ValidateJsonSchemaResponse> {
  // Omni needs only a valid signature here.
  signedCaller(context);
  if (request.schema.length > 1e6) {
    throw plainError("json schema can not be bigger than 1MB");
  }
  const schema = parseGoJson(request.schema);
  const root = `${schemaFile()}#`;
  if (typeof schema !== "boolean" && !isSchema(schema)) {
    throw plainError(
      `${JSON.stringify(root)} is not valid against metaschema: jsonschema validation failed with 'https://json-schema.org/draft/2020-12/schema#'\n- at '': got ${jsonType(schema)}, want object or boolean`,
    );
  }
  const parsed = parseGoYaml(request.data);
  if ("error" in parsed) {
    throw plainError(`failed to unmarshal YAML ${parsed.error}`);
  }
  const data: unknown = parsed.documents[0]?.toJS() ?? {};
  const error = validate(schema, data, root, []);
  if (!error) {
    return create(ValidateJsonSchemaResponseSchema, { errors: [] });
  }
  // The validator wraps the failure in one for the schema, whose causes Omni lists.
  const causes =
    error.cause === "validation failed" && error.instance.length === 0 && error.schemaUrl === root
      ? error.causes
      : [error];
  return create(ValidateJsonSchemaResponseSchema, { errors: flatten(causes) });
}
