#!/usr/bin/env node
// Fails when the deployed bundle (`wrangler deploy --dry-run --minify`, i.e. `pnpm build`)
// grows past its budget: 150 KB gzip.
import { readFileSync } from "node:fs"
import { gzipSync } from "node:zlib"

const BUDGET = 150 * 1024
const bundle = readFileSync(new URL("../dist/index.js", import.meta.url))
const gzip = gzipSync(bundle, { level: 9 }).length
const kb = (n) => `${(n / 1024).toFixed(1)} KB`
console.log(
  `gateway bundle: ${kb(bundle.length)} minified, ${kb(gzip)} gzip (budget ${kb(BUDGET)})`,
)
if (gzip > BUDGET) {
  console.error("over budget")
  process.exit(1)
}
