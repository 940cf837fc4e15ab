#!/usr/bin/env node
import { fileURLToPath } from "node:url"
// Bundle budget: the Promise client with a tts send, bundled for browsers/Workers
// (esbuild, ESM, minified), must stay within 50 KB gzip. Exits 1 above the budget.
import { gzipSync } from "node:zlib"
import { build } from "esbuild"

const BUDGET = 50 * 1024
const root = fileURLToPath(new URL("..", import.meta.url))

const entry = `
import { createClient } from "./src/promise/createClient.ts"
const voice = createClient({ apiKey: "k", baseUrl: "http://127.0.0.1:8788/v1" })
export const send = () => voice.sendTts({ phoneNumbers: "0612345678", text: "Bonjour" })
`
const result = await build({
  stdin: { contents: entry, resolveDir: root, loader: "ts" },
  bundle: true,
  minify: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  write: false,
  logLevel: "silent",
})
const code = result.outputFiles[0].contents
const gzip = gzipSync(code, { level: 9 }).length
const kb = (n) => `${(n / 1024).toFixed(1)} KB`
console.log(
  `Promise client + tts send: ${kb(code.length)} minified, ${kb(gzip)} gzip (budget ${kb(BUDGET)})`,
)
if (gzip > BUDGET) {
  console.error("bundle-size: over budget")
  process.exit(1)
}
