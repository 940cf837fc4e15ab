import { env, runDurableObjectAlarm, runInDurableObject, SELF } from "cloudflare:test"
import { verifyWebhook } from "@voicepartner/core/webhooks/standardWebhooks"
import * as Redacted from "effect/Redacted"
import { describe, expect, it, vi } from "vitest"
import { mintCallbackPath } from "../src/callbacks/callbackUrl.js"
import { answer, dropBody, gateway, useHarness } from "./harness.js"
import { CALLBACK_KEY, SECRETS, TOKENS } from "./testEnv.js"

const h = useHarness()

const ledger = (client: string) => env.LEDGER.get(env.LEDGER.idFromName(client))

/** Runs the ledger's alarm until no delivery is due now. */
const flush = async (client: string) => {
  for (let i = 0; i < 20 && (await runDurableObjectAlarm(ledger(client))); i++);
}

const sendTts = async (body: Record<string, unknown>, token = TOKENS.alpha) => {
  const sent = await answer(await gateway("/v1/tts/send", { token, json: body }))
  expect(sent.status).toBe(200)
  return sent.json.campaignId as string
}

const callbackUrl = () => {
  const body = h.upstream.requests().at(-1)?.body as { notifyUrl: string }
  return body.notifyUrl
}

const verified = (hook: { headers: Headers; body: string }, secret: string) =>
  verifyWebhook({ secret, headers: hook.headers, payload: hook.body })

describe("provider callbacks", () => {
  it("stores each event once and forwards it signed, even when the provider duplicates and reorders", async () => {
    h.upstream.setFaults({ duplicateCallbacks: true, reorderCallbacks: true, seed: 7 })
    const campaignId = await sendTts({
      phoneNumbers: "0612345601,0612345602,0612345699",
      text: "Bonjour",
    })
    await h.upstream.runDue()
    expect(h.upstream.callbacks()).toHaveLength(6)
    await flush("alpha")
    expect(h.hooks).toHaveLength(3)
    const events = await Promise.all(h.hooks.map((hook) => verified(hook, SECRETS.alpha)))
    const byNumber = new Map(
      events.map((e) => {
        const data = (e as { data: { phoneNumber: string; status: string; campaignId: string } })
          .data
        expect(data.campaignId).toBe(campaignId)
        return [data.phoneNumber, data.status]
      }),
    )
    expect(byNumber).toEqual(
      new Map([
        ["+33612345601", "delivered"],
        ["+33612345602", "delivered"],
        ["+33612345699", "undelivered"],
      ]),
    )
    expect(new Set(h.hooks.map((hook) => hook.headers.get("webhook-id"))).size).toBe(3)
    const view = await answer(await gateway(`/v1/campaigns/${campaignId}`, { token: TOKENS.alpha }))
    expect(view.json.send).toMatchObject({ campaignId, outcome: "sent", recipients: 3 })
    expect(view.json.events).toHaveLength(3)
    for (const e of view.json.events) expect(e.delivery.state).toBe("delivered")
  })

  it("retries a failing webhook with backoff and delivers exactly once", async () => {
    h.hookStatus = (n) => (n <= 2 ? 500 : 204)
    await sendTts({ phoneNumbers: "0612345601", text: "Bonjour" })
    await h.upstream.runDue()
    await flush("alpha")
    expect(h.hooks).toHaveLength(1)
    // The next attempt is scheduled about 5 s later (±20 %): run the alarm as if it were due.
    const stub = ledger("alpha")
    for (let attempt = 0; attempt < 2; attempt++) {
      await runInLedger(stub, "UPDATE deliveries SET next_at = 0 WHERE state = 'pending'")
      await flush("alpha")
    }
    expect(h.hooks).toHaveLength(3)
    const ids = new Set(h.hooks.map((hook) => hook.headers.get("webhook-id")))
    expect(ids.size).toBe(1)
    await verified(h.hooks[2] as (typeof h.hooks)[number], SECRETS.alpha)
  })

  it("gives an event up once the retry schedule is spent (5 s, 30 s here: three tries)", async () => {
    h.hookStatus = () => 503
    const campaignId = await sendTts({ phoneNumbers: "0612345601", text: "Bonjour" })
    await h.upstream.runDue()
    await flush("alpha")
    for (let attempt = 0; attempt < 4; attempt++) {
      await runInLedger(
        ledger("alpha"),
        "UPDATE deliveries SET next_at = 0 WHERE state = 'pending'",
      )
      await flush("alpha")
    }
    expect(h.hooks).toHaveLength(3)
    const view = await answer(await gateway(`/v1/campaigns/${campaignId}`, { token: TOKENS.alpha }))
    expect(view.json.events[0].delivery).toMatchObject({
      state: "failed",
      attempts: 3,
      lastStatus: 503,
    })
  })

  it("stops forwarding to a URL that answered 410", async () => {
    h.hookStatus = () => 410
    await sendTts({ phoneNumbers: "0612345601", text: "Un" })
    await h.upstream.runDue()
    await flush("alpha")
    await sendTts({ phoneNumbers: "0612345602", text: "Deux" })
    await h.upstream.runDue()
    await flush("alpha")
    expect(h.hooks).toHaveLength(1)
  })

  it("forwards to the send's own notifyUrl when the client gave one", async () => {
    await sendTts({
      phoneNumbers: "0612345601",
      text: "Bonjour",
      notifyUrl: "http://hooks.test/own?ref=42",
    })
    expect(callbackUrl()).not.toContain("hooks.test")
    await h.upstream.runDue()
    await flush("alpha")
    expect(h.hooks.map((hook) => hook.url)).toEqual(["http://hooks.test/own?ref=42"])
  })

  it("records voicemail drop callbacks (GET) per campaign", async () => {
    const sent = await answer(
      await gateway("/v1/campaign/send", {
        token: TOKENS.beta,
        json: dropBody("0612345601,0140000000"),
      }),
    )
    await h.upstream.runDue()
    await flush("beta")
    expect(h.hooks).toHaveLength(1)
    const event = (await verified(h.hooks[0] as (typeof h.hooks)[number], SECRETS.beta)) as {
      type: string
      data: { campaignId: string; totalQuantity: number }
    }
    expect(event.type).toBe("voicemail.status")
    expect(event.data).toMatchObject({ campaignId: sent.json.campaignId, totalQuantity: 2 })
    // Another client cannot see it.
    expect(
      (await gateway(`/v1/campaigns/${sent.json.campaignId}`, { token: TOKENS.alpha })).status,
    ).toBe(404)
  })

  it("refuses forged, tampered and expired callback URLs with 401 and stores nothing", async () => {
    const campaignId = await sendTts({ phoneNumbers: "0612345601", text: "Bonjour" })
    const url = new URL(callbackUrl())
    const segments = url.pathname.split("/")
    // The send's own campaign id: another one is refused too (409, see eventBinding.test.ts).
    const payload = JSON.stringify({
      campaignId,
      status: "delivered",
      phoneNumber: "0033612345601",
    })
    const post = (path: string) =>
      SELF.fetch(`http://gateway.test${path}`, { method: "POST", body: payload })
    const tampered = [...segments]
    tampered[2] = "beta"
    const badSignature = [...segments]
    badSignature[6] = `${(segments[6] as string).slice(0, -2)}AA`
    const expired = await mintCallbackPath(
      {
        clientId: "alpha",
        sendId: segments[3] as string,
        expiresAt: Math.floor(Date.now() / 1000) - 1,
        forwardTo: undefined,
      },
      Redacted.make(CALLBACK_KEY),
    )
    const forged = await mintCallbackPath(
      { clientId: "alpha", sendId: "x", expiresAt: 4_000_000_000, forwardTo: undefined },
      Redacted.make("not-the-gateway-key-at-all"),
    )
    for (const path of [tampered.join("/"), badSignature.join("/"), expired, forged]) {
      const refused = await answer(await post(path))
      expect(refused.status).toBe(401)
    }
    const events = async () =>
      (await answer(await gateway(`/v1/campaigns/${campaignId}`, { token: TOKENS.alpha }))).json
        .events
    expect(await events()).toHaveLength(0)
    expect((await post(url.pathname)).status).toBe(200)
    expect(await events()).toHaveLength(1)
  })

  it("400 for a callback whose payload is not a status", async () => {
    await sendTts({ phoneNumbers: "0612345601", text: "Bonjour" })
    const path = new URL(callbackUrl()).pathname
    const refused = await answer(
      await SELF.fetch(`http://gateway.test${path}`, { method: "POST", body: '{"hello":1}' }),
    )
    expect(refused.status).toBe(400)
  })
})

const runInLedger = async (stub: DurableObjectStub, statement: string) => {
  const { runInDurableObject } = await import("cloudflare:test")
  await runInDurableObject(stub, (_instance, state: DurableObjectState) => {
    state.storage.sql.exec(statement)
  })
}

describe("callback URLs are credentials", () => {
  /** Every text the client's ledger stores, table by table. */
  const stored = (client: string) =>
    runInDurableObject(ledger(client), (_instance, state: DurableObjectState) => {
      const sql = state.storage.sql
      const tables = sql
        .exec<{ name: string }>(
          `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '_cf_%' AND name NOT LIKE 'sqlite_%'`,
        )
        .toArray()
      return tables.map(({ name }) => JSON.stringify(sql.exec(`SELECT * FROM "${name}"`).toArray()))
    })

  it("the ledger stores no minted callback URL, even when the provider echoes it", async () => {
    await sendTts({ phoneNumbers: "0612345601", text: "Bonjour" })
    await gateway("/v1/campaign/send", { token: TOKENS.alpha, json: dropBody("0612345601") })
    await h.upstream.runDue()
    await flush("alpha")
    // A provider answer quoting the notifyUrl it was given (as an error message may).
    const spy = vi.mocked(globalThis.fetch)
    const inner = spy.getMockImplementation() as typeof fetch
    spy.mockImplementation(async (input, init) => {
      const request = new Request(input, init)
      if (!request.url.endsWith("/tts/send")) return inner(input, init)
      const { notifyUrl } = (await request.json()) as { notifyUrl: string }
      return Response.json(
        {
          success: false,
          code: "NOTIFY_URL_INVALID",
          message: `notifyUrl ${notifyUrl} (${encodeURIComponent(notifyUrl)}) is not reachable`,
        },
        { status: 400 },
      )
    })
    const refused = await gateway("/v1/tts/send", {
      token: TOKENS.alpha,
      headers: { "idempotency-key": "echo-1" },
      json: { phoneNumbers: "0612345601", text: "Bonjour" },
    })
    expect(refused.status).toBe(400)
    await refused.body?.cancel()
    const texts = await stored("alpha")
    expect(texts.join("\n")).toContain("NOTIFY_URL_INVALID")
    for (const text of texts) {
      expect(text).not.toContain("/callbacks/")
      expect(text.toLowerCase()).not.toContain("%2fcallbacks%2f")
    }
  })
})
