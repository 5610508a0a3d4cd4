import { describe, expect, it } from "vitest";
import { Clusters } from "../../src/index.js";
import { realClient, realOmni, transportNames } from "./harness.js";

describe.each(transportNames)("real Omni over %s", (transport) => {
  it("answers a signed call with the initial service account", async () => {
    const omni = realClient(transport);
    const accounts = await omni.management.listServiceAccounts();
    expect(accounts.map((account) => account.name)).toContain(realOmni().serviceAccountName);
    expect(Array.isArray(await omni.resources.listAll(Clusters))).toBe(true);
  });
});
