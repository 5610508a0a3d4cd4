import { Code, ConnectError } from "@connectrpc/connect";
import {
  type LabelQuery,
  type LabelTerm,
  LabelTerm_Operation,
} from "../../gen/v1alpha1/resource_pb.js";

const binaryUnits: Record<string, number> = {
  pi: 2 ** 50,
  ti: 2 ** 40,
  gi: 2 ** 30,
  mi: 2 ** 20,
  ki: 2 ** 10,
};
const decimalUnits: Record<string, number> = { p: 1e15, t: 1e12, g: 1e9, m: 1e6, k: 1e3 };

/** COSI's number parser: digits (and minus signs), then an optional unit judged by its first letters. */
function parseNumber(text: string): number | undefined {
  const value = text.trim();
  const split = value.search(/[^0-9-]/);
  const digits = split === -1 ? value : value.slice(0, split);
  const unit = (split === -1 ? "" : value.slice(split)).trim().toLowerCase();
  if (!/^-?\d+$/.test(digits)) {
    return undefined;
  }
  const number = Number.parseInt(digits, 10);
  if (unit === "") {
    return number;
  }
  const multiplier = binaryUnits[unit.slice(0, 2)] ?? decimalUnits[unit.slice(0, 1)];
  return multiplier === undefined ? undefined : number * multiplier;
}

/** A term's verdict before inversion; `undefined` when a numeric comparison cannot be made. */
function rawMatch(labels: Readonly<Record<string, string>>, term: LabelTerm): boolean | undefined {
  const value = labels[term.key];
  if (value === undefined) {
    return false;
  }
  if (term.op === LabelTerm_Operation.EXISTS) {
    return true;
  }
  const [first] = term.value;
  if (first === undefined) {
    return false;
  }
  switch (term.op) {
    case LabelTerm_Operation.EQUAL:
      return value === first;
    case LabelTerm_Operation.IN:
      return term.value.includes(value);
    case LabelTerm_Operation.LT:
      return value < first;
    case LabelTerm_Operation.LTE:
      return value <= first;
    case LabelTerm_Operation.LT_NUMERIC:
    case LabelTerm_Operation.LTE_NUMERIC: {
      const left = parseNumber(value);
      const right = parseNumber(first);
      if (left === undefined || right === undefined) {
        return undefined;
      }
      return term.op === LabelTerm_Operation.LT_NUMERIC ? left < right : left <= right;
    }
    default:
      return false;
  }
}

function termMatches(labels: Readonly<Record<string, string>>, term: LabelTerm): boolean {
  // The deprecated NOT_EXISTS is an inverted EXISTS, as COSI's server converts it.
  if (term.op === LabelTerm_Operation.NOT_EXISTS) {
    return labels[term.key] === undefined;
  }
  const verdict = rawMatch(labels, term);
  if (verdict === undefined) {
    return false;
  }
  return term.invert ? !verdict : verdict;
}

/** Rejects queries the real server rejects, with the same codes. */
export function checkLabelQueries(queries: readonly LabelQuery[]): void {
  for (const query of queries) {
    for (const term of query.terms) {
      if (!(term.op in LabelTerm_Operation)) {
        throw new ConnectError(`unsupported label query operator: ${term.op}`, Code.Unimplemented);
      }
      const needsValue =
        term.op !== LabelTerm_Operation.EXISTS && term.op !== LabelTerm_Operation.NOT_EXISTS;
      if (needsValue && term.value.length === 0) {
        throw new ConnectError(
          `missing value for label query operator: ${LabelTerm_Operation[term.op]}`,
          Code.InvalidArgument,
        );
      }
    }
  }
}

/** COSI semantics: terms of one query must all hold; any one of several queries is enough. */
export function matchesLabelQueries(
  labels: Readonly<Record<string, string>>,
  queries: readonly LabelQuery[],
): boolean {
  if (queries.length === 0) {
    return true;
  }
  return queries.some((query) => query.terms.every((term) => termMatches(labels, term)));
}
