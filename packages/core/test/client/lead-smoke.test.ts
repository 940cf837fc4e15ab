import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/testing/TestClock"
import { VoicePartnerClient } from "../../src/client/VoicePartnerClient.js"
import { RateLimiter } from "../../src/ratelimit/RateLimiter.js"

const KEY = "sk-live-SECRET-123"
const fakeFetch = (status: number, body: unknown, calls: Array<{ url: string; body?: string }>) =>
  (async (url: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(url), body: init?.body as string })
    return new Response(JSON.stringify(body), {
      status,
      headers: { "content-type": "application/json" },
    })
  }) as typeof fetch

describe("lead smoke", () => {
  it.effect("sends a tts and decodes", () =>
    Effect.gen(function* () {
      const calls: Array<{ url: string; body?: string }> = []
      const layer = VoicePartnerClient.layer({
        apiKey: Redacted.make(KEY),
        baseUrl: "http://x/v1",
        fetch: fakeFetch(
          200,
          { success: true, campaignId: "C1", cost: "0.1", currency: "EUR", nbSms: 1, extra: 7 },
          calls,
        ),
      }).pipe(Layer.provide(RateLimiter.memory()))
      const result = yield* Effect.gen(function* () {
        const voice = yield* VoicePartnerClient
        return yield* voice.sendTts({ phoneNumbers: "06 12 34 56 78, 0612345678", text: "Bonjour" })
      }).pipe(Effect.provide(layer))
      expect(result.cost).toBe(0.1)
      expect(result.extra).toBe(7)
      expect(JSON.parse(calls[0]!.body!)).toEqual({
        apiKey: KEY,
        phoneNumbers: "+33612345678",
        text: "Bonjour",
        lang: "fr",
      })
    }),
  )

  it.effect("errors never carry the key and 429 is retried after Retry-After", () =>
    Effect.gen(function* () {
      const calls: Array<{ url: string; body?: string }> = []
      const layer = VoicePartnerClient.layer({
        apiKey: Redacted.make(KEY),
        baseUrl: "http://x/v1",
        retry: { maxAttempts: 2 },
        fetch: fakeFetch(429, { success: false, code: "RATE", message: `bad key ${KEY}` }, calls),
      }).pipe(Layer.provide(RateLimiter.memory()))
      const fiber = yield* Effect.gen(function* () {
        const voice = yield* VoicePartnerClient
        return yield* Effect.flip(voice.credits())
      }).pipe(Effect.provide(layer), Effect.forkChild)
      yield* TestClock.adjust(200_000)
      const error = yield* Fiber.join(fiber)
      expect(calls.length).toBe(2)
      expect(error._tag).toBe("VoicePartnerApiError")
      expect(String(error)).not.toContain(KEY)
      expect(error.message).not.toContain(KEY)
      expect(JSON.stringify(error)).not.toContain(KEY)
    }),
  )
})
