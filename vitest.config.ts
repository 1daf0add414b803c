import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["**/*.test.ts"],
    exclude: ["node_modules/**", ".waystation/**"],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Real daemons (mosquitto, pcscd) bind fixed or free ports; files run in parallel but each
    // test that needs a daemon starts its own on a free port.
    pool: "forks",
  },
});
