import { describe, expect, it } from "vitest"
import { answer, dropBody, gateway, useHarness } from "./harness.js"
import { TOKENS } from "./testEnv.js"

const h = useHarness()

const numbers = (n: number) =>
  Array.from({ length: n }, (_, i) => `06${String(10_000_000 + i).padStart(8, "0")}`)

const remaining = (headers: Headers) => headers.get("ratelimit")

describe("what the gateway can judge never spends the shared quota", () => {
  it("refuses 501 recipients with a 400 pointing at bulk, and the other clients keep their slots", async () => {
    for (let i = 0; i < 4; i++) {
      const refused = await answer(
        await gateway("/v1/campaign/send", {
          token: TOKENS.beta,
          json: dropBody(numbers(501).join(",")),
        }),
      )
      expect(refused.status).toBe(400)
      expect(refused.json.error).toMatchObject({ code: "VALIDATION_ERROR", field: "phoneNumbers" })
      expect(refused.json.error.message).toMatch(/at most 500/)
    }
    // The account's five voicemail drops of the minute are all still there for alpha.
    for (let i = 0; i < 5; i++) {
      const sent = await answer(
        await gateway("/v1/campaign/send", { token: TOKENS.alpha, json: dropBody("0612345678") }),
      )
      expect(sent.status).toBe(200)
    }
    expect(h.upstream.requests()).toHaveLength(5)
  })

  it.each([
    ["text: null", { phoneNumbers: "0612345678", text: null }, "text"],
    ["empty text", { phoneNumbers: "0612345678", text: "" }, "text"],
    ["zero-width text", { phoneNumbers: "0612345678", text: "\u200b\u200b\ufeff" }, "text"],
    [
      "a date past the callback URL's life",
      { phoneNumbers: "0612345678", text: "Bonjour", scheduledDate: "2030-01-01 10:00" },
      "scheduledDate",
    ],
    ["501 voice SMS recipients", { phoneNumbers: numbers(501), text: "Bonjour" }, "phoneNumbers"],
  ])("400 before any slot for %s", async (_name, body, field) => {
    const refused = await answer(await gateway("/v1/tts/send", { token: TOKENS.alpha, json: body }))
    expect(refused.status).toBe(400)
    expect(refused.json.error.field).toBe(field)
    // No quota object call for an answer that never needed the quota: no fields.
    expect(remaining(refused.headers)).toBeNull()
    expect(h.upstream.requests()).toHaveLength(0)
    // The next send takes the hour's first slot: the refusal took none.
    const sent = await answer(
      await gateway("/v1/tts/send", {
        token: TOKENS.alpha,
        json: { phoneNumbers: "0612345678", text: "Bonjour" },
      }),
    )
    expect(remaining(sent.headers)).toBe('"tts-send-3600s";r=1999;t=3600')
  })

  it("judges a malformed Idempotency-Key before the quota too", async () => {
    const refused = await answer(
      await gateway("/v1/tts/send", {
        token: TOKENS.alpha,
        headers: { "idempotency-key": "a b" },
        json: { phoneNumbers: "0612345678", text: "Bonjour" },
      }),
    )
    expect(refused.status).toBe(400)
    expect(refused.json.error.field).toBe("Idempotency-Key")
  })
})
