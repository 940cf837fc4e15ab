import { readFileSync } from "node:fs"
import { build } from "esbuild"

const { version } = JSON.parse(readFileSync(new URL("package.json", import.meta.url), "utf8"))

await build({
  entryPoints: ["src/bin.ts"],
  outfile: "dist/voicepartner.mjs",
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node22",
  minify: true,
  conditions: ["@voicepartner/source"],
  // `voicepartner --version` is the package's version.
  define: { __VOICEPARTNER_VERSION__: JSON.stringify(version) },
  // effect's Node services use require(); a bundled ESM file needs one.
  banner: {
    js: '#!/usr/bin/env node\nimport { createRequire as __cr } from "node:module"; const require = __cr(import.meta.url);',
  },
})
await (await import("node:fs/promises")).chmod("dist/voicepartner.mjs", 0o755)
