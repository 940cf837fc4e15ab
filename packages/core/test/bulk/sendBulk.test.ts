import { describe, expect, it } from "@effect/vitest"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/testing/TestClock"
import { sendCampaignBulk } from "../../src/bulk/sendBulk.js"
import { VoicePartnerClient } from "../../src/client/VoicePartnerClient.js"
import { RateLimiter } from "../../src/ratelimit/RateLimiter.js"

/** A fake upstream that enforces 5/min and 2000/h exactly, on the test clock. */
const failures = {
  // Not retried for a send (it may have gone out), and a later chunk may well succeed.
  server: { status: 500, body: { success: false, code: 500, message: "internal error" } },
  // Every later chunk would fail the same way.
  credit: { status: 402, body: { success: false, code: "NOT_CREDIT", message: "no credit" } },
} as const

const fakeUpstream = (
  now: () => number,
  options: { failChunk?: number; failure?: keyof typeof failures } = {},
) => {
  const accepted: Array<number> = []
  const received: Array<ReadonlyArray<string>> = []
  let rejected429 = 0
  const fetch = (async (_url: string | URL | Request, init?: RequestInit) => {
    const body = JSON.parse(String(init?.body)) as { phoneNumbers: string }
    const t = now()
    const inMinute = accepted.filter((x) => x > t - 60_000).length
    const inHour = accepted.filter((x) => x > t - 3_600_000).length
    if (inMinute >= 5 || inHour >= 2000) {
      rejected429++
      return new Response(JSON.stringify({ success: false, code: 429 }), { status: 429 })
    }
    accepted.push(t)
    const numbers = body.phoneNumbers.split(",")
    received.push(numbers)
    if (received.length - 1 === options.failChunk) {
      const failure = failures[options.failure ?? "server"]
      return new Response(JSON.stringify(failure.body), { status: failure.status })
    }
    return new Response(
      JSON.stringify({
        success: true,
        campaignId: `C${received.length}`,
        cost: numbers.length * 0.1,
        currency: "EUR",
        nbSms: numbers.length,
      }),
      { status: 200 },
    )
  }) as typeof globalThis.fetch
  return { fetch, accepted, received, rejected429: () => rejected429 }
}

const numbers = (count: number) =>
  Array.from({ length: count }, (_, i) => `06${String(10_000_000 + i).padStart(8, "0")}`)

const run = (count: number, failChunk?: number, failure?: keyof typeof failures) =>
  Effect.gen(function* () {
    const clock = yield* Clock.clockWith(Effect.succeed)
    const start = clock.currentTimeMillisUnsafe()
    const upstream = fakeUpstream(
      () => clock.currentTimeMillisUnsafe() - start,
      failChunk === undefined ? {} : { failChunk, ...(failure !== undefined && { failure }) },
    )
    const layer = VoicePartnerClient.layer({
      apiKey: Redacted.make("k"),
      baseUrl: "http://fake/v1",
      fetch: upstream.fetch,
    }).pipe(Layer.provideMerge(RateLimiter.memory()))
    const fiber = yield* sendCampaignBulk({
      phoneNumbers: numbers(count),
      tokenAudio: "dev-audio",
      emailForNotification: "ops@example.com",
    }).pipe(Effect.provide(layer), Effect.forkChild)
    // Drive the test clock a minute at a time (bounded: at most 3 simulated hours).
    for (let minute = 0; minute < 180 && fiber.pollUnsafe() === undefined; minute++) {
      yield* TestClock.adjust(60_000)
    }
    const summary = yield* Fiber.join(fiber)
    return { summary, upstream }
  })

describe("bulk sends", () => {
  it.effect("100,000 voicemail drops finish at the theoretical minimum with no upstream 429", () =>
    Effect.gen(function* () {
      const { summary, upstream } = yield* run(100_000)
      expect(summary.requests).toBe(200)
      expect(summary.numbersSent).toBe(100_000)
      expect(upstream.rejected429()).toBe(0)
      // 5 per minute: the 200th request goes out 39 minutes after the first.
      const last = upstream.accepted.at(-1)!
      expect(last).toBeGreaterThanOrEqual(39 * 60_000)
      expect(last).toBeLessThanOrEqual(39 * 60_000 * 1.01)
      expect(summary.costByCurrency.EUR).toBeCloseTo(10_000, 5)
      expect(new Set(upstream.received.flat()).size).toBe(100_000)
    }),
  )

  it.effect("a failed middle chunk is reported and no chunk is sent twice", () =>
    Effect.gen(function* () {
      const { summary, upstream } = yield* run(1_200, 1)
      expect(upstream.received.length).toBe(3)
      expect(summary.sent.map((c) => c.chunk)).toEqual([0, 2])
      expect(summary.failed.map((c) => c.chunk)).toEqual([1])
      expect(summary.failed[0]!.numbers.length).toBe(500)
      expect(summary.failed[0]!.error._tag).toBe("VoicePartnerApiError")
      expect(summary.numbersSent).toBe(700)
      expect(new Set(upstream.received.flat()).size).toBe(1_200)
    }),
  )

  it.effect(
    "stops at a failure that will not improve: no credit leaves the later chunks unsent",
    () =>
      Effect.gen(function* () {
        const { summary, upstream } = yield* run(2_000, 1, "credit")
        expect(upstream.received.length).toBe(2)
        expect(summary.sent.map((c) => c.chunk)).toEqual([0])
        expect(summary.failed.map((c) => c.chunk)).toEqual([1])
        expect(summary.notAttempted).toHaveLength(1_000)
        expect(summary.stopped).toBe(true)
        expect(summary.stoppedBy?._tag).toBe("VoicePartnerApiError")
        expect(summary.stoppedBy?._tag === "VoicePartnerApiError" && summary.stoppedBy.reason).toBe(
          "InsufficientCredit",
        )
      }),
  )
})
