// Drop-in mode (the client token where Voice Partner puts its key): every error answer
// carries the provider's top-level fields — `success: false`, its `code`, `message` — with
// the gateway's richer `error` object beside them. Bearer clients keep today's shape.
import { describe, expect, it } from "vitest"
import { answer, dropBody, gateway, useHarness } from "./harness.js"
import { TOKENS } from "./testEnv.js"

const h = useHarness()

const tts = (body: Record<string, unknown>) =>
  gateway("/v1/tts/send", { json: { apiKey: TOKENS.alpha, ...body } })
const drop = (body: Record<string, unknown>, token = TOKENS.alpha) =>
  gateway("/v1/campaign/send", { json: { apiKey: token, ...body } })

/** The provider's top level, and our `error` object kept beside it. */
const providerShaped = async (response: Response, status: number, code: string | number) => {
  const refused = await answer(response)
  expect(refused.status).toBe(status)
  expect(refused.json).toMatchObject({ success: false, code })
  expect(typeof refused.json.message).toBe("string")
  expect(refused.json.message.length).toBeGreaterThan(0)
  // Our own code and message stay, in `error`.
  expect(typeof refused.json.error.code).toBe("string")
  expect(typeof refused.json.error.message).toBe("string")
  return refused
}

describe("drop-in errors in the provider's shape", () => {
  it("a wrong key is code 10, a missing one code 1 (body and path alike)", async () => {
    const wrong = await providerShaped(
      await gateway("/v1/tts/send", {
        json: { apiKey: "not-a-client", phoneNumbers: "0612345678", text: "Bonjour" },
      }),
      401,
      10,
    )
    expect(wrong.json.error.code).toBe("UNAUTHORIZED")
    expect(wrong.headers.get("www-authenticate")).toContain("Bearer")
    await providerShaped(
      await gateway("/v1/tts/send", { json: { phoneNumbers: "0612345678", text: "Bonjour" } }),
      401,
      1,
    )
    await providerShaped(await gateway("/v1/me/not-a-client"), 401, 10)
    await providerShaped(await gateway("/v1/audios/not-a-client"), 401, 10)
    await providerShaped(
      await gateway("/v1/campaign/cancel/not-a-client/NDA_1", { method: "DELETE" }),
      401,
      10,
    )
    // An operation the client may not use: the provider's "wrong key or action not allowed".
    await providerShaped(
      await gateway("/v1/tts/send", {
        json: { apiKey: TOKENS.reader, phoneNumbers: "0612345678", text: "Bonjour" },
      }),
      403,
      10,
    )
    expect(h.upstream.requests()).toHaveLength(0)
  })

  it("the provider's validation codes, our issues kept in `error`", async () => {
    const invalid = await providerShaped(
      await tts({ phoneNumbers: "06xxxxxxxx", text: "Bonjour" }),
      400,
      "DESTINATION_INVALID",
    )
    expect(invalid.json.error).toMatchObject({ code: "VALIDATION_ERROR", field: "phoneNumbers" })
    expect(invalid.json.message).toBe(invalid.json.error.message)
    const many = Array.from({ length: 501 }, (_, i) => `06${String(i).padStart(8, "0")}`)
    await providerShaped(await drop(dropBody(many.join(","))), 400, "PHONE_NUMBER_SIZE_ERROR")
    await providerShaped(await tts({ text: "Bonjour" }), 400, "PHONE_NUMBER_REQUIRED")
    await providerShaped(
      await drop({ phoneNumbers: "0612345678", emailForNotification: "ops@example.com" }),
      400,
      "TOKEN_AUDIO_REQUIRED",
    )
    await providerShaped(await tts({ phoneNumbers: "0612345678" }), 400, "TEXT_REQUIRED")
    for (const notifyUrl of ["ftp://x", "http://hooks.example.com/x", "https://10.0.0.8/x"])
      await providerShaped(
        await tts({ phoneNumbers: "0612345678", text: "Bonjour", notifyUrl }),
        400,
        "NOTIFY_URL_INVALID",
      )
    // No provider code for it: ours, at the top level too.
    await providerShaped(
      await tts({ phoneNumbers: "0612345678", text: "Bonjour", lang: "fr-FR" }),
      400,
      "VALIDATION_ERROR",
    )
    expect(h.upstream.requests()).toHaveLength(0)
  })

  it("malformed JSON is the provider's code 90", async () => {
    for (const body of ["{nope", '{"apiKey": "x",}', "[1]"])
      await providerShaped(
        await gateway("/v1/tts/send", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body,
        }),
        400,
        90,
      )
  })

  it("over quota: code 429, Retry-After kept", async () => {
    for (let i = 0; i < 5; i++)
      expect((await drop(dropBody(`06123456${String(i).padStart(2, "0")}`))).status).toBe(200)
    const refused = await providerShaped(await drop(dropBody("0612345699")), 429, 429)
    expect(refused.json.error.code).toBe("RATE_LIMITED")
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0)
    expect(refused.headers.get("ratelimit")).not.toBeNull()
  })

  it("an upstream refusal keeps its code and gains the top-level message", async () => {
    const refused = await providerShaped(
      await drop(dropBody("0612345678", "no-such-audio")),
      404,
      "AUDIO_FILE_NOT_FOUND",
    )
    expect(refused.json.error.code).toBe("AUDIO_FILE_NOT_FOUND")
  })

  it("an idempotent replay of an error is in the provider's shape too", async () => {
    // The connection drops after the provider took the send: the outcome is unknown, the
    // answer is stored for replays.
    h.upstream.setFaults({ dropAfterRate: 1 })
    const send = () =>
      gateway("/v1/tts/send", {
        headers: { "idempotency-key": "drop-in-unknown" },
        json: { apiKey: TOKENS.alpha, phoneNumbers: "0612345678", text: "Bonjour" },
      })
    const first = await providerShaped(await send(), 502, "UPSTREAM_OUTCOME_UNKNOWN")
    const replayed = await providerShaped(await send(), 502, "UPSTREAM_OUTCOME_UNKNOWN")
    expect(replayed.headers.get("idempotent-replayed")).toBe("true")
    expect(replayed.json).toEqual(first.json)
    expect(h.upstream.requests()).toHaveLength(1)
  })

  it("cancelling a campaign this client did not send: 404, code 404", async () => {
    await providerShaped(
      await gateway(`/v1/campaign/cancel/${TOKENS.alpha}/NDA_20260101_0000000001`, {
        method: "DELETE",
      }),
      404,
      404,
    )
  })
})

describe("Bearer clients keep today's error shape exactly", () => {
  it("no top-level code or message on the gateway's own errors", async () => {
    const wrong = await answer(
      await gateway("/v1/tts/send", {
        token: "not-a-client",
        json: { phoneNumbers: "0612345678", text: "Bonjour" },
      }),
    )
    expect(wrong.status).toBe(401)
    expect(wrong.json).toEqual({
      success: false,
      error: {
        code: "UNAUTHORIZED",
        message: "missing or unknown client token (Authorization: Bearer <token>)",
      },
    })
    const invalid = await answer(
      await gateway("/v1/tts/send", {
        token: TOKENS.alpha,
        json: { phoneNumbers: "06xxxxxxxx", text: "Bonjour" },
      }),
    )
    expect(invalid.status).toBe(400)
    expect(Object.keys(invalid.json).sort()).toEqual(["error", "success"])
    const malformed = await answer(
      await gateway("/v1/tts/send", {
        method: "POST",
        token: TOKENS.alpha,
        headers: { "content-type": "application/json" },
        body: "{nope",
      }),
    )
    expect(Object.keys(malformed.json).sort()).toEqual(["error", "success"])
  })

  it("an upstream refusal: top-level code as before, no top-level message", async () => {
    const refused = await answer(
      await gateway("/v1/campaign/send", {
        token: TOKENS.alpha,
        json: dropBody("0612345678", "no-such-audio"),
      }),
    )
    expect(refused.status).toBe(404)
    expect(Object.keys(refused.json).sort()).toEqual(["code", "error", "success"])
  })
})
