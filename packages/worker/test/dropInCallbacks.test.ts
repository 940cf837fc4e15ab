// Drop-in callbacks: a send that gave its own `notifyUrl` (token in the body) gets its
// events there exactly as Voice Partner sends them — a GET with the campaign's query for a
// voicemail drop, a POST of the provider's JSON per number for a voice SMS — plus the
// Standard Webhooks headers, signed with the client's secret. The configured webhook keeps
// the typed envelope, and so do Bearer sends.
import { env, runDurableObjectAlarm, runInDurableObject, SELF } from "cloudflare:test"
import { signWebhook, verifyWebhook } from "@voicepartner/core/webhooks/standardWebhooks"
import { describe, expect, it, vi } from "vitest"
import { answer, dropBody, gateway, useHarness } from "./harness.js"
import { SECRETS, TOKENS } from "./testEnv.js"

const h = useHarness()

const ledger = (client: string) => env.LEDGER.get(env.LEDGER.idFromName(client))
const flush = async (client: string) => {
  for (let i = 0; i < 20 && (await runDurableObjectAlarm(ledger(client))); i++);
}

interface Seen {
  readonly method: string
  readonly url: string
  readonly headers: Headers
  readonly body: string
}

/** Every request that reaches `hooks.test`, with its method (the harness keeps no method). */
const receiver = () => {
  const seen: Array<Seen> = []
  const spy = vi.mocked(globalThis.fetch)
  const inner = spy.getMockImplementation() as typeof fetch
  spy.mockImplementation(async (input, init) => {
    const request = new Request(input, init)
    if (new URL(request.url).host === "hooks.test")
      seen.push({
        method: request.method,
        url: request.url,
        headers: request.headers,
        body: await request.clone().text(),
      })
    return inner(request)
  })
  return seen
}

/** The query string Voice Partner put on the gateway's URL, as it would have on the client's. */
const providerQuery = (url: string) => new URL(url).searchParams

const dropIn = (path: string, body: Record<string, unknown>, token = TOKENS.alpha) =>
  gateway(path, { json: { apiKey: token, ...body } })

describe("drop-in: callbacks to the send's own notifyUrl in the provider's format", () => {
  it("a voicemail drop: a GET with campaign_token, campaign_id, delivered_quantity, total_quantity", async () => {
    const seen = receiver()
    const sent = await answer(
      await dropIn("/v1/campaign/send", {
        ...dropBody("0612345601,0612345699"),
        notifyUrl: "http://hooks.test/drop?ref=42",
      }),
    )
    expect(sent.status).toBe(200)
    await h.upstream.runDue()
    const [provider] = h.upstream.callbacks()
    expect(provider?.method).toBe("GET")
    await flush("alpha")
    expect(seen).toHaveLength(1)
    const [hook] = seen as [Seen]
    expect(hook.method).toBe("GET")
    expect(hook.body).toBe("")
    const url = new URL(hook.url)
    expect(`${url.origin}${url.pathname}`).toBe("http://hooks.test/drop")
    // The client's own query, then exactly the provider's parameters.
    const expected = new URL("http://hooks.test/drop?ref=42")
    for (const [k, v] of providerQuery(provider?.url ?? "")) expected.searchParams.set(k, v)
    expect(url.search).toBe(expected.search)
    expect(Object.fromEntries(url.searchParams)).toEqual({
      ref: "42",
      campaign_token: expect.any(String),
      campaign_id: sent.json.campaignId,
      delivered_quantity: "1", // …99 is undelivered (the emulator's default outcomes)
      total_quantity: "2",
    })
    // Signed: the payload of a GET is its query string, without the "?".
    const id = hook.headers.get("webhook-id") as string
    const timestamp = Number(hook.headers.get("webhook-timestamp"))
    expect(id).toMatch(/^evt_/)
    const signed = await signWebhook({
      secret: SECRETS.alpha,
      id,
      timestamp,
      payload: url.search.slice(1),
    })
    expect(hook.headers.get("webhook-signature")).toBe(signed["webhook-signature"])
    expect(Math.abs(timestamp - Date.now() / 1000)).toBeLessThan(60)
  })

  it("a voice SMS: one POST per number of the provider's own JSON, verifiable", async () => {
    const seen = receiver()
    h.upstream.setFaults({ duplicateCallbacks: true, reorderCallbacks: true, seed: 3 })
    const sent = await answer(
      await dropIn("/v1/tts/send", {
        phoneNumbers: "0612345601,0612345602,0612345699",
        text: "Bonjour",
        notifyUrl: "http://hooks.test/own",
      }),
    )
    expect(sent.status).toBe(200)
    await h.upstream.runDue()
    await flush("alpha")
    // The provider sent each twice; the receiver gets each number once.
    expect(h.upstream.callbacks()).toHaveLength(6)
    expect(seen).toHaveLength(3)
    const byNumber = new Map(
      h.upstream.callbacks().map((cb) => [(cb.body as { phoneNumber: string }).phoneNumber, cb]),
    )
    for (const hook of seen) {
      expect(hook.method).toBe("POST")
      expect(hook.url).toBe("http://hooks.test/own")
      expect(hook.headers.get("content-type")).toBe("application/json")
      const body = (await verifyWebhook({
        secret: SECRETS.alpha,
        headers: hook.headers,
        payload: hook.body,
      })) as Record<string, unknown>
      // Exactly what the provider posted: its field names, its `0033…` numbers, no envelope.
      expect(body).toEqual(byNumber.get(body.phoneNumber as string)?.body)
      expect(body).toMatchObject({
        campaignId: sent.json.campaignId,
        phoneNumber: expect.stringMatching(/^00336123456(01|02|99)$/),
        additionnal_status: expect.stringMatching(/^VOICE_(NOT_)?ANSWERED$/),
        sendAt: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/),
        doneAt: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/),
        duration: expect.any(Number),
      })
      expect(body).not.toHaveProperty("type")
      expect(body).not.toHaveProperty("data")
      expect(body).not.toHaveProperty("sendId")
    }
    expect(new Set(seen.map((s) => s.headers.get("webhook-id"))).size).toBe(3)
    const view = await answer(
      await gateway(`/v1/campaigns/${sent.json.campaignId}`, { token: TOKENS.alpha }),
    )
    expect(view.json.events.map((e: { delivery: { state: string } }) => e.delivery.state)).toEqual([
      "delivered",
      "delivered",
      "delivered",
    ])
  })

  it("retries a failing notifyUrl like a webhook, same webhook-id", async () => {
    const seen = receiver()
    h.hookStatus = (n) => (n === 1 ? 500 : 204)
    await dropIn("/v1/tts/send", {
      phoneNumbers: "0612345601",
      text: "Bonjour",
      notifyUrl: "http://hooks.test/own",
    })
    await h.upstream.runDue()
    await flush("alpha")
    await runInDurableObject(ledger("alpha"), (_i, state: DurableObjectState) => {
      state.storage.sql.exec("UPDATE deliveries SET next_at = 0 WHERE state = 'pending'")
    })
    await flush("alpha")
    expect(seen).toHaveLength(2)
    expect(seen[1]?.body).toBe(seen[0]?.body)
    expect(seen[1]?.headers.get("webhook-id")).toBe(seen[0]?.headers.get("webhook-id"))
  })

  it("the outbound policy applies to the URL fetched: query appended past 2,048 characters is refused", async () => {
    const seen = receiver()
    const notifyUrl = `http://hooks.test/${"a".repeat(2_000)}`
    const sent = await answer(
      await dropIn("/v1/campaign/send", { ...dropBody("0612345601"), notifyUrl }),
    )
    expect(sent.status).toBe(200)
    await h.upstream.runDue()
    await flush("alpha")
    expect(seen).toHaveLength(0)
    const view = await answer(
      await gateway(`/v1/campaigns/${sent.json.campaignId}`, { token: TOKENS.alpha }),
    )
    expect(view.json.events[0].delivery.state).toBe("failed")
  })
})

describe("the typed, signed envelope stays where it was", () => {
  it("a drop-in send without notifyUrl: the client's webhook gets the envelope", async () => {
    const seen = receiver()
    await dropIn("/v1/campaign/send", dropBody("0612345601"), TOKENS.beta)
    await h.upstream.runDue()
    await flush("beta")
    expect(seen.map((s) => [s.method, s.url])).toEqual([["POST", "http://hooks.test/beta"]])
    const event = (await verifyWebhook({
      secret: SECRETS.beta,
      headers: seen[0]?.headers as Headers,
      payload: seen[0]?.body as string,
    })) as { type: string; data: Record<string, unknown> }
    expect(event.type).toBe("voicemail.status")
    expect(event.data).toMatchObject({ deliveredQuantity: 1, totalQuantity: 1 })
    expect(event.data).not.toHaveProperty("providerCallback")
  })

  it("a callback payload cannot pick the provider format itself (a `providerCallback` field)", async () => {
    const seen = receiver()
    const sent = await answer(
      await gateway("/v1/tts/send", {
        token: TOKENS.alpha,
        json: { phoneNumbers: "0612345601", text: "Bonjour", notifyUrl: "http://hooks.test/own" },
      }),
    )
    const minted = (h.upstream.requests().at(-1)?.body as { notifyUrl?: string } | undefined)
      ?.notifyUrl as string
    const posted = await SELF.fetch(`http://gateway.test${new URL(minted).pathname}`, {
      method: "POST",
      body: JSON.stringify({
        campaignId: sent.json.campaignId,
        status: "delivered",
        phoneNumber: "0033612345601",
        providerCallback: { method: "POST", body: { forged: true } },
      }),
    })
    expect(posted.status).toBe(200)
    await flush("alpha")
    expect(seen).toHaveLength(1)
    const event = (await verifyWebhook({
      secret: SECRETS.alpha,
      headers: seen[0]?.headers as Headers,
      payload: seen[0]?.body as string,
    })) as { type: string; data: Record<string, unknown> }
    expect(event.type).toBe("tts.status")
    expect(event.data).not.toHaveProperty("providerCallback")
  })

  it("a Bearer send with its own notifyUrl: the envelope, as before", async () => {
    const seen = receiver()
    await gateway("/v1/tts/send", {
      token: TOKENS.alpha,
      json: { phoneNumbers: "0612345601", text: "Bonjour", notifyUrl: "http://hooks.test/own" },
    })
    await h.upstream.runDue()
    await flush("alpha")
    expect(seen.map((s) => [s.method, s.url])).toEqual([["POST", "http://hooks.test/own"]])
    const event = (await verifyWebhook({
      secret: SECRETS.alpha,
      headers: seen[0]?.headers as Headers,
      payload: seen[0]?.body as string,
    })) as { type: string; data: Record<string, unknown> }
    expect(event.type).toBe("tts.status")
    expect(event.data).toMatchObject({ phoneNumber: "+33612345601", status: "delivered" })
  })
})
