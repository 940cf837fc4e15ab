import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/testing/TestClock"
import { execute } from "../../src/internal/http/execute.js"
import { makeMemoryRateLimiter, RateLimiter } from "../../src/ratelimit/RateLimiter.js"
import { defaultPolicy } from "../../src/ratelimit/RateLimitPolicy.js"

// A caller that gives up while waiting for its slot (a closed connection, a Ctrl-C)
// must send nothing and leave the slot to whoever comes next.
const onePerMinute = { ...defaultPolicy, me: [{ limit: 1, windowMs: 60_000 }] }

const upstream = () => {
  const calls: Array<number> = []
  const fetch = (async () => {
    calls.push(Date.now())
    return new Response(JSON.stringify({ success: true, credit: "3" }), { status: 200 })
  }) as unknown as typeof globalThis.fetch
  return { calls, fetch }
}

describe("a reservation abandoned while waiting", () => {
  it.effect("is not sent, and its slot goes to the next caller", () =>
    Effect.gen(function* () {
      const limiter = yield* makeMemoryRateLimiter(onePerMinute)
      const { calls, fetch } = upstream()
      const options = {
        apiKey: Redacted.make("k"),
        baseUrl: "http://upstream/v1",
        fetch,
        retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1, sendRetryOn: [], otherRetryOn: [] },
        timeoutMs: 1_000,
        maxWaitMs: 120_000,
        limiter,
      }
      yield* execute(options, { endpoint: "me" })
      expect(calls).toHaveLength(1)
      // The window is full: the second caller gets the slot in 60 s and waits for it.
      const waiting = yield* Effect.forkChild(execute(options, { endpoint: "me" }))
      yield* TestClock.adjust(10_000)
      yield* Fiber.interrupt(waiting)
      // Its slot (60 s after the first) is free again: the next caller gets it.
      const next = yield* limiter.acquire("me", { maxWaitMs: 120_000 })
      expect(next.at).toBe(60_000)
      yield* TestClock.adjust(120_000)
      expect(calls).toHaveLength(1)
    }),
  )

  it.effect("releasing frees exactly the released slot", () =>
    Effect.gen(function* () {
      const limiter = yield* RateLimiter
      const first = yield* limiter.acquire("me", { maxWaitMs: 1_000_000 })
      const second = yield* limiter.acquire("me", { maxWaitMs: 1_000_000 })
      expect(second.at - first.at).toBe(60_000)
      yield* limiter.release(second)
      const third = yield* limiter.acquire("me", { maxWaitMs: 1_000_000 })
      expect(third.at).toBe(second.at)
    }).pipe(Effect.provide(RateLimiter.memory(onePerMinute))),
  )
})
