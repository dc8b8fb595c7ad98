import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 20_000,
    // Two cores here and in CI: keep the pool small so timing-sensitive tests (timeouts, retries) stay honest.
    maxWorkers: 2,
  },
});
