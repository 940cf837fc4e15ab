import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/testing/TestClock"
import { VoicePartnerClient } from "../../src/client/VoicePartnerClient.js"
import { buildRequest } from "../../src/internal/http/UpstreamCall.js"
import { RateLimiter } from "../../src/ratelimit/RateLimiter.js"

const KEY = "sk-SECRET/key+1"

/** One scripted upstream behaviour per attempt; the last one repeats. */
type Step =
  | { status: number; body?: unknown; headers?: Record<string, string> }
  | "refused"
  | "dropped"
  | "hang"
  | "cut-body"

const scripted = (steps: ReadonlyArray<Step>) => {
  const urls: Array<string> = []
  const fetch = ((url: string | URL | Request, init?: RequestInit) => {
    const step = steps[Math.min(urls.length, steps.length - 1)] as Step
    urls.push(String(url))
    if (step === "refused") {
      const cause = Object.assign(new Error(`connect ECONNREFUSED for ${String(url)}`), {
        code: "ECONNREFUSED",
      })
      return Promise.reject(new TypeError("fetch failed", { cause }))
    }
    if (step === "dropped")
      return Promise.reject(new TypeError(`fetch failed: socket hang up (${String(url)})`))
    if (step === "hang") {
      return new Promise<Response>((_, reject) =>
        init?.signal?.addEventListener("abort", () =>
          reject(new DOMException("aborted", "AbortError")),
        ),
      )
    }
    if (step === "cut-body") {
      const body = new ReadableStream({
        start: (c) => c.error(new Error(`terminated ${String(url)}`)),
      })
      return Promise.resolve(new Response(body, { status: 200 }))
    }
    const ok = step.status < 300
    const body =
      step.body ??
      (ok
        ? { success: true, campaignId: "C1", cost: 0.1, currency: "EUR", nbSms: 1, credit: "3" }
        : { success: false, code: step.status, message: `failed for ${KEY}` })
    return Promise.resolve(
      new Response(JSON.stringify(body), { status: step.status, headers: step.headers ?? {} }),
    )
  }) as typeof globalThis.fetch
  return { fetch, urls }
}

const layerFor = (fetch: typeof globalThis.fetch) =>
  VoicePartnerClient.layer({
    apiKey: Redacted.make(KEY),
    baseUrl: "http://upstream/v1",
    fetch,
    timeoutMs: 5_000,
    retry: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1_000 },
  }).pipe(Layer.provideMerge(RateLimiter.memory()))

/** Runs a call, letting simulated time pass; returns the outcome and the attempts made. */
const attempt = (
  steps: ReadonlyArray<Step>,
  call: (c: VoicePartnerClient["Service"]) => Effect.Effect<unknown, unknown>,
) =>
  Effect.gen(function* () {
    const upstream = scripted(steps)
    const fiber = yield* Effect.flatMap(VoicePartnerClient, call).pipe(
      Effect.result,
      Effect.provide(layerFor(upstream.fetch)),
      Effect.forkChild,
    )
    for (let i = 0; i < 30; i++) yield* TestClock.adjust(10_000)
    const result = yield* Fiber.join(fiber)
    return { result, attempts: upstream.urls.length, urls: upstream.urls }
  })

const send = (c: VoicePartnerClient["Service"]) =>
  c.sendTts({ phoneNumbers: "0612345678", text: "Bonjour" })
const read = (c: VoicePartnerClient["Service"]) => c.credits()

describe("retry policy", () => {
  const cases: ReadonlyArray<[string, Step, number, number]> = [
    // failure, sends: attempts, reads: attempts (maxAttempts 3)
    ["429", { status: 429 }, 3, 3],
    ["503", { status: 503 }, 3, 3],
    ["connection refused", "refused", 3, 3],
    ["500", { status: 500 }, 1, 3],
    ["timeout", "hang", 1, 3],
    ["dropped connection", "dropped", 1, 3],
    ["body cut off", "cut-body", 1, 3],
    ["insufficient credit", { status: 402, body: { success: false, code: "NOT_CREDIT" } }, 1, 1],
    ["wrong key", { status: 401, body: { success: false, code: 10 } }, 1, 1],
  ]
  for (const [name, step, sendAttempts, readAttempts] of cases) {
    it.effect(
      `${name}: a send is tried ${sendAttempts}x, a read ${readAttempts}x, and no error carries the key`,
      () =>
        Effect.gen(function* () {
          for (const [call, expected] of [
            [send, sendAttempts],
            [read, readAttempts],
          ] as const) {
            const { result, attempts } = yield* attempt([step], call)
            expect(attempts).toBe(expected)
            expect(result._tag).toBe("Failure")
            const error = (result as { failure: Error }).failure
            for (const text of [error.message, String(error), JSON.stringify(error)]) {
              expect(text).not.toContain(KEY)
              expect(text).not.toContain(encodeURIComponent(KEY))
            }
          }
        }),
    )
  }

  it.effect("a retried send succeeds once the upstream recovers", () =>
    Effect.gen(function* () {
      const { result, attempts } = yield* attempt([{ status: 503 }, { status: 200 }], send)
      expect(result._tag).toBe("Success")
      expect(attempts).toBe(2)
    }),
  )

  it.effect(
    "Retry-After and x-ratelimit-reset set the minimum delay, and a 429 blocks the limiter",
    () =>
      Effect.gen(function* () {
        const upstream = scripted([
          { status: 429, headers: { "retry-after": "30" } },
          { status: 200 },
        ])
        const fiber = yield* Effect.flatMap(VoicePartnerClient, read).pipe(
          Effect.provide(layerFor(upstream.fetch)),
          Effect.forkChild,
        )
        yield* TestClock.adjust(29_000)
        expect(upstream.urls).toHaveLength(1)
        yield* TestClock.adjust(2_000)
        yield* Fiber.join(fiber)
        expect(upstream.urls).toHaveLength(2)

        const reset = scripted([
          { status: 429, headers: { "x-ratelimit-reset": "45" } },
          { status: 200 },
        ])
        const second = yield* Effect.flatMap(VoicePartnerClient, read).pipe(
          Effect.provide(layerFor(reset.fetch)),
          Effect.forkChild,
        )
        yield* TestClock.adjust(44_000)
        expect(reset.urls).toHaveLength(1)
        yield* TestClock.adjust(2_000)
        yield* Fiber.join(second)
        expect(reset.urls).toHaveLength(2)
      }),
  )
})

describe("request building", () => {
  it("puts the key in the path for me, audios and cancel, and in the body for the POSTs", () => {
    const base = "https://api.voicepartner.fr/v1/"
    expect(buildRequest({ endpoint: "me" }, KEY, base).url).toBe(
      `https://api.voicepartner.fr/v1/me/${encodeURIComponent(KEY)}`,
    )
    expect(buildRequest({ endpoint: "audios" }, KEY, base).url).toBe(
      `https://api.voicepartner.fr/v1/audios/${encodeURIComponent(KEY)}`,
    )
    const cancel = buildRequest({ endpoint: "campaign/cancel", pathParam: "NDA/1" }, KEY, base)
    expect(cancel.url).toBe(
      `https://api.voicepartner.fr/v1/campaign/cancel/${encodeURIComponent(KEY)}/NDA%2F1`,
    )
    expect(cancel.init.method).toBe("DELETE")
    for (const endpoint of ["tts/send", "campaign/send", "audio-file/rename"] as const) {
      const request = buildRequest({ endpoint, body: { a: 1 } }, KEY, base)
      expect(request.url).toBe(`https://api.voicepartner.fr/v1/${endpoint}`)
      expect(request.init.method).toBe("POST")
      expect(JSON.parse(String(request.init.body))).toEqual({ apiKey: KEY, a: 1 })
    }
  })
})
