import { env, runDurableObjectAlarm, runInDurableObject, SELF } from "cloudflare:test"
import { createEmulator } from "@voicepartner/emulator"
import * as Redacted from "effect/Redacted"
import { describe, expect, it } from "vitest"
import { mintCallbackPath } from "../src/callbacks/callbackUrl.js"
import { answer, gateway, useHarness } from "./harness.js"
import { CALLBACK_KEY, TOKENS, UPSTREAM_KEY } from "./testEnv.js"

const h = useHarness()

const ledger = (client: string) => env.LEDGER.get(env.LEDGER.idFromName(client))

const flush = async (client: string) => {
  for (let i = 0; i < 20 && (await runDurableObjectAlarm(ledger(client))); i++);
}

/** A voice SMS through the gateway: its campaign id, send id and signed callback path. */
const sendTts = async (phoneNumbers = "0612345601") => {
  const sent = await answer(
    await gateway("/v1/tts/send", { token: TOKENS.alpha, json: { phoneNumbers, text: "Bonjour" } }),
  )
  expect(sent.status).toBe(200)
  return {
    campaignId: sent.json.campaignId as string,
    sendId: sent.headers.get("x-gateway-send-id") as string,
    path: lastCallbackPath(),
  }
}

/** The path of the callback URL the gateway gave the upstream last. */
const lastCallbackPath = () => {
  const body = h.upstream.requests().at(-1)?.body as { notifyUrl: string }
  return new URL(body.notifyUrl).pathname
}

const REPEATED = "NDA_20300101_00001"
const repeat = (text: string) => text.replace(/NDA_\d{8}_\d+/g, REPEATED)

/**
 * An upstream whose every campaign id is the same, in its answers and its callbacks (the
 * emulator never repeats an id; the provider's ids are not promised to be unique forever,
 * and an emulator restarted by an older version started over).
 */
const upstreamRepeatingIds = () => {
  const emulator = createEmulator({
    apiKeys: [UPSTREAM_KEY],
    timers: false,
    callbackDelayMs: 0,
    fetch: async (input, init) => {
      const request = new Request(input, init)
      const body = request.method === "POST" ? repeat(await request.text()) : null
      return SELF.fetch(
        new Request(repeat(request.url), {
          method: request.method,
          headers: { "content-type": "application/json" },
          body,
        }),
      )
    },
  })
  h.upstream = {
    ...emulator,
    fetch: async (request) => {
      const response = await emulator.fetch(request)
      return new Response(repeat(await response.text()), {
        status: response.status,
        headers: { "content-type": "application/json" },
      })
    },
  }
}

const postCallback = (path: string, body: unknown) =>
  SELF.fetch(`http://gateway.test${path}`, { method: "POST", body: JSON.stringify(body) })

const status = (campaignId: string) => ({
  campaignId,
  status: "delivered",
  additionnal_status: "VOICE_ANSWERED",
  phoneNumber: "0033612345601",
  sendAt: "2030-01-01 10:00:00",
  doneAt: "2030-01-01 10:01:00",
  duration: 7,
})

const view = async (id: string) =>
  answer(await gateway(`/v1/campaigns/${id}`, { token: TOKENS.alpha }))

const storedEvents = () =>
  runInDurableObject(
    ledger("alpha"),
    (_instance, state: DurableObjectState) =>
      state.storage.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM events`).one().n,
  )

describe("callback events are bound to their send", () => {
  it("stores and forwards the events of two sends whose campaign ids repeat", async () => {
    upstreamRepeatingIds()
    const first = await sendTts()
    await h.upstream.runDue()
    await flush("alpha")
    const second = await sendTts()
    expect([first.campaignId, second.campaignId]).toEqual([REPEATED, REPEATED])
    expect(second.sendId).not.toBe(first.sendId)
    await h.upstream.runDue()
    await flush("alpha")
    // Both callbacks were taken as new events, not the second as a duplicate of the first.
    expect(h.hooks).toHaveLength(2)
    for (const send of [first, second]) {
      const seen = await view(send.sendId)
      expect(seen.json.send.sendId).toBe(send.sendId)
      expect(seen.json.events).toHaveLength(1)
      expect(seen.json.events[0].delivery.state).toBe("delivered")
    }
  })

  it("refuses a callback whose campaign id is not its send's (409, nothing stored or forwarded)", async () => {
    const a = await sendTts("0612345601")
    const b = await sendTts("0612345601")
    expect(a.campaignId).not.toBe(b.campaignId)
    // A's campaign id posted on B's signed URL.
    const refused = await answer(await postCallback(b.path, status(a.campaignId)))
    expect(refused.status).toBe(409)
    expect(refused.json).toMatchObject({
      success: false,
      error: { code: "CALLBACK_CAMPAIGN_MISMATCH" },
    })
    expect(await storedEvents()).toBe(0)
    await flush("alpha")
    expect(h.hooks).toHaveLength(0)
    // The provider's real callbacks afterwards are stored and forwarded.
    await h.upstream.runDue()
    await flush("alpha")
    expect(await storedEvents()).toBe(2)
    expect(h.hooks).toHaveLength(2)
    expect((await view(b.sendId)).json.events[0].data.campaignId).toBe(b.campaignId)
  })

  it("binds a send of unknown outcome to the campaign id of its first callback", async () => {
    // The provider processed the send, but the connection dropped: no campaign id known.
    h.upstream.setFaults({ dropAfterRate: 1 })
    const lost = await gateway("/v1/tts/send", {
      token: TOKENS.alpha,
      json: { phoneNumbers: "0612345601", text: "Bonjour" },
    })
    expect(lost.status).toBe(502)
    h.upstream.setFaults({})
    const sendId = lost.headers.get("x-gateway-send-id") as string
    const path = lastCallbackPath()
    expect((await view(sendId)).json.send).toMatchObject({ outcome: "unknown" })
    expect((await view(sendId)).json.send.campaignId).toBeUndefined()
    await h.upstream.runDue()
    const bound = (await view(sendId)).json
    expect(bound.events).toHaveLength(1)
    const campaignId = bound.events[0].data.campaignId as string
    expect(bound.send.campaignId).toBe(campaignId)
    // From now on another campaign id on this URL is refused.
    expect((await postCallback(path, status("NDA_20300101_09999"))).status).toBe(409)
    // A send bound by a callback is still not "sent": it does not grant cancelling.
    expect(
      (
        await gateway(`/v1/campaign/cancel/${campaignId}`, {
          method: "DELETE",
          token: TOKENS.alpha,
        })
      ).status,
    ).toBe(404)
    await flush("alpha")
  })

  it("503 with Retry-After for a callback of a send not recorded yet, stored once it is", async () => {
    const path = await mintCallbackPath(
      {
        clientId: "alpha",
        sendId: "3f0e6a52-0000-4000-8000-000000000001",
        expiresAt: Math.floor(Date.now() / 1000) + 3_600,
        forwardTo: undefined,
      },
      Redacted.make(CALLBACK_KEY),
    )
    const early = await answer(await postCallback(path, status("NDA_20300101_00001")))
    expect(early.status).toBe(503)
    expect(early.headers.get("retry-after")).toMatch(/^\d+$/)
    expect(early.json).toMatchObject({ success: false })
    expect(await storedEvents()).toBe(0)
    await ledger("alpha").recordSend("alpha", {
      sendId: "3f0e6a52-0000-4000-8000-000000000001",
      endpoint: "tts/send",
      createdAt: Date.now(),
      recipients: 1,
      outcome: "sent",
      status: 200,
      campaignId: "NDA_20300101_00001",
      cost: undefined,
      currency: undefined,
      scheduledDate: undefined,
      error: undefined,
    })
    const retried = await answer(await postCallback(path, status("NDA_20300101_00001")))
    expect(retried.status).toBe(200)
    expect(retried.json).toEqual({ success: true, duplicate: false })
    expect(await storedEvents()).toBe(1)
    await flush("alpha")
  })
})
