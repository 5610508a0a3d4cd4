import { defineConfig } from "vitest/config";

/**
 * The suite against a real Omni (`npm run test:real-omni`), apart from `npm test`: its global
 * setup builds Omni from the Go module proxy and starts it on loopback, or uses the one that
 * `npm run omni:real` started when its OMNI_* variables are set.
 */
export default defineConfig({
  test: {
    include: ["test/real-omni/**/*.test.ts"],
    globalSetup: ["test/real-omni/global-setup.ts"],
    environment: "node",
    testTimeout: 60_000,
    // Building Omni on a fresh machine takes minutes; later runs reuse Go's caches.
    hookTimeout: 1_800_000,
    pool: "forks",
  },
});
