import { create } from "@bufbuild/protobuf";
import { ValidationError } from "../errors.js";
import {
  type LabelQuery,
  LabelQuerySchema,
  type LabelTerm,
  LabelTerm_Operation,
  LabelTermSchema,
} from "../gen/v1alpha1/resource_pb.js";
import { checkOptionKeys } from "../option-keys.js";
import { isFieldObject, optionalBoolean, optionalStringList } from "../validation.js";
import {
  equalTermKeys,
  existsTermKeys,
  greaterThanTermKeys,
  inTermKeys,
  lessThanTermKeys,
} from "./option-keys.js";

/**
 * One condition on a label. `not` inverts it the way COSI does, so an inverted term also matches
 * resources that lack the label. `numeric` compares values as integers with optional SI or binary
 * suffixes (`4`, `16Gi`, `2k`) instead of as strings.
 */
export type LabelTermInput =
  | { readonly key: string; readonly op: "exists"; readonly not?: boolean }
  | { readonly key: string; readonly op: "equal"; readonly value: string; readonly not?: boolean }
  | {
      readonly key: string;
      readonly op: "in";
      readonly values: readonly string[];
      readonly not?: boolean;
    }
  | {
      readonly key: string;
      readonly op: "lt" | "lte";
      readonly value: string;
      readonly numeric?: boolean;
      readonly not?: boolean;
    }
  | {
      readonly key: string;
      readonly op: "gt" | "gte";
      readonly value: string;
      readonly numeric?: boolean;
    };

/**
 * Selects resources by label: a record means "every key equals its value", a list of terms means
 * "every term holds".
 */
export type LabelSelector = Readonly<Record<string, string>> | readonly LabelTermInput[];

/** Matches COSI's number parser: an integer, then optionally a unit such as k, Mi or G. */
const numericValue = /^-?\d+(\s*[kmgtp]\S*)?$/i;

function term(
  key: string,
  op: LabelTerm_Operation,
  value: readonly string[],
  invert: boolean,
): LabelTerm {
  return create(LabelTermSchema, { key, op, value: [...value], invert });
}

function requireValue(argument: string, value: unknown, numeric: boolean): string {
  if (typeof value !== "string") {
    throw new ValidationError(argument, "must be a string");
  }
  if (numeric && !numericValue.test(value.trim())) {
    throw new ValidationError(
      argument,
      `"${value}" is not a number COSI can compare (an integer with an optional unit such as 16Gi)`,
    );
  }
  return value;
}

function convertTerm(input: LabelTermInput, argument: string): LabelTerm[] {
  if (!isFieldObject(input)) {
    throw new ValidationError(argument, "must be a label term object");
  }
  if (typeof input.key !== "string" || input.key === "") {
    throw new ValidationError(`${argument}.key`, "must be a non-empty label key");
  }
  const { key } = input;
  // Read only once the operator is known: `gt` and `gte` refuse `not` with advice of their own.
  const flag = (name: "not" | "numeric") =>
    optionalBoolean(`${argument}.${name}`, (input as Record<string, unknown>)[name]) ?? false;
  switch (input.op) {
    case "exists":
      checkOptionKeys(argument, input, existsTermKeys);
      return [term(key, LabelTerm_Operation.EXISTS, [], flag("not"))];
    case "equal":
      checkOptionKeys(argument, input, equalTermKeys);
      return [
        term(
          key,
          LabelTerm_Operation.EQUAL,
          [requireValue(`${argument}.value`, input.value, false)],
          flag("not"),
        ),
      ];
    case "in": {
      checkOptionKeys(argument, input, inTermKeys);
      if (!Array.isArray(input.values) || input.values.length === 0) {
        throw new ValidationError(`${argument}.values`, "must be a non-empty list of strings");
      }
      const values = optionalStringList(`${argument}.values`, input.values, true) ?? [];
      return [term(key, LabelTerm_Operation.IN, values, flag("not"))];
    }
    case "lt":
    case "lte": {
      checkOptionKeys(argument, input, lessThanTermKeys);
      const numeric = flag("numeric");
      const value = requireValue(`${argument}.value`, input.value, numeric);
      const op =
        input.op === "lt"
          ? numeric
            ? LabelTerm_Operation.LT_NUMERIC
            : LabelTerm_Operation.LT
          : numeric
            ? LabelTerm_Operation.LTE_NUMERIC
            : LabelTerm_Operation.LTE;
      return [term(key, op, [value], flag("not"))];
    }
    case "gt":
    case "gte": {
      // Checked before the other keys: saying which operator to use helps more than "unknown key".
      if ("not" in input) {
        throw new ValidationError(
          `${argument}.not`,
          `cannot invert "${input.op}"; use "${input.op === "gt" ? "lte" : "lt"}" instead`,
        );
      }
      checkOptionKeys(argument, input, greaterThanTermKeys);
      const numeric = flag("numeric");
      const value = requireValue(`${argument}.value`, input.value, numeric);
      // COSI has only "less than" operators. "greater than" is the inverted opposite, and since an
      // inverted term also matches resources without the label, an `exists` term keeps them out.
      const opposite =
        input.op === "gt"
          ? numeric
            ? LabelTerm_Operation.LTE_NUMERIC
            : LabelTerm_Operation.LTE
          : numeric
            ? LabelTerm_Operation.LT_NUMERIC
            : LabelTerm_Operation.LT;
      return [term(key, LabelTerm_Operation.EXISTS, [], false), term(key, opposite, [value], true)];
    }
    default:
      throw new ValidationError(
        `${argument}.op`,
        `unknown operator ${JSON.stringify((input as { op?: unknown }).op)}; use exists, equal, in, lt, lte, gt or gte`,
      );
  }
}

/** Turns a selector into the COSI label query; throws `ValidationError` naming the bad part. */
export function toLabelQuery(selector: LabelSelector, argument = "options.labels"): LabelQuery {
  // A Map would read as a record without entries: a selector that matches every resource.
  if (!Array.isArray(selector) && !isFieldObject(selector)) {
    throw new ValidationError(
      argument,
      "must be a record of label values or a list of label terms",
    );
  }
  if (Array.isArray(selector)) {
    const terms = (selector as readonly LabelTermInput[]).flatMap((input, i) =>
      convertTerm(input, `${argument}[${i}]`),
    );
    return create(LabelQuerySchema, { terms });
  }
  const terms = Object.entries(selector).map(([key, value]) => {
    if (key === "") {
      throw new ValidationError(argument, "label keys must not be empty");
    }
    return term(
      key,
      LabelTerm_Operation.EQUAL,
      [requireValue(`${argument}.${key}`, value, false)],
      false,
    );
  });
  return create(LabelQuerySchema, { terms });
}
