import { describe, expect, it } from "vitest"
import { createClient } from "../../src/promise/createClient.js"

describe("bulk sends with an Idempotency-Key per chunk", () => {
  it("send each request with the key derived from its chunk", async () => {
    const keys: Array<string | null> = []
    const fetch = (async (_url: string | URL | Request, init?: RequestInit) => {
      keys.push(new Headers(init?.headers).get("idempotency-key"))
      return new Response(
        JSON.stringify({
          success: true,
          campaignId: `C${keys.length}`,
          cost: 1,
          currency: "EUR",
          nbSms: 1,
        }),
        { status: 200 },
      )
    }) as typeof globalThis.fetch
    const voice = createClient({ apiKey: "k", baseUrl: "http://upstream/v1", fetch })
    const phoneNumbers = Array.from({ length: 1_200 }, (_, i) => `06${String(10_000_000 + i)}`)
    const summary = await voice.sendTtsBulk(
      { phoneNumbers, text: "Bonjour" },
      { idempotencyKey: ({ index, numbers }) => `run-7/${index}/${numbers.length}` },
    )
    expect(summary.requests).toBe(3)
    expect(keys).toEqual(["run-7/0/500", "run-7/1/500", "run-7/2/200"])
    await voice.close()
  })
})
