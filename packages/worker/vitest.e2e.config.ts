import { defineConfig } from "vitest/config"

// End-to-end tests in Node against real `wrangler dev`, the emulator and a receiver.
export default defineConfig({
  test: {
    include: ["e2e/**/*.e2e.test.ts"],
    environment: "node",
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
})
