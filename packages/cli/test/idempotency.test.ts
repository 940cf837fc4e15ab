import { type BulkMessage, planBulk } from "@voicepartner/core/plan/BulkPlan"
import { collectRecipients } from "@voicepartner/core/plan/RecipientCollector"
import * as Result from "effect/Result"
import { describe, expect, it } from "vitest"
import { freshNonce, idempotencyKeys } from "../src/commands/idempotency.js"

const numbers = Array.from({ length: 1_200 }, (_, i) => `06${String(10_000_000 + i)}`)
const planOf = (send: BulkMessage, list = numbers, chunkSize = 500) => {
  const r = planBulk(send, collectRecipients(list), { now: Date.now(), chunkSize })
  if (Result.isFailure(r)) throw r.failure
  return r.success
}
const keysOf = (plan: ReturnType<typeof planOf>, nonce?: string) => {
  const key = idempotencyKeys(plan, nonce)
  return Array.from({ length: plan.requests }, (_, index) =>
    key({ index, numbers: plan.chunk(index) }),
  )
}
const tts: BulkMessage = { endpoint: "tts/send", message: { text: "Bonjour" } }

describe("Idempotency-Key derivation (through the gateway)", () => {
  it("the same command gives the same keys, one per request, valid for the gateway", () => {
    const first = keysOf(planOf(tts))
    expect(first).toHaveLength(3)
    expect(new Set(first).size).toBe(3)
    // Another spelling of the same message and numbers: the canonical request is the same.
    const again = keysOf(
      planOf({ endpoint: "tts/send", message: { text: " Bonjour ", lang: "FR" } }, [
        ...numbers.map((n) => `${n.slice(0, 2)} ${n.slice(2)}`),
      ]),
    )
    expect(again).toEqual(first)
    for (const key of first) expect(key).toMatch(/^vpcli1-[A-Za-z0-9_-]{43}$/)
  })

  it("another message, order, chunking or operation gives other keys; --resend a fresh nonce", () => {
    const base = keysOf(planOf(tts))
    const others = [
      keysOf(planOf({ endpoint: "tts/send", message: { text: "Bonsoir" } })),
      keysOf(planOf(tts, [...numbers].reverse())),
      keysOf(planOf(tts, numbers, 400)),
      keysOf(
        planOf({
          endpoint: "campaign/send",
          message: { tokenAudio: "dev-audio", emailForNotification: "a@b.fr" },
        }),
      ),
      keysOf(planOf(tts), freshNonce()),
    ]
    for (const keys of others) for (const key of keys) expect(base).not.toContain(key)
    expect(keysOf(planOf(tts), freshNonce())).not.toEqual(keysOf(planOf(tts), freshNonce()))
  })
})
