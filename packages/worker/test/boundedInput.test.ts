import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { MAX_JSON_DEPTH, parseBoundedJson } from "../src/http/boundedJson.js"
import { answer, gateway, useHarness } from "./harness.js"
import { TOKENS } from "./testEnv.js"

const h = useHarness()

const nested = (levels: number) =>
  `{"phoneNumbers":${"[".repeat(levels)}"0612345678"${"]".repeat(levels)},"text":"x"}`

describe("deeply nested JSON", () => {
  it.each([5_000, 100_000])(
    "is a 400, never a 500, at %i levels, with or without Idempotency-Key",
    async (levels) => {
      for (const headers of [{}, { "idempotency-key": `deep-${levels}` }]) {
        const refused = await answer(
          await gateway("/v1/tts/send", {
            method: "POST",
            token: TOKENS.alpha,
            headers: { ...headers, "content-type": "application/json" },
            body: nested(levels),
          }),
        )
        expect(refused.status).toBe(400)
        expect(refused.json.error.code).toBe("INVALID_JSON")
        expect(refused.json.error.message).toMatch(/deeper than 32/)
      }
      expect(h.upstream.requests()).toHaveLength(0)
    },
  )

  it("counts brackets inside strings as text", () => {
    const text = JSON.stringify({ text: "[".repeat(1_000) })
    expect(parseBoundedJson(text)).toEqual({ ok: true, value: { text: "[".repeat(1_000) } })
  })

  it("agrees with JSON.parse on every value within the depth limit", () => {
    fc.assert(
      fc.property(fc.jsonValue({ depthSize: "small" }), (value) => {
        const text = JSON.stringify(value)
        const read = parseBoundedJson(text)
        expect(read).toEqual({ ok: true, value: JSON.parse(text) })
      }),
    )
  })

  it("refuses exactly past the limit", () => {
    const at = (n: number) => parseBoundedJson(`${"[".repeat(n)}${"]".repeat(n)}`).ok
    expect(at(MAX_JSON_DEPTH)).toBe(true)
    expect(at(MAX_JSON_DEPTH + 1)).toBe(false)
  })
})

describe("validation answers stay small", () => {
  it("lists at most 100 issues with the total, under 64 KB, for a 250 KB body of bad numbers", async () => {
    const bad = Array.from({ length: 20_000 }, (_, i) => `12${i}`)
    const body = JSON.stringify({ phoneNumbers: bad, text: "x" })
    expect(body.length).toBeGreaterThan(150_000)
    const response = await gateway("/v1/tts/send", {
      method: "POST",
      token: TOKENS.alpha,
      headers: { "content-type": "application/json" },
      body,
    })
    const text = await response.clone().text()
    const refused = await answer(response)
    expect(refused.status).toBe(400)
    expect(refused.json.error.issues).toHaveLength(100)
    expect(refused.json.error.issueCount).toBe(20_000)
    expect(text.length).toBeLessThan(64 * 1024)
  })

  it("quotes only a prefix of one huge bad number", async () => {
    const response = await gateway("/v1/tts/send", {
      token: TOKENS.alpha,
      json: { phoneNumbers: ["9".repeat(200_000)], text: "x" },
    })
    const text = await response.text()
    expect(response.status).toBe(400)
    expect(text.length).toBeLessThan(2_000)
  })
})
