import { describe, expect, it } from "vitest";
import { IdentityStore } from "../../src/emulator/identities.js";
import type { ParsedPublicKey } from "../../src/emulator/public-keys.js";
import { verifySignedCall } from "../../src/emulator/signature.js";

const method = "/management.ManagementService/Omniconfig";

/** A store with one confirmed key whose signatures always check out, so only the clock decides. */
function storeWithKey(): IdentityStore {
  const identities = new IdentityStore();
  identities.addIdentity("admin@example.org", "Admin");
  const key: ParsedPublicKey = {
    id: "key",
    kind: "plain",
    email: undefined,
    expiration: new Date("2100-01-01T00:00:00Z"),
    created: new Date("2000-01-01T00:00:00Z"),
    armored: "",
    verify: async () => true,
  };
  identities.addKey(key, "admin@example.org", "Admin", true);
  return identities;
}

function callAt(timestampSeconds: number, serverTime: Date) {
  const timestamp = String(timestampSeconds);
  const headers: Record<string, string> = {
    "x-sidero-timestamp": timestamp,
    "x-sidero-payload": JSON.stringify({ headers: { "x-sidero-timestamp": [timestamp] }, method }),
    "x-sidero-signature": "siderov1 admin@example.org key AAAA",
  };
  return verifySignedCall(
    method,
    (name) => headers[name],
    storeWithKey(),
    () => serverTime,
  );
}

describe("siderov1 timestamp window", () => {
  const serverTime = new Date(1_800_000_000_500);

  it("measures the five minutes against the server clock to the millisecond, as Omni does", async () => {
    await expect(callAt(1_800_000_000 - 300, serverTime)).rejects.toThrow("invalid signature");
    await expect(callAt(1_800_000_000 - 299, serverTime)).resolves.toMatchObject({
      role: "Admin",
    });
    await expect(callAt(1_800_000_000 + 300, serverTime)).resolves.toMatchObject({
      role: "Admin",
    });
    await expect(callAt(1_800_000_000 + 301, serverTime)).rejects.toThrow("invalid signature");
  });
});
