import * as Result from "effect/Result"
import { parsePhoneNumber as libParsePhoneNumber } from "libphonenumber-js"
import { test } from "vitest"
import { encodeTtsSend, validateTtsSend } from "../src/model/TtsSendRequest.js"
import { normalizeRecipients } from "../src/phone/normalizeRecipients.js"
import { phoneCorpus } from "../test/fixtures/phoneCorpus.js"

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
