import { describe, expect, it } from "vitest";
import type { ValidationError } from "../../src/errors.js";
import { checkOptionKeys, optionKeys } from "../../src/option-keys.js";
import { thrownValidationError } from "../validation-error.js";

interface Sample {
  readOnly?: boolean;
  timeoutMs?: number;
  transport: string;
}

const sampleKeys = optionKeys<Sample>()({ readOnly: true, timeoutMs: true, transport: true });

function refusal(options: unknown, argument = "options"): ValidationError {
  return thrownValidationError(() => checkOptionKeys(argument, options, sampleKeys));
}

describe("optionKeys", () => {
  it("holds a list to its type: `npm run typecheck` fails if either line below compiles", () => {
    // @ts-expect-error a key the type does not have
    const extra = optionKeys<Pick<Sample, "readOnly">>()({ readOnly: true, x: true });
    // @ts-expect-error an optional key of the type is missing
    const missing = optionKeys<Sample>()({ readOnly: true, transport: true });
    expect([extra.size, missing.size]).toEqual([2, 2]);
    expect([...sampleKeys]).toEqual(["readOnly", "timeoutMs", "transport"]);
  });
});

describe("checkOptionKeys", () => {
  it("accepts every listed key, set or undefined, and no key at all", () => {
    expect(() =>
      checkOptionKeys(
        "options",
        { readOnly: true, timeoutMs: undefined, transport: "t" },
        sampleKeys,
      ),
    ).not.toThrow();
    expect(() => checkOptionKeys("options", {}, sampleKeys)).not.toThrow();
  });

  it("names a misspelt key by its full path and suggests the key meant", () => {
    const error = refusal({ transport: "t", readonly: true }, "options.nested");
    expect(error.argument).toBe("options.nested.readonly");
    expect(error.rawMessage).toBe(
      "options.nested.readonly: is not a known option; did you mean readOnly?",
    );
  });

  it("refuses an unknown key even when its value is undefined", () => {
    expect(refusal({ transport: "t", timeout: undefined }).argument).toBe("options.timeout");
  });

  it("lists the options when no key is close", () => {
    expect(refusal({ colour: "blue" }).rawMessage).toBe(
      "options.colour: is not a known option; the options are readOnly, timeoutMs, transport",
    );
  });

  it("names keys bare where a function names its options bare", () => {
    expect(refusal({ transprot: "t" }, "").argument).toBe("transprot");
  });

  it.each([undefined, null, "t", 5, ["transport"]])("refuses %j as the options object", (value) => {
    expect(refusal(value).rawMessage).toBe("options: must be an options object");
  });

  it.each([
    ["a Map", new Map([["transport", "t"]])],
    ["a Date", new Date()],
    ["a Set", new Set(["transport"])],
    ["a Headers object", new Headers({ transport: "t" })],
  ])("refuses %s, whose contents would read as no options", (_kind, value) => {
    expect(refusal(value).rawMessage).toBe("options: must be an options object");
  });

  it("takes an object without a prototype, and an instance of a class of the caller's", () => {
    const bare = Object.assign(Object.create(null) as object, { transport: "t" });
    class Settings {
      readonly transport = "t";
    }
    expect(() => checkOptionKeys("options", bare, sampleKeys)).not.toThrow();
    expect(() => checkOptionKeys("options", new Settings(), sampleKeys)).not.toThrow();
  });

  it("says so when a call takes no options at all", () => {
    expect(() => checkOptionKeys("options", { x: 1 }, new Set())).toThrow(
      "options.x: is not a known option; this call takes none",
    );
  });
});
