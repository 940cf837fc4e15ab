import { build } from "esbuild"

await build({
  entryPoints: ["src/bin.ts"],
  outfile: "dist/voicepartner.mjs",
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node22",
  minify: true,
  conditions: ["@voicepartner/source"],
  // effect's Node services use require(); a bundled ESM file needs one.
  banner: {
    js: '#!/usr/bin/env node\nimport { createRequire as __cr } from "node:module"; const require = __cr(import.meta.url);',
  },
})
await (await import("node:fs/promises")).chmod("dist/voicepartner.mjs", 0o755)
