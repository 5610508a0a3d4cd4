import type { DescField, DescMessage, MessageShape } from "@bufbuild/protobuf";
import { type ReflectMessage, reflect } from "@bufbuild/protobuf/reflect";

type Plain = string | number | boolean | null | Plain[] | { [key: string]: Plain };

/** Go's yaml of a struct without yaml tags: the Go field name lowercased, e.g. `kubernetesversion`. */
function goYamlKey(field: DescField): string {
  return field.name.replaceAll("_", "").toLowerCase();
}

function scalar(value: unknown): Plain {
  if (typeof value === "bigint") {
    return Number(value);
  }
  if (value instanceof Uint8Array) {
    let binary = "";
    for (const byte of value) {
      binary += String.fromCharCode(byte);
    }
    return btoa(binary);
  }
  return value as Plain;
}

function messageToPlain(message: ReflectMessage): Plain {
  const out: { [key: string]: Plain } = {};
  for (const field of message.fields) {
    if (!message.isSet(field)) {
      continue;
    }
    const key = goYamlKey(field);
    switch (field.fieldKind) {
      case "scalar":
      case "enum":
        out[key] = scalar(message.get(field));
        break;
      case "message":
        out[key] = messageToPlain(message.get(field));
        break;
      case "list": {
        const items: Plain[] = [];
        for (const item of message.get(field)) {
          items.push(
            field.listKind === "message" ? messageToPlain(item as ReflectMessage) : scalar(item),
          );
        }
        out[key] = items;
        break;
      }
      case "map": {
        const entries: { [key: string]: Plain } = {};
        for (const [k, v] of message.get(field)) {
          entries[String(k)] =
            field.mapKind === "message" ? messageToPlain(v as ReflectMessage) : scalar(v);
        }
        out[key] = entries;
        break;
      }
    }
  }
  return out;
}

function emit(value: Plain, indent: string, lines: string[], prefix: string): void {
  if (Array.isArray(value)) {
    if (value.length === 0) {
      lines.push(`${prefix}[]`);
      return;
    }
    if (prefix !== "") {
      lines.push(prefix.trimEnd());
    }
    for (const item of value) {
      emitItem(item, indent, lines);
    }
    return;
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value);
    if (entries.length === 0) {
      lines.push(`${prefix}{}`);
      return;
    }
    if (prefix !== "") {
      lines.push(prefix.trimEnd());
    }
    for (const [key, entry] of entries) {
      const plainKey = /^[a-z0-9]+$/i.test(key) ? key : JSON.stringify(key);
      emit(entry, `${indent}  `, lines, `${indent}${plainKey}: `);
    }
    return;
  }
  lines.push(`${prefix}${JSON.stringify(value)}`);
}

function emitItem(item: Plain, indent: string, lines: string[]): void {
  const nested: string[] = [];
  emit(item, `${indent}  `, nested, "");
  const [first = "", ...rest] = nested;
  lines.push(`${indent}- ${first.trimStart()}`, ...rest);
}

/**
 * Renders a spec the way Omni fills `yaml_spec`: keys are the lowercased Go field names, enums are
 * numbers and Durations/Timestamps are `{seconds, nanos}`. Strings are emitted JSON-quoted, which
 * is valid YAML. Display only, as on the real server.
 */
export function specYaml<Desc extends DescMessage>(
  schema: Desc,
  message: MessageShape<Desc>,
): string {
  const plain = messageToPlain(reflect(schema, message));
  const lines: string[] = [];
  emit(plain, "", lines, "");
  return lines.length === 1 && lines[0] === "{}" ? "{}\n" : `${lines.join("\n")}\n`;
}
