import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import { describe, expect, it } from "vitest"
import { runBulkPlan } from "../../src/bulk/runPlan.js"
import { VoicePartnerClient } from "../../src/client/VoicePartnerClient.js"
import { encodeTtsSend } from "../../src/model/TtsSendRequest.js"
import { type PlanOf, planBulk } from "../../src/plan/BulkPlan.js"
import { collectRecipients } from "../../src/plan/RecipientCollector.js"
import { RateLimiter } from "../../src/ratelimit/RateLimiter.js"

/** An upstream that records each body and key, refusing the `creditFrom`-th send on. */
const upstream = (creditFrom = Number.POSITIVE_INFINITY) => {
  const bodies: Array<Record<string, unknown>> = []
  const keys: Array<string | null> = []
  const fetch = (async (_url: string | URL | Request, init?: RequestInit) => {
    const { apiKey: _key, ...body } = JSON.parse(String(init?.body)) as Record<string, unknown>
    bodies.push(body)
    keys.push(new Headers(init?.headers).get("idempotency-key"))
    if (bodies.length >= creditFrom)
      return new Response(
        JSON.stringify({ success: false, code: "NOT_CREDIT", message: "Insufficient credit" }),
        { status: 402 },
      )
    const n = String(body.phoneNumbers).split(",").length
    return new Response(
      JSON.stringify({
        success: true,
        campaignId: `C${bodies.length}`,
        cost: n,
        currency: "EUR",
        nbSms: n,
      }),
    )
  }) as typeof globalThis.fetch
  const layer = VoicePartnerClient.layer({
    apiKey: Redacted.make("k"),
    baseUrl: "http://fake/v1",
    fetch,
  }).pipe(Layer.provideMerge(RateLimiter.memory()))
  return { bodies, keys, layer }
}

const planOf = (count: number): PlanOf<"tts/send"> => {
  const inputs = Array.from({ length: count }, (_, i) => `06${String(10_000_000 + i)}`)
  const r = planBulk(
    { endpoint: "tts/send", message: { text: "Bonjour", speechRate: 1.5 } },
    collectRecipients([...inputs, "12", inputs[0] as string]),
    { now: Date.now() },
  )
  if (Result.isFailure(r)) throw r.failure
  return r.success
}

describe("runBulkPlan", () => {
  it("sends exactly the plan's requests, each with the key derived from its chunk", async () => {
    const plan = planOf(1_200)
    const fake = upstream()
    const summary = await Effect.runPromise(
      runBulkPlan(plan, { idempotencyKey: ({ index, numbers }) => `k${index}-${numbers[0]}` }).pipe(
        Effect.provide(fake.layer),
      ),
    )
    expect(summary.requests).toBe(3)
    expect(summary.numbersSent).toBe(1_200)
    expect(fake.bodies).toEqual([0, 1, 2].map((i) => encodeTtsSend(plan.requestFor(i))))
    expect(fake.keys).toEqual(["k0-+33610000000", "k1-+33610000500", "k2-+33610001000"])
    expect(summary.recipients).toBeUndefined() // the plan holds the accounting
  })

  it("stops at no credit: the rest is not attempted, and every number is accounted for", async () => {
    const plan = planOf(2_000)
    const fake = upstream(2)
    const summary = await Effect.runPromise(runBulkPlan(plan).pipe(Effect.provide(fake.layer)))
    expect(fake.bodies).toHaveLength(2)
    expect(summary.stopped).toBe(true)
    expect(summary.stoppedBy?._tag === "VoicePartnerApiError" && summary.stoppedBy.reason).toBe(
      "InsufficientCredit",
    )
    expect(summary.failed.map((c) => c.numbers.length)).toEqual([500])
    expect(summary.notAttempted).toHaveLength(1_000)
    expect(summary.numbersSent + 500 + summary.notAttempted.length).toBe(plan.recipients.size)
  })

  it("a stop signal before the first request sends nothing", async () => {
    const fake = upstream()
    const controller = new AbortController()
    controller.abort()
    const summary = await Effect.runPromise(
      runBulkPlan(planOf(600), { signal: controller.signal }).pipe(Effect.provide(fake.layer)),
    )
    expect(fake.bodies).toHaveLength(0)
    expect(summary.notAttempted).toHaveLength(600)
  })
})
