import { describe, expect, it } from "vitest"
import { createClient } from "../../src/promise/createClient.js"
import { defaultPolicy } from "../../src/ratelimit/RateLimitPolicy.js"

const recording = (delayMs = 0) => {
  const seen: Array<{ url: string; headers: Headers }> = []
  const fetch = (async (url: string | URL | Request, init?: RequestInit) => {
    seen.push({ url: String(url), headers: new Headers(init?.headers) })
    if (delayMs > 0)
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, delayMs)
        init?.signal?.addEventListener("abort", () => {
          clearTimeout(timer)
          reject(new DOMException("aborted", "AbortError"))
        })
      })
    return new Response(
      JSON.stringify({
        success: true,
        campaignId: "C1",
        cost: 0.1,
        currency: "EUR",
        nbSms: 1,
        credit: "3",
      }),
      { status: 200 },
    )
  }) as typeof globalThis.fetch
  return { seen, fetch }
}

describe("per-call options of the Promise client", () => {
  it("sends the Idempotency-Key of the call, and none by default", async () => {
    const { seen, fetch } = recording()
    const voice = createClient({ apiKey: "k", baseUrl: "http://upstream/v1", fetch })
    await voice.sendTts(
      { phoneNumbers: "0612345678", text: "Bonjour" },
      { idempotencyKey: "order-42" },
    )
    await voice.sendTts({ phoneNumbers: "0612345678", text: "Bonjour" })
    expect(seen.map((s) => s.headers.get("idempotency-key"))).toEqual(["order-42", null])
    await voice.close()
  })

  it("applies the call's timeout instead of the client's", async () => {
    const { fetch } = recording(500)
    const voice = createClient({
      apiKey: "k",
      baseUrl: "http://upstream/v1",
      fetch,
      timeoutMs: 30_000,
    })
    // A send: a timeout is not retried (the message may have gone out).
    const error = await voice
      .sendTts({ phoneNumbers: "0612345678", text: "Bonjour" }, { timeout: 50 })
      .catch((e: unknown) => e as { _tag: string; reason: string })
    expect(error).toMatchObject({ _tag: "TransportError", reason: "Timeout" })
    await voice.close()
  })

  it("drops a call still waiting for its slot when its signal aborts: nothing sent", async () => {
    const { seen, fetch } = recording()
    const voice = createClient({
      apiKey: "k",
      baseUrl: "http://upstream/v1",
      fetch,
      policy: { ...defaultPolicy, me: [{ limit: 1, windowMs: 60_000 }] },
    })
    await voice.credits()
    const controller = new AbortController()
    const waiting = voice.credits({ signal: controller.signal }).then(
      () => "sent",
      () => "aborted",
    )
    await new Promise((r) => setTimeout(r, 50))
    controller.abort()
    expect(await waiting).toBe("aborted")
    expect(seen).toHaveLength(1)
    await voice.close()
  })
})
