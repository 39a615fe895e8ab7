import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const src = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      "@fleetwatch/core": src("./packages/core/src/index.ts"),
      "@fleetwatch/testkit": src("./packages/testkit/src/index.ts"),
    },
  },
  test: {
    include: ["packages/*/src/**/*.test.ts", "apps/*/src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    // Integration tests run real sshd, Redis and apps on 2 cores: one file at a time keeps
    // their timing honest.
    fileParallelism: false,
  },
});
