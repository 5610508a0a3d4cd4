import { readFileSync } from "node:fs";
import type { DescMessage, Registry } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import {
  contractLabel,
  contractType,
  defaultJsonName,
  generatedFiles,
  generatedRegistry,
} from "./descriptors.js";

interface ContractField {
  name: string;
  number: number;
  type: string;
  label?: string;
  oneof?: string;
  json_name?: string;
}
interface ContractMessage {
  fields: ContractField[];
  reserved_numbers?: number[];
  reserved_names?: string[];
}
interface ContractMethod {
  name: string;
  path: string;
  kind: string;
  input: string;
  output: string;
}
interface ContractFile {
  package: string;
  services: Record<string, ContractMethod[]>;
  messages: Record<string, ContractMessage>;
  enums: Record<string, Record<string, number>>;
}
interface Contract {
  files: Record<string, ContractFile>;
  removed_since_v1_2_0: {
    messages: Record<string, ContractMessage>;
    rpcs: Record<string, ContractMethod[]>;
  };
}

const contract = JSON.parse(
  readFileSync(new URL("../fixtures/omni-contract.json", import.meta.url), "utf8"),
) as Contract;

const methodKinds: Record<string, string> = {
  unary: "unary",
  server_streaming: "server_streaming",
  client_streaming: "client_streaming",
  bidi_streaming: "bidi",
};

interface Tally {
  methods: Record<string, number>;
  fields: number;
  enumValues: number;
  messages: number;
}

function compareMessage(
  registry: Registry,
  name: string,
  expected: ContractMessage,
  mismatches: string[],
  tally: Tally,
): void {
  const message: DescMessage | undefined = registry.getMessage(name);
  if (!message) {
    mismatches.push(`message ${name} is missing`);
    return;
  }
  tally.messages++;
  const seen = new Set<number>();
  for (const want of expected.fields) {
    tally.fields++;
    const where = `${name}.${want.name}`;
    const field = message.fields.find((f) => f.name === want.name);
    if (!field) {
      mismatches.push(`field ${where} is missing`);
      continue;
    }
    seen.add(field.number);
    const got = {
      number: field.number,
      type: contractType(field),
      label: contractLabel(field),
      oneof: field.oneof?.name,
      jsonName: field.jsonName,
    };
    const wanted = {
      number: want.number,
      type: want.type,
      label: want.type.startsWith("map<") ? undefined : want.label,
      oneof: want.oneof,
      jsonName: want.json_name ?? defaultJsonName(want.name),
    };
    for (const key of Object.keys(wanted) as (keyof typeof wanted)[]) {
      if (got[key] !== wanted[key]) {
        mismatches.push(`field ${where}: ${key} is ${got[key]}, contract says ${wanted[key]}`);
      }
    }
  }
  for (const field of message.fields) {
    if (!seen.has(field.number)) {
      mismatches.push(`field ${name}.${field.name} is not in the contract`);
    }
  }
  const reservedNumbers = message.proto.reservedRange.flatMap((range) =>
    Array.from({ length: range.end - range.start }, (_, i) => range.start + i),
  );
  if (
    JSON.stringify(reservedNumbers.sort((a, b) => a - b)) !==
    JSON.stringify([...(expected.reserved_numbers ?? [])].sort((a, b) => a - b))
  ) {
    mismatches.push(
      `message ${name}: reserved numbers ${reservedNumbers} differ from the contract`,
    );
  }
  if (
    JSON.stringify([...message.proto.reservedName].sort()) !==
    JSON.stringify([...(expected.reserved_names ?? [])].sort())
  ) {
    mismatches.push(`message ${name}: reserved names differ from the contract`);
  }
}

function compareMethods(
  registry: Registry,
  serviceName: string,
  expected: ContractMethod[],
  mismatches: string[],
  tally: Tally,
): void {
  const service = registry.getService(serviceName);
  if (!service) {
    mismatches.push(`service ${serviceName} is missing`);
    return;
  }
  for (const want of expected) {
    const method = service.methods.find((m) => m.name === want.name);
    if (!method) {
      mismatches.push(`method ${want.path} is missing`);
      continue;
    }
    tally.methods[serviceName] = (tally.methods[serviceName] ?? 0) + 1;
    const got = {
      path: `/${service.typeName}/${method.name}`,
      kind: methodKinds[method.methodKind],
      input: method.input.typeName,
      output: method.output.typeName,
    };
    for (const key of Object.keys(got) as (keyof typeof got)[]) {
      if (got[key] !== want[key]) {
        mismatches.push(`method ${want.path}: ${key} is ${got[key]}, contract says ${want[key]}`);
      }
    }
  }
}

describe("generated descriptors against Omni's wire contract", () => {
  const registry = generatedRegistry();
  const mismatches: string[] = [];
  const tally: Tally = { methods: {}, fields: 0, enumValues: 0, messages: 0 };
  const removed = contract.removed_since_v1_2_0;

  for (const [path, file] of Object.entries(contract.files)) {
    for (const [name, message] of Object.entries(file.messages)) {
      compareMessage(registry, name, message, mismatches, tally);
    }
    for (const [name, values] of Object.entries(file.enums)) {
      const descEnum = registry.getEnum(name);
      if (!descEnum) {
        mismatches.push(`enum ${name} is missing`);
        continue;
      }
      for (const [valueName, number] of Object.entries(values)) {
        tally.enumValues++;
        const value = descEnum.values.find((v) => v.name === valueName);
        if (value?.number !== number) {
          mismatches.push(
            `enum value ${name}.${valueName} is ${value?.number}, contract says ${number}`,
          );
        }
      }
      if (descEnum.values.length !== Object.keys(values).length) {
        mismatches.push(`enum ${name} has values the contract does not list`);
      }
    }
    for (const [serviceName, methods] of Object.entries(file.services)) {
      const all = [...methods, ...(removed.rpcs[serviceName] ?? [])];
      compareMethods(registry, serviceName, all, mismatches, tally);
      const declared = registry.getService(serviceName)?.methods.length;
      if (declared !== all.length) {
        mismatches.push(
          `service ${serviceName} declares ${declared} methods, expected ${all.length}`,
        );
      }
    }
    const generated = generatedFiles[path];
    if (!generated) {
      mismatches.push(`file ${path} was not generated`);
    } else if (generated.proto.package !== file.package) {
      mismatches.push(
        `file ${path}: package ${generated.proto.package}, contract says ${file.package}`,
      );
    }
  }
  for (const [name, message] of Object.entries(removed.messages)) {
    compareMessage(registry, name, message, mismatches, tally);
  }

  it("matches every service, method, field and enum value with zero mismatches", () => {
    console.info(
      `compared ${Object.values(tally.methods).reduce((a, b) => a + b, 0)} methods ` +
        `(${Object.entries(tally.methods)
          .map(([s, n]) => `${s} ${n}`)
          .join(", ")}), ${tally.messages} messages, ${tally.fields} fields, ` +
        `${tally.enumValues} enum values`,
    );
    expect(mismatches).toEqual([]);
  });

  it.each([
    ["management.ManagementService", 29],
    ["auth.AuthService", 4],
    ["cosi.resource.State", 8],
    ["omni.resources.ResourceService", 9],
  ])("compares every method of %s (%i)", (service, count) => {
    expect(tally.methods[service]).toBe(count);
  });

  it("keeps TearDownLockedCluster for Omni v1.2 servers", () => {
    const method = registry
      .getService("management.ManagementService")
      ?.methods.find((m) => m.name === "TearDownLockedCluster");
    expect(method?.input.typeName).toBe("management.TearDownLockedClusterRequest");
    expect(method?.input.fields.map((f) => [f.name, f.number])).toEqual([["cluster_id", 1]]);
  });
});
