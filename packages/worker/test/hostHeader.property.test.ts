import { SELF } from "cloudflare:test"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { useHarness } from "./harness.js"
import { TOKENS } from "./testEnv.js"

const h = useHarness()

describe("callback URLs and the Host header", () => {
  it("are minted on PUBLIC_URL whatever Host, X-Forwarded-Host or Forwarded the request carries", async () => {
    const host = fc.oneof(
      fc.domain(),
      fc.ipV4(),
      fc.constantFrom("attacker.example", "127.0.0.1:8788", "[::1]", "gateway.test.evil.example"),
    )
    await fc.assert(
      fc.asyncProperty(host, host, async (forgedHost, forwarded) => {
        h.upstream.reset()
        const response = await SELF.fetch(`http://${forgedHost}/v1/tts/send`, {
          method: "POST",
          headers: {
            authorization: `Bearer ${TOKENS.alpha}`,
            "content-type": "application/json",
            "x-forwarded-host": forwarded,
            forwarded: `host=${forwarded}`,
          },
          body: JSON.stringify({ phoneNumbers: "0612345678", text: "Bonjour" }),
        })
        expect(response.status).toBe(200)
        const [sent] = h.upstream.requests()
        const notifyUrl = (sent?.body as { notifyUrl?: string } | undefined)?.notifyUrl ?? ""
        expect(new URL(notifyUrl).origin).toBe("http://gateway.test")
      }),
      { numRuns: 25 },
    )
  }, 60_000)
})
