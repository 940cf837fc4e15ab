import { defineConfig } from "vitest/config"

export default defineConfig({
  resolve: { conditions: ["@voicepartner/source", "module", "import", "default"] },
  test: {
    environment: "node",
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/globalSetup.ts"],
    testTimeout: 30_000,
  },
})
