import { defineConfig } from "vitest/config";

/**
 * Omni's own Go client and omnictl against the emulator (`npm run test:interop`), apart from
 * `npm test`: its global setup builds them from the Go module proxy. No real Omni runs.
 */
export default defineConfig({
  test: {
    include: ["test/interop/**/*.test.ts"],
    globalSetup: ["test/interop/global-setup.ts"],
    environment: "node",
    testTimeout: 120_000,
    // The first build fetches and compiles Omni's module graph, which takes minutes; later runs
    // reuse Go's caches and finish in seconds.
    hookTimeout: 1_800_000,
    pool: "forks",
  },
});
