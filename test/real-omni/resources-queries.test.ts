import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  InvalidArgumentError,
  type LabelSelector,
  type LabelTermInput,
  MachineLabels,
  OmniError,
  ValidationError,
} from "../../src/index.js";
import { failure, realClient, transportNames, uniqueName } from "./harness.js";
import { removeCreated } from "./resources-fixtures.js";

/**
 * Five MachineLabels of this run, each tagged with the run so that resources of other tests and
 * earlier runs never match: `size` compares as a string or as a number, `tier` is missing on one.
 */
const run = uniqueName("sdk-query");
const runLabel = "sdk-test/run";
const fixtures: Record<string, Record<string, string>> = {
  a: { tier: "gold", size: "4" },
  b: { tier: "silver", size: "16" },
  c: { tier: "bronze", size: "2Gi" },
  d: { size: "1k" },
  e: { tier: "gold", size: "32" },
};
const idOf = (name: string) => `${run}-${name}`;
const admin = realClient("native gRPC");

beforeAll(async () => {
  for (const [name, labels] of Object.entries(fixtures)) {
    await admin.resources.create(MachineLabels, {
      metadata: { id: idOf(name), labels: { [runLabel]: run, ...labels } },
      spec: {},
    });
  }
});

afterAll(async () => {
  for (const name of Object.keys(fixtures)) {
    await removeCreated(admin, MachineLabels, idOf(name));
  }
});

/** Which fixtures (by short name, sorted) a selector matches. */
const selections: Array<[string, readonly LabelTermInput[] | Record<string, string>, string[]]> = [
  ["equality record", { tier: "gold" }, ["a", "e"]],
  ["two equalities", { tier: "gold", size: "32" }, ["e"]],
  ["equal term", [{ key: "tier", op: "equal", value: "silver" }], ["b"]],
  // COSI's inverted terms also match resources that lack the label.
  ["not equal", [{ key: "tier", op: "equal", value: "gold", not: true }], ["b", "c", "d"]],
  ["exists", [{ key: "tier", op: "exists" }], ["a", "b", "c", "e"]],
  ["not exists", [{ key: "tier", op: "exists", not: true }], ["d"]],
  ["in", [{ key: "tier", op: "in", values: ["silver", "bronze"] }], ["b", "c"]],
  ["not in", [{ key: "tier", op: "in", values: ["silver", "bronze"], not: true }], ["a", "d", "e"]],
  // String order: "16" < "2Gi" < "32" < "4".
  ["lt (string)", [{ key: "size", op: "lt", value: "32" }], ["b", "c", "d"]],
  ["lte (string)", [{ key: "size", op: "lte", value: "32" }], ["b", "c", "d", "e"]],
  // Numeric order with units: 4 < 16 < 32 < 1k (1000) < 2Gi.
  ["lt (numeric)", [{ key: "size", op: "lt", value: "32", numeric: true }], ["a", "b"]],
  ["lte (numeric)", [{ key: "size", op: "lte", value: "32", numeric: true }], ["a", "b", "e"]],
  ["gt (numeric)", [{ key: "size", op: "gt", value: "32", numeric: true }], ["c", "d"]],
  ["gte (numeric)", [{ key: "size", op: "gte", value: "1000", numeric: true }], ["c", "d"]],
  ["gt (string)", [{ key: "size", op: "gt", value: "2Gi" }], ["a", "e"]],
  [
    "several terms",
    [
      { key: "tier", op: "exists" },
      { key: "size", op: "lt", value: "20", numeric: true },
    ],
    ["a", "b"],
  ],
];

function names(ids: string[]): string[] {
  return ids.map((id) => id.slice(run.length + 1)).sort();
}

describe.each(transportNames)("label and ID queries on real Omni over %s", (transport) => {
  const omni = realClient(transport);

  it.each(selections)("selects by %s", async (_, selector, expected) => {
    const terms: LabelSelector = Array.isArray(selector)
      ? [{ key: runLabel, op: "equal", value: run }, ...selector]
      : { [runLabel]: run, ...selector };
    const listed = await omni.resources.listAll(MachineLabels, { labels: terms });
    expect(names(listed.map((r) => r.metadata.id))).toEqual(expected);
  });

  it("selects by ID regex, unanchored unless anchored, combined with labels", async () => {
    const byPrefix = await omni.resources.listAll(MachineLabels, { idRegex: `^${run}-` });
    expect(names(byPrefix.map((r) => r.metadata.id))).toEqual(["a", "b", "c", "d", "e"]);
    // RE2 is unanchored: a pattern matching inside the ID selects it.
    const inside = await omni.resources.listAll(MachineLabels, {
      idRegex: `${run.slice(4)}-[ab]$`,
    });
    expect(names(inside.map((r) => r.metadata.id))).toEqual(["a", "b"]);
    const both = await omni.resources.listAll(MachineLabels, {
      idRegex: `^${run}-[a-c]$`,
      labels: [{ key: "tier", op: "in", values: ["gold", "bronze"] }],
    });
    expect(names(both.map((r) => r.metadata.id))).toEqual(["a", "c"]);
  });

  it("leaves RE2 syntax to Omni, which refuses what Go cannot compile", async () => {
    const lookahead = await failure(
      omni.resources.listAll(MachineLabels, { idRegex: `^${run}-(?=a)` }),
    );
    expect(lookahead).toBeInstanceOf(InvalidArgumentError);
    expect(lookahead).not.toBeInstanceOf(ValidationError);
    expect(lookahead.rawMessage).toBe(
      "failed to compile regexp: error parsing regexp: invalid or unsupported Perl syntax: `(?=`",
    );
    // What RE2 has and JavaScript spells differently works as Go reads it.
    const quoted = await omni.resources.listAll(MachineLabels, { idRegex: `\\Q${run}-a\\E` });
    expect(names(quoted.map((r) => r.metadata.id))).toEqual(["a"]);
  });

  it("refuses a numeric comparison with a value COSI cannot parse before sending it", async () => {
    const error = await failure(
      omni.resources.listAll(MachineLabels, {
        labels: [{ key: "size", op: "lt", value: "big", numeric: true }],
      }),
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toBeInstanceOf(OmniError);
  });
});
