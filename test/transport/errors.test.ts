import { describe, expect, it, vi } from "vitest";

type ErrorsModule = typeof import("../../src/errors.js");

/** A fresh evaluation of errors.ts: what a second copy of the package in one bundle looks like. */
async function loadCopy(): Promise<ErrorsModule> {
  vi.resetModules();
  return await import("../../src/errors.js");
}

/** What a minifier may do to two copies independently: give unrelated classes one short name. */
function minify(errorClass: object, name: string): void {
  Object.defineProperty(errorClass, "name", { value: name });
}

describe("instanceof across copies of the package", () => {
  it("tells classes apart by their own names, even when minified names collide", async () => {
    const first = await loadCopy();
    const second = await loadCopy();
    expect(first.NotFoundError).not.toBe(second.NotFoundError);
    minify(first.NotFoundError, "e");
    minify(second.PermissionDeniedError, "e");

    const notFound = new first.NotFoundError("cluster x doesn't exist");
    expect(notFound.name).toBe("NotFoundError");
    expect(notFound instanceof second.PermissionDeniedError).toBe(false);
    expect(notFound instanceof second.NotFoundError).toBe(true);
    expect(notFound instanceof second.OmniError).toBe(true);

    const keyError = new first.KeyError("serviceAccountKey", "not-base64", "is not base64");
    expect(keyError instanceof second.KeyError).toBe(true);
    expect(keyError instanceof second.ValidationError).toBe(true);
    expect(keyError instanceof second.InvalidArgumentError).toBe(true);
    expect(keyError instanceof second.NotFoundError).toBe(false);
    expect(new first.ValidationError("a", "b") instanceof second.KeyError).toBe(false);
  });

  it("makes a ReadOnlyModeError a PermissionDeniedError, in every copy", async () => {
    const first = await loadCopy();
    const second = await loadCopy();
    const refused = new first.ReadOnlyModeError(
      "/omni.management.ManagementService/CreateJoinToken",
      "create",
    );
    expect(refused.name).toBe("ReadOnlyModeError");
    expect(refused.kind).toBe("create");
    expect(refused.code).toBe(7);
    expect(refused.method).toBe("/omni.management.ManagementService/CreateJoinToken");
    expect(refused.message).toBe(
      "[PermissionDenied] /omni.management.ManagementService/CreateJoinToken: read-only mode forbids this create call",
    );
    for (const copy of [first, second]) {
      expect(refused instanceof copy.PermissionDeniedError).toBe(true);
      expect(refused instanceof copy.ReadOnlyModeError).toBe(true);
      expect(refused instanceof copy.OmniError).toBe(true);
      expect(refused instanceof copy.NotFoundError).toBe(false);
    }
    expect(new second.PermissionDeniedError("denied") instanceof first.ReadOnlyModeError).toBe(
      false,
    );
  });

  it("keeps the ordinary check, and the SDK class's name, for a user's own subclass", async () => {
    const first = await loadCopy();
    const second = await loadCopy();
    class RetryBudgetSpent extends second.UnavailableError {}
    const spent = new RetryBudgetSpent("gave up");
    expect(spent.name).toBe("UnavailableError");
    expect(spent instanceof RetryBudgetSpent).toBe(true);
    expect(spent instanceof first.UnavailableError).toBe(true);
    expect(new second.UnavailableError("down") instanceof RetryBudgetSpent).toBe(false);
    expect(new first.UnavailableError("down") instanceof RetryBudgetSpent).toBe(false);
  });
});
