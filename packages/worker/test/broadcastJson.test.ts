// POST /v1/broadcasts with a JSON body, read as a stream (broadcast/jsonUpload.ts): what
// the body says is answered as `JSON.parse` of the whole text would (duplicate keys, the
// last wins; escaped keys; `apiKey` dropped; invalid JSON anywhere is INVALID_JSON; the
// nesting limit), the rows are array positions, and the 32 MB limit holds for a body sent
// without Content-Length. In workerd; nothing is created (dry runs and refusals).
import { env, listDurableObjectIds } from "cloudflare:test"
import { describe, expect, it } from "vitest"
import { answer, gateway, useHarness } from "./harness.js"
import { TOKENS } from "./testEnv.js"

const h = useHarness()

const MESSAGE = '{"tokenAudio":"dev-audio","emailForNotification":"ops@example.com"}'
/** A dry-run voicemail body with `recipients` written as given (raw JSON text). */
const body = (recipients: string, extra = "") =>
  `{"type":"voicemail","message":${MESSAGE},"recipients":${recipients},"dryRun":true${extra}}`

/** Posts `text` (or a stream) as a JSON body. */
const post = async (text: BodyInit | null, headers: Record<string, string> = {}) =>
  answer(
    await gateway("/v1/broadcasts", {
      token: TOKENS.alpha,
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: text,
    }),
  )

/** A stream of `bytes` in pieces of `size` bytes: a body without Content-Length. */
const chunked = (bytes: Uint8Array, size: number) => {
  let at = 0
  return new ReadableStream<Uint8Array>({
    pull: (controller) => {
      if (at >= bytes.length) return controller.close()
      controller.enqueue(bytes.slice(at, at + size))
      at += size
    },
  })
}

const invalidJson = { code: "INVALID_JSON", message: "the request body is not valid JSON" }

describe("POST /v1/broadcasts, JSON body", () => {
  it("plans the rows as positions in the array, whatever the chunks", async () => {
    const text = body('[ "06 12 34 56 78" ,"12","+33612345678", "" , "\\u0030\\u0036 07 08 09 10"]')
    const bytes = new TextEncoder().encode(text)
    for (const size of [1, 3, 7, bytes.length]) {
      const planned = await post(chunked(bytes, size))
      expect(planned.status, `pieces of ${size}`).toBe(200)
      expect(planned.json.plan.recipients).toMatchObject({
        total: 5,
        valid: 2,
        duplicates: 1,
        empty: 1,
        invalidCount: 1,
        invalid: [{ row: 2, input: "12" }],
      })
    }
  })

  it("reads keys and strings as JSON.parse does: escapes, a BOM, multi-byte characters", async () => {
    const escapedKey = `{"type":"voicemail","message":${MESSAGE},"recip\\u0069ents":["0612345678"],"dryRun":true}`
    expect((await post(escapedKey)).status).toBe(200)
    const withBom = new Uint8Array([
      0xef,
      0xbb,
      0xbf,
      ...new TextEncoder().encode(body('["0612345678"]')),
    ])
    expect((await post(withBom)).status).toBe(200)
    // A name in four-byte characters, the stream split inside each of them.
    const named = new TextEncoder().encode(body('["0612345678"]', ',"name":"🎉 fête 🎉"'))
    expect((await post(chunked(named, 1))).status).toBe(200)
    // A lone surrogate (as JSON.parse reads it) is an invalid row, not invalid JSON.
    const lone = await post(body('["0612345678","\\ud800"]'))
    expect(lone.status).toBe(200)
    expect(lone.json.plan.recipients).toMatchObject({ total: 2, valid: 1, invalidCount: 1 })
  })

  it("takes the last of a key given twice, recipients included; drops apiKey", async () => {
    const lastWins = await post(body('["12"]', ',"recipients":["0612345678","0752345678"]'))
    expect(lastWins.status).toBe(200)
    expect(lastWins.json.plan.recipients).toMatchObject({ total: 2, valid: 2 })
    const lastRefused = await post(body('["0612345678"]', ',"recipients":"0612345678"'))
    expect(lastRefused.status).toBe(400)
    expect(lastRefused.json.error).toMatchObject({
      field: "recipients",
      message: expect.stringContaining("must be an array of phone numbers (strings)"),
    })
    const nulled = await post(body('["0612345678"]', ',"recipients":null'))
    expect(nulled.json.error).toMatchObject({
      field: "recipients",
      message: expect.stringContaining("is required"),
    })
    const typeTwice = await post(body('["0612345678"]', ',"type":"fax"'))
    expect(typeTwice.json.error.field).toBe("type")
    const keyed = await post(body('["0612345678"]', ',"apiKey":{"any":[1,2]},"apiKey":"x"'))
    expect(keyed.status).toBe(200)
    const proto = await post(body('["0612345678"]', ',"__proto__":{"x":1}'))
    expect(proto.status).toBe(400)
    expect(proto.json.error.field).toBe("__proto__")
  })

  it("refuses what is not an array of strings as recipientList does", async () => {
    const numbers = await post(body('["0612345678",612345678]'))
    expect(numbers.status).toBe(400)
    expect(numbers.json.error).toMatchObject({ field: "recipients", issues: [{ index: 1 }] })
    expect(numbers.json.error.message).toContain("must hold phone numbers as strings")
    const nested = await post(body('["0612345678","0712345678",["0612345678"],{"a":1}]'))
    expect(nested.json.error.issues).toEqual([
      { field: "recipients", message: "must hold phone numbers as strings", index: 2 },
    ])
    const missing = await post(`{"type":"voicemail","message":${MESSAGE}}`)
    expect(missing.json.error).toMatchObject({
      field: "recipients",
      message: expect.stringContaining("is required"),
    })
    const empty = await post(body("[]"))
    expect(empty.status).toBe(400)
    expect(empty.json.error.field).toBe("recipients")
    const tooMany = await post(body(`[${'"1",'.repeat(1_000_000)}2]`))
    expect(tooMany.json.error).toMatchObject({ field: "recipients" })
    expect(tooMany.json.error.message).toContain(
      "has 1000001 rows; a broadcast takes at most 1,000,000",
    )
  }, 60_000)

  it("answers INVALID_JSON for invalid JSON anywhere, the nesting limit first", async () => {
    for (const text of [
      "",
      "   ",
      body('["0612345678",]'),
      body('["0612345678" "0712345678"]'),
      body('["06\\x12"]'),
      body('["06\\u12G4"]'),
      body('["06\n12"]'),
      body('["0612345678"'),
      body('["0612345678"]', ',"name":"x'),
      `${body('["0612345678"]')} x`,
      `${body('["0612345678"]')}{}`,
      body('["0612345678"]', ',"name":tru'),
      body('["0612345678"]', ',"dryRun":01'),
      `{"type":"voicemail",}`,
      `{"type" "voicemail"}`,
      `{type:"voicemail"}`,
      "\uFEFF\uFEFF{}",
    ]) {
      const refused = await post(text)
      expect(refused.status, text.slice(-40)).toBe(400)
      expect(refused.json.error, text.slice(-40)).toMatchObject(invalidJson)
    }
    const deep = (n: number) => `${"[".repeat(n)}"0612345678"${"]".repeat(n)}`
    const deeper = { code: "INVALID_JSON", message: "the request body nests deeper than 32 levels" }
    expect((await post(body(deep(31)))).json.error.issues).toEqual([
      { field: "recipients", message: "must hold phone numbers as strings", index: 0 },
    ])
    expect((await post(body(deep(32)))).json.error).toMatchObject(deeper)
    expect((await post(body('["0612345678"]', `,"name":${deep(32)}`))).json.error).toMatchObject(
      deeper,
    )
    // Past a syntax error the brackets are still counted (the limit is checked first).
    expect((await post(body("[x", `${"[".repeat(40)}`))).json.error).toMatchObject(deeper)
    expect((await post(`{"a":"\\"${"[".repeat(40)}`)).json.error).toMatchObject(invalidJson)
    expect((await post(`"${"[".repeat(40)}`)).json.error).toMatchObject(invalidJson)
    expect((await post(`]]]]${"[".repeat(35)}`)).json.error).toMatchObject(invalidJson)
    expect((await post(`]]]]${"[".repeat(37)}`)).json.error).toMatchObject(deeper)
  })

  it("wants one JSON object", async () => {
    const notObject = { code: "INVALID_JSON", message: "the request body must be a JSON object" }
    for (const text of ['["0612345678"]', '"x"', "1", "null", " true "])
      expect((await post(text)).json.error, text).toMatchObject(notObject)
    expect((await post(null)).json.error).toMatchObject(invalidJson)
  })

  it("holds to 32 MB without Content-Length, valid or not, and stores nothing", async () => {
    const objects = (await listDurableObjectIds(env.BROADCASTS)).length
    const endless = (head: string, filler: string) => {
      let first = true
      const piece = new TextEncoder().encode(filler.repeat(65_536 / filler.length))
      return new ReadableStream<Uint8Array>({
        pull: (controller) => {
          controller.enqueue(first ? new TextEncoder().encode(head) : piece)
          first = false
        },
      })
    }
    const tooLarge = {
      code: "PAYLOAD_TOO_LARGE",
      message: `the request body exceeds ${32 * 1024 * 1024} bytes`,
    }
    for (const stream of [
      endless(
        `{"type":"voicemail","message":${MESSAGE},"recipients":["0612345678"`,
        ',"0612345678"',
      ),
      endless(`{"type":"voicemail","recipients":[x`, "    "),
      endless(`${"[".repeat(40)}`, "    "),
    ]) {
      const refused = await post(stream)
      expect(refused.status).toBe(413)
      expect(refused.json.error).toMatchObject(tooLarge)
    }
    expect(await listDurableObjectIds(env.BROADCASTS)).toHaveLength(objects)
    expect(h.upstream.requests()).toHaveLength(0)
  }, 60_000)
})
