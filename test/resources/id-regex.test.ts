import { describe, expect, it } from "vitest";
import { seedDemoData } from "../../src/emulator/cosi/index.js";
import { compileRe2 } from "../../src/emulator/cosi/re2-pattern.js";
import { InvalidArgumentError, ValidationError } from "../../src/errors.js";
import { MachineSets } from "../../src/resources/registry.js";
import { inMemoryResources } from "./harness.js";

const seeded = () => {
  const harness = inMemoryResources();
  seedDemoData(harness.store, { seed: 7 });
  return harness;
};

describe("ID regexps", () => {
  it("sends Go RE2 patterns to Omni as they are, and the emulator filters like RE2", async () => {
    const { api } = seeded();
    const ids = async (idRegex: string) =>
      (await api.listAll(MachineSets, { idRegex })).map((s) => s.metadata.id).sort();
    expect(await ids("(?i)^PRODUCTION-")).toEqual([
      "production-control-planes",
      "production-workers",
    ]);
    expect(await ids("^(?P<cluster>dev)-workers$")).toEqual(["dev-workers"]);
    expect(await ids("(?s)^staging.*planes\\z")).toEqual(["staging-control-planes"]);
    expect(await ids("^\\Qdev-\\E[[:alpha:]]+$")).toEqual(["dev-workers"]);
  });

  it("leaves a pattern RE2 rejects to the server, which answers InvalidArgument", async () => {
    const { api } = seeded();
    for (const idRegex of ["(?=dev)", "(dev)\\1", "(", "a{2000}"]) {
      const error = await api.listAll(MachineSets, { idRegex }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect(error).not.toBeInstanceOf(ValidationError);
    }
  });

  it("refuses what cannot be a pattern before any call", async () => {
    const { api, calls } = seeded();
    // 2,049 two-byte characters: under 4,096 characters, over the 4,096 bytes COSI counts.
    for (const idRegex of ["", 42, "é".repeat(2049)]) {
      const error = await api
        .listAll(MachineSets, { idRegex: idRegex as string })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).argument).toBe("options.idRegex");
    }
    expect(calls()).toBe(0);
  });
});

describe("the emulator's RE2 translation", () => {
  it.each([
    ["(?i)^talos", "TALOS-1", true],
    ["(?m)^b$", "a\nb", true],
    ["a.b", "a\nb", false],
    ["\\Aab\\z", "ab\n", false],
    ["\\pL+$", "é", true],
    ["\\p{Greek}", "α", true],
    ["\\P{Greek}", "α", false],
    ["a\\-b\\:c", "a-b:c", true],
    ["[\\-a]", "-", true],
    ["\\Qa.b\\E", "axb", false],
    ["{x}", "{x}", true],
    ["[]a]", "]", true],
    ["\\x{41}\\101", "AA", true],
    ["a]", "a]", true],
    ["^[[:digit:]]+$", "042", true],
    ["^[[:^digit:]]+$", "a-é", true],
    ["[[:^digit:]]", "5", false],
    ["[[:^punct:]]", "[", false],
    ["[[:^space:]x]", " ", false],
    ["[[:^ascii:]]", "é", true],
    // Under (?i) RE2 folds the class to both cases before negating it.
    ["(?i)^[[:^lower:]]$", "A", false],
    ["(?i)^[[:^alpha:]]$", "\u212a", false],
    ["(?i)^[[:^lower:]]$", "1", true],
  ])("%s on %j matches: %s", (pattern, input, matches) => {
    expect(compileRe2(pattern).test(input)).toBe(matches);
  });

  it.each(["(?=a)", "(?<!a)b", "\\1", "\\k<n>", "(?U)a", "\\C", "[[:nope:]]"])(
    "refuses %s",
    (pattern) => {
      expect(() => compileRe2(pattern)).toThrow();
    },
  );
});
