import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import {
  generateWebhookSecret,
  signWebhook,
  verifyWebhook,
} from "../../src/webhooks/standardWebhooks.js"
import { WebhookVerificationError } from "../../src/webhooks/WebhookVerificationError.js"

const refusal = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(WebhookVerificationError)
  return (error as WebhookVerificationError).reason
}

describe("Standard Webhooks signatures", () => {
  it("matches the specification's published test vector", async () => {
    // From the Standard Webhooks reference implementations' test suites.
    const headers = await signWebhook({
      secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
      id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
      timestamp: 1614265330,
      payload: '{"test": 2432232314}',
    })
    expect(headers["webhook-signature"]).toBe("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
  })

  it("verifies what it signed and returns the parsed payload", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string(), fc.jsonValue(), async (id, value) => {
        const secret = generateWebhookSecret()
        const payload = JSON.stringify(value)
        const now = 1_800_000_000_000
        const headers = await signWebhook({ secret, id, timestamp: now / 1000, payload })
        expect(await verifyWebhook({ secret, headers, payload, now })).toEqual(JSON.parse(payload))
      }),
      { numRuns: 50 },
    )
  })

  it("refuses a tampered body, another secret, a stale timestamp and missing headers", async () => {
    const secret = generateWebhookSecret()
    const now = 1_800_000_000_000
    const payload = '{"status":"delivered"}'
    const headers = await signWebhook({ secret, id: "evt_1", timestamp: now / 1000, payload })
    expect(
      await refusal(verifyWebhook({ secret, headers, payload: '{"status":"undelivered"}', now })),
    ).toBe("InvalidSignature")
    expect(
      await refusal(verifyWebhook({ secret: generateWebhookSecret(), headers, payload, now })),
    ).toBe("InvalidSignature")
    expect(
      await refusal(
        verifyWebhook({ secret, headers: { ...headers, "webhook-id": "evt_2" }, payload, now }),
      ),
    ).toBe("InvalidSignature")
    expect(await refusal(verifyWebhook({ secret, headers, payload, now: now + 301_000 }))).toBe(
      "TimestampOutOfTolerance",
    )
    expect(
      await refusal(
        verifyWebhook({
          secret,
          headers: { ...headers, "webhook-timestamp": "soon" },
          payload,
          now,
        }),
      ),
    ).toBe("InvalidTimestamp")
    expect(await refusal(verifyWebhook({ secret, headers: new Headers(), payload, now }))).toBe(
      "MissingHeaders",
    )
    expect(await refusal(verifyWebhook({ secret: "whsec_%%%", headers, payload, now }))).toBe(
      "InvalidSecret",
    )
  })

  it("accepts any matching signature among several (secret rotation)", async () => {
    const [oldSecret, newSecret] = [generateWebhookSecret(), generateWebhookSecret()]
    const now = 1_800_000_000_000
    const payload = "{}"
    const a = await signWebhook({ secret: oldSecret, id: "e", timestamp: now / 1000, payload })
    const b = await signWebhook({ secret: newSecret, id: "e", timestamp: now / 1000, payload })
    const headers = {
      ...a,
      "webhook-signature": `${a["webhook-signature"]} ${b["webhook-signature"]}`,
    }
    expect(await verifyWebhook({ secret: newSecret, headers, payload, now })).toEqual({})
  })
})
