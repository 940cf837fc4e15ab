import { cloudflareTest } from "@cloudflare/vitest-plugin"
import { defineConfig } from "vitest/config"
import { testBindings } from "./test/testEnv.js"

// Unit and integration tests run inside workerd, with the gateway's Durable Objects;
// the upstream is the emulator, in the same isolate (see test/harness.ts).
export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: "./wrangler.jsonc" },
      miniflare: { bindings: testBindings },
    }),
  ],
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 20_000,
  },
})
