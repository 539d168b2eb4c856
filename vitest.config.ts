import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    pool: "threads",
    setupFiles: ["test/setup-hashing.ts"],
    testTimeout: 60_000,
  },
});
