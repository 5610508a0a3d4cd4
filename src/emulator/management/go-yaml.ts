import { isMap, isScalar, isSeq, LineCounter, type Node, parseAllDocuments } from "yaml";

/**
 * Omni reads YAML with Go's yaml package, whose errors callers see verbatim. These helpers word
 * the common failures of the `yaml` package the way Go's parser does; rarer ones keep the line
 * and this parser's own description.
 */

type YamlError = {
  code: string;
  message: string;
  linePos?:
    | [{ line: number; col: number }, { line: number; col: number }]
    | [{ line: number; col: number }];
  pos: [number, number];
};

function goSyntaxText(text: string, error: YamlError): string {
  const line = error.linePos?.[0].line ?? 1;
  const flow = /^Flow (sequence|map)/.exec(error.message);
  if (flow) {
    const close = flow[1] === "sequence" ? "]" : "}";
    const open = flow[1] === "sequence" ? "[" : "{";
    const bracket = text.lastIndexOf(open, error.pos[0]);
    const bracketLine = bracket < 0 ? line : text.slice(0, bracket).split("\n").length;
    return bracket >= 0 && text.slice(bracket + 1).trim() === ""
      ? `yaml: while parsing a flow node at line ${bracketLine}: did not find expected node content`
      : `yaml: line ${bracketLine}: did not find expected ',' or '${close}'`;
  }
  switch (error.code) {
    case "MISSING_CHAR":
      return `yaml: line ${line}: found unexpected end of stream`;
    case "TAB_AS_INDENT":
      return `yaml: line ${line}: found character that cannot start any token`;
    case "BLOCK_AS_IMPLICIT_KEY":
      return `yaml: line ${line}: mapping values are not allowed in this context`;
    case "DUPLICATE_KEY":
      return `yaml: line ${line}: mapping key already defined`;
    default: {
      const description = error.message.replace(/ at line \d+, column \d+:[\s\S]*$/, "");
      return `yaml: line ${line}: ${description.charAt(0).toLowerCase()}${description.slice(1)}`;
    }
  }
}

/** The documents of `text`, or Go's wording of its first syntax error. */
export function parseGoYaml(
  text: string,
): { documents: ReturnType<typeof parseAllDocuments>; lines: LineCounter } | { error: string } {
  const lines = new LineCounter();
  const parsed = parseAllDocuments(text, { lineCounter: lines });
  const documents = Array.isArray(parsed) ? parsed : [parsed];
  for (const document of documents) {
    const first = document.errors[0] as YamlError | undefined;
    if (first) {
      return { error: goSyntaxText(text, first) };
    }
  }
  return { documents, lines };
}

/** Go's YAML tag of a node: `!!str`, `!!int`, `!!map`... */
export function goTag(node: Node | null | undefined): string {
  if (isMap(node)) return "!!map";
  if (isSeq(node)) return "!!seq";
  if (!isScalar(node) || node.value === null) return "!!null";
  switch (typeof node.value) {
    case "boolean":
      return "!!bool";
    case "number":
    case "bigint":
      return Number.isInteger(Number(node.value)) ? "!!int" : "!!float";
    default:
      return "!!str";
  }
}

/** A field type of a Go struct, enough to decode a schematic strictly. */
export type GoType =
  | { kind: "string" | "bool" | "uint8" | "uint" | "any-map" }
  | { kind: "list"; of: GoType; name: string }
  | { kind: "struct"; name: string; fields: Record<string, GoType> };

function typeName(type: GoType): string {
  return type.kind === "struct" || type.kind === "list"
    ? type.name
    : type.kind === "any-map"
      ? "map[string]interface {}"
      : type.kind;
}

/**
 * Checks `node` against `type` as Go's strict decoder (`KnownFields(true)`) does, collecting
 * `line N: ...` errors in document order.
 */
export function goConstructErrors(
  node: Node | null | undefined,
  type: GoType,
  lines: LineCounter,
): string[] {
  const errors: string[] = [];
  const lineOf = (at: Node | null | undefined): number =>
    at?.range ? lines.linePos(at.range[0]).line : 1;
  const cannot = (at: Node, into: GoType): void => {
    const tag = goTag(at);
    const shown = isScalar(at) ? ` \`${String(at.source ?? at.value)}\`` : "";
    errors.push(`line ${lineOf(at)}: cannot construct ${tag}${shown} into ${typeName(into)}`);
  };
  const walk = (at: Node | null | undefined, into: GoType): void => {
    if (!at || goTag(at) === "!!null") {
      return;
    }
    const tag = goTag(at);
    switch (into.kind) {
      case "string":
        if (!isScalar(at)) cannot(at, into);
        return;
      case "bool":
        if (tag !== "!!bool") cannot(at, into);
        return;
      case "uint8":
      case "uint": {
        const value = isScalar(at) ? Number(at.value) : Number.NaN;
        const max = into.kind === "uint8" ? 255 : Number.MAX_SAFE_INTEGER;
        if (tag !== "!!int" || value < 0 || value > max) cannot(at, into);
        return;
      }
      case "any-map":
        if (!isMap(at)) cannot(at, into);
        return;
      case "list":
        if (!isSeq(at)) {
          cannot(at, into);
          return;
        }
        for (const item of at.items) walk(item as Node, into.of);
        return;
      case "struct":
        if (!isMap(at)) {
          cannot(at, into);
          return;
        }
        for (const pair of at.items) {
          const key = pair.key as Node;
          const name = isScalar(key) ? String(key.value) : "";
          const field = into.fields[name];
          if (!field) {
            errors.push(`line ${lineOf(key)}: field ${name} not found in type ${into.name}`);
            continue;
          }
          walk(pair.value as Node, field);
        }
    }
  };
  walk(node, type);
  return errors;
}
