import {
  type DescEnum,
  type DescField,
  type DescMessage,
  type DescOneof,
  isMessage,
  ScalarType,
} from "@bufbuild/protobuf";
import { isWrapperDesc } from "@bufbuild/protobuf/wkt";
import { closestName } from "../closest-name.js";
import { ValidationError } from "../errors.js";

/**
 * Checks a spec given as a plain object against its schema, before `create()` turns it into a
 * message. `create()` skips keys it does not know and keeps values of the wrong type as they are,
 * so `{ kubernetesVerison: "1.30.0" }` would become an empty spec without a word. Messages made
 * with `create()` are taken as they are, at any depth.
 */
export function checkSpecFields(schema: DescMessage, spec: unknown, path: string): void {
  checkMessage(schema, spec, path);
}

function checkMessage(desc: DescMessage, value: unknown, path: string): void {
  if (isMessage(value)) {
    if (value.$typeName !== desc.typeName) {
      throw new ValidationError(path, `is a ${value.$typeName}, but must be a ${desc.typeName}`);
    }
    return;
  }
  if (!isPlainObject(value)) {
    throw new ValidationError(
      path,
      `must be a ${desc.typeName} message or an object of its fields`,
    );
  }
  for (const [key, fieldValue] of Object.entries(value)) {
    const member = desc.members.find((m) => m.localName === key);
    if (member === undefined) {
      throw new ValidationError(
        `${path}.${key}`,
        `is not a field of ${desc.typeName}${hint(key, desc)}`,
      );
    }
    // create() skips both, so they only mean "not set".
    if (fieldValue === undefined || fieldValue === null) {
      continue;
    }
    if (member.kind === "oneof") {
      checkOneof(member, fieldValue, `${path}.${key}`);
    } else {
      checkField(member, fieldValue, `${path}.${key}`);
    }
  }
}

function hint(key: string, desc: DescMessage): string {
  const names = desc.members.map((m) => m.localName);
  const closest = closestName(key, names);
  return closest === undefined ? "" : `; did you mean ${closest}?`;
}

/** A oneof is set as `{ case: "<field>", value }`, or `{ case: undefined }` for none. */
function checkOneof(oneof: DescOneof, value: unknown, path: string): void {
  if (!isPlainObject(value)) {
    throw new ValidationError(path, 'must be { case: "<field>", value } (a oneof)');
  }
  for (const key of Object.keys(value)) {
    if (key !== "case" && key !== "value") {
      throw new ValidationError(
        `${path}.${key}`,
        'is not part of a oneof, which takes "case" and "value"',
      );
    }
  }
  if (value.case === undefined) {
    return;
  }
  const field = oneof.fields.find((f) => f.localName === value.case);
  if (field === undefined) {
    const cases = oneof.fields.map((f) => f.localName).join(", ");
    throw new ValidationError(`${path}.case`, `must be one of ${cases}`);
  }
  if (value.value === undefined || value.value === null) {
    throw new ValidationError(`${path}.value`, `must be set for the case ${field.localName}`);
  }
  checkField(field, value.value, `${path}.value`);
}

function checkField(field: DescField, value: unknown, path: string): void {
  switch (field.fieldKind) {
    case "scalar":
      checkScalar(field.scalar, field.longAsString, value, path);
      return;
    case "enum":
      checkEnum(field.enum, value, path);
      return;
    case "message":
      checkMessageField(field, field.message, value, path);
      return;
    case "list":
      if (!Array.isArray(value)) {
        throw new ValidationError(path, "must be an array");
      }
      value.forEach((item: unknown, index) => {
        const itemPath = `${path}[${index}]`;
        if (field.listKind === "scalar") {
          checkScalar(field.scalar, field.longAsString, item, itemPath);
        } else if (field.listKind === "enum") {
          checkEnum(field.enum, item, itemPath);
        } else {
          checkMessage(field.message, item, itemPath);
        }
      });
      return;
    case "map":
      if (!isPlainObject(value)) {
        throw new ValidationError(path, "must be an object of entries");
      }
      for (const [key, item] of Object.entries(value)) {
        const itemPath = `${path}[${JSON.stringify(key)}]`;
        if (field.mapKind === "scalar") {
          checkScalar(field.scalar, false, item, itemPath);
        } else if (field.mapKind === "enum") {
          checkEnum(field.enum, item, itemPath);
        } else {
          checkMessage(field.message, item, itemPath);
        }
      }
      return;
  }
}

/**
 * protobuf-es unboxes two kinds of message fields: wrappers (`google.protobuf.StringValue`, ...)
 * outside a oneof take the plain value, and `google.protobuf.Struct` takes a JSON object.
 */
function checkMessageField(field: DescField, desc: DescMessage, value: unknown, path: string) {
  if (isWrapperDesc(desc) && field.oneof === undefined) {
    const inner = desc.fields[0];
    if (inner?.fieldKind === "scalar") {
      checkScalar(inner.scalar, false, value, path);
    }
    return;
  }
  if (desc.typeName === "google.protobuf.Struct" && !isMessage(value)) {
    if (!isPlainObject(value)) {
      throw new ValidationError(path, "must be a JSON object");
    }
    return;
  }
  checkMessage(desc, value, path);
}

const int32Range: [number, number] = [-(2 ** 31), 2 ** 31 - 1];
const uint32Range: [number, number] = [0, 2 ** 32 - 1];
const int64Range: [bigint, bigint] = [-(2n ** 63n), 2n ** 63n - 1n];
const uint64Range: [bigint, bigint] = [0n, 2n ** 64n - 1n];

function checkScalar(type: ScalarType, longAsString: boolean, value: unknown, path: string): void {
  switch (type) {
    case ScalarType.STRING:
      expectType(typeof value === "string", path, "a string", value);
      return;
    case ScalarType.BOOL:
      expectType(typeof value === "boolean", path, "a boolean", value);
      return;
    case ScalarType.BYTES:
      expectType(value instanceof Uint8Array, path, "a Uint8Array", value);
      return;
    case ScalarType.DOUBLE:
    case ScalarType.FLOAT:
      expectType(typeof value === "number", path, "a number", value);
      return;
    case ScalarType.INT32:
    case ScalarType.SINT32:
    case ScalarType.SFIXED32:
      checkInteger(value, int32Range, path);
      return;
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
      checkInteger(value, uint32Range, path);
      return;
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      checkLong(value, uint64Range, longAsString, path);
      return;
    default:
      checkLong(value, int64Range, longAsString, path);
      return;
  }
}

function expectType(ok: boolean, path: string, expected: string, value: unknown): void {
  if (!ok) {
    throw new ValidationError(path, `must be ${expected}, not ${kindOf(value)}`);
  }
}

function checkInteger(value: unknown, [min, max]: [number, number], path: string): void {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new ValidationError(
      path,
      `must be an integer from ${min} to ${max}, not ${kindOf(value)}`,
    );
  }
}

/** 64-bit integers are bigints, or decimal strings for fields declared with `jstype = JS_STRING`. */
function checkLong(
  value: unknown,
  [min, max]: [bigint, bigint],
  longAsString: boolean,
  path: string,
): void {
  const expected = longAsString
    ? `a decimal string from ${min} to ${max}`
    : `a bigint from ${min} to ${max} (for example 3600n)`;
  let number: bigint | undefined;
  if (longAsString && typeof value === "string" && /^-?\d+$/.test(value)) {
    number = BigInt(value);
  } else if (!longAsString && typeof value === "bigint") {
    number = value;
  }
  if (number === undefined || number < min || number > max) {
    throw new ValidationError(path, `must be ${expected}, not ${kindOf(value)}`);
  }
}

function checkEnum(desc: DescEnum, value: unknown, path: string): void {
  if (typeof value === "number" && Number.isInteger(value)) {
    return;
  }
  const named =
    typeof value === "string"
      ? desc.values.find((v) => v.name === value || v.localName === value)
      : undefined;
  const suggestion = named === undefined ? "" : ` (${named.localName} is ${named.number})`;
  throw new ValidationError(
    path,
    `must be a number of the enum ${desc.typeName}, not ${kindOf(value)}${suggestion}`,
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) {
    return false;
  }
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** A short description of a wrong value that never repeats it, since specs can hold secrets. */
function kindOf(value: unknown): string {
  if (value === null || value === undefined) {
    return String(value);
  }
  if (Array.isArray(value)) {
    return "an array";
  }
  if (value instanceof Uint8Array) {
    return "a Uint8Array";
  }
  const type = typeof value;
  return type === "object" ? "an object" : `a ${type}`;
}
