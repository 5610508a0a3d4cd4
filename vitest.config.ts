import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The suites that need Go-built binaries have their own configs: `npm run test:real-omni`
    // (a real Omni) and `npm run test:interop` (Omni's Go client and omnictl on the emulator).
    exclude: ["test/real-omni/**", "test/interop/**", "**/node_modules/**"],
    environment: "node",
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
  },
});
