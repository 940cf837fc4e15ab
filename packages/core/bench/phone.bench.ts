import { pathToFileURL } from "node:url"
import * as Result from "effect/Result"
import { build } from "esbuild"
import { parsePhoneNumber as libParsePhoneNumber } from "libphonenumber-js"
import { test } from "vitest"
import type * as Tts from "../src/model/TtsSendRequest.js"
import type * as Recipients from "../src/phone/normalizeRecipients.js"
import { phoneCorpus } from "../test/fixtures/phoneCorpus.js"

// Measure core as users run it: bundled into one module. Imported straight from src,
// vitest's module runner wraps every cross-module call in an export getter, which costs
// more than parsing a number.
// Written under node_modules so that vitest imports it natively, untransformed, like
// libphonenumber-js.
const outfile = new URL("../node_modules/.cache/voicepartner-bench/phone.mjs", import.meta.url)
  .pathname
await build({
  stdin: {
    contents: `export { encodeTtsSend, validateTtsSend } from "./src/model/TtsSendRequest.ts"
export { normalizeRecipients } from "./src/phone/normalizeRecipients.ts"`,
    resolveDir: new URL("..", import.meta.url).pathname,
    loader: "ts",
  },
  bundle: true,
  format: "esm",
  platform: "neutral",
  outfile,
  logLevel: "error",
})
const { encodeTtsSend, validateTtsSend, normalizeRecipients } = (await import(
  pathToFileURL(outfile).href
)) as typeof Tts & typeof Recipients

// 500 French numbers in mixed decorations (06…, +33 (0)6…, 0033…, dots, dashes…).
const numbers = phoneCorpus(500, 7, 0)
const now = Date.UTC(2026, 0, 1)
let sink = 0

test("500-number request (mixed French forms)", async ({ bench }) => {
  const results = await bench.compare(
    bench("core: validate + build tts/send request and body", () => {
      const validated = validateTtsSend({ phoneNumbers: numbers, text: "Bonjour" }, { now })
      if (Result.isFailure(validated)) throw new Error(validated.failure.message)
      sink += encodeTtsSend(validated.success.request).phoneNumbers.length
    }),
    bench("core: normalizeRecipients only", () => {
      sink += normalizeRecipients(numbers).numbers.length
    }),
    bench("baseline: libphonenumber-js parsePhoneNumber(n, 'FR')", () => {
      for (const n of numbers) sink += libParsePhoneNumber(n, "FR").number.length
    }),
    // Steady state: enough warm-up for the JIT, as in a long-running server or bulk send.
    { warmupTime: 1_000, time: 2_000 },
  )
  const median = (name: Parameters<typeof results.get>[0]): number => {
    const r = results.get(name) as unknown as { latency: { p50: number } }
    return r.latency.p50
  }
  const ours = median("core: validate + build tts/send request and body")
  const lib = median("baseline: libphonenumber-js parsePhoneNumber(n, 'FR')")
  console.log(
    `median core validate+build: ${ours.toFixed(4)} ms; normalizeRecipients: ${median("core: normalizeRecipients only").toFixed(4)} ms; libphonenumber-js: ${lib.toFixed(4)} ms; ratio ${(lib / ours).toFixed(1)}x (sink ${sink > 0})`,
  )
})
