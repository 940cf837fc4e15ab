import { describe, expect, it } from "vitest"
import { createEmulator, ManualClock } from "../src/index.js"
import { startEmulatorServer } from "../src/node.js"

const base = "http://emulator/v1"
const json = async <T>(response: Response | Promise<Response>): Promise<T> =>
  (await (await response).json()) as T
const post = (path: string, body: unknown) =>
  new Request(`${base}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  })
const vms = (extra: Record<string, unknown> = {}) =>
  post("/campaign/send", {
    apiKey: "dev-key",
    phoneNumbers: "0612345678,+33712345678",
    tokenAudio: "dev-audio",
    emailForNotification: "ops@example.com",
    ...extra,
  })

const received = () => {
  const calls: Array<{ method: string; url: string; body: unknown }> = []
  let failuresLeft = 0
  const fetch = (async (url: string | URL | Request, init?: RequestInit) => {
    calls.push({
      method: init?.method ?? "GET",
      url: String(url),
      body: init?.body === undefined ? undefined : JSON.parse(String(init.body)),
    })
    if (failuresLeft > 0) {
      failuresLeft--
      return new Response("no", { status: 500 })
    }
    return new Response("ok")
  }) as typeof globalThis.fetch
  return { calls, fetch, failNext: (n: number) => (failuresLeft = n) }
}

describe("emulator endpoints", () => {
  it("answers every endpoint in the provider's shapes", async () => {
    const e = createEmulator({ clock: new ManualClock() })
    const me = await (await e.fetch(new Request(`${base}/me/dev-key`))).json()
    expect(me).toMatchObject({ success: true, credit: "100.00", currency: "€" })
    const audios = await (await e.fetch(new Request(`${base}/audios/dev-key`))).json()
    expect(audios).toMatchObject({ nb_datas: 1, datas: [{ token: "dev-audio", duration: "0:07" }] })
    const tts = await json<{ campaignId: string }>(
      e.fetch(
        post("/tts/send", { apiKey: "dev-key", phoneNumbers: "0612345678", text: "Bonjour" }),
      ),
    )
    expect(tts).toMatchObject({
      success: true,
      currency: "EUR",
      nbSms: 1,
      lang: "fr",
      detail: { "33": { nbSms: 1 } },
    })
    expect(tts.campaignId).toMatch(/^NDA_\d{8}_\d{10}$/)
    const drop = await (await e.fetch(vms())).json()
    expect(drop).toMatchObject({
      success: true,
      nbSms: 2,
      cost: 0.12,
      audioFile: { filename: "Message de test", size: "108.5Ko" },
    })
    const renamed = await json<unknown>(
      e.fetch(
        post("/audio-file/rename", {
          apiKey: "dev-key",
          tokenAudio: "dev-audio",
          filename: "Rappel",
        }),
      ),
    )
    expect(renamed).toEqual({ success: true, filename: "Rappel", tokenAudio: "dev-audio" })
  })

  it("checks the key like the provider", async () => {
    const e = createEmulator({ clock: new ManualClock() })
    const wrong = await e.fetch(new Request(`${base}/me/nope`))
    expect(wrong.status).toBe(401)
    expect(await wrong.json()).toMatchObject({ success: false, code: 10 })
    const missing = await e.fetch(post("/tts/send", { phoneNumbers: "0612345678", text: "x" }))
    expect(await missing.json()).toMatchObject({ success: false, code: 1 })
  })

  it.each(["constructor", "toString", "__proto__"])("refuses the key %j as wrong", async (key) => {
    const e = createEmulator({ clock: new ManualClock() })
    const me = await e.fetch(new Request(`${base}/me/${key}`))
    expect(me.status).toBe(401)
    expect(await me.json()).toMatchObject({ success: false, code: 10 })
    const sent = await e.fetch(
      post("/tts/send", { apiKey: key, phoneNumbers: "0612345678", text: "Bonjour" }),
    )
    expect(sent.status).toBe(401)
    expect(Object.keys(e.snapshot().credits)).toEqual(["dev-key"])
  })

  it.each([
    [{ phoneNumbers: "" }, 400, "PHONE_NUMBER_REQUIRED"],
    [
      {
        phoneNumbers: Array.from({ length: 501 }, (_, i) => `06${String(i).padStart(8, "0")}`).join(
          ",",
        ),
      },
      400,
      "PHONE_NUMBER_SIZE_ERROR",
    ],
    [{ phoneNumbers: "0612345678,12" }, 400, "DESTINATION_INVALID"],
    [{ tokenAudio: "" }, 400, "TOKEN_AUDIO_REQUIRED"],
    [{ tokenAudio: "missing" }, 404, "AUDIO_FILE_NOT_FOUND"],
    [{ notifyUrl: "ftp://x" }, 400, "NOTIFY_URL_INVALID"],
    [{ sender: "abc" }, 400, "SENDER_INVALID"],
    [{ sender: "0611111111" }, 403, "SENDER_NOT_AUTHORIZED"],
  ])("refuses %j with %i %s", async (extra, status, code) => {
    const e = createEmulator({ clock: new ManualClock() })
    const answer = await e.fetch(vms(extra))
    expect(answer.status).toBe(status)
    expect(await answer.json()).toMatchObject({ success: false, code })
  })

  it("refuses a send beyond the credit with NOT_CREDIT and charges nothing", async () => {
    const e = createEmulator({ clock: new ManualClock(), credits: 0.1 })
    const answer = await e.fetch(vms())
    expect(answer.status).toBe(402)
    expect(await answer.json()).toMatchObject({ code: "NOT_CREDIT" })
    expect(e.snapshot().credits["dev-key"]).toBe(0.1)
  })

  it("keeps scheduled campaigns until they run and gives the credit back on cancel", async () => {
    const clock = new ManualClock(Date.UTC(2026, 6, 1, 8)) // 10:00 in Paris (summer time)
    const e = createEmulator({ clock })
    const sent = await json<{ campaignId: string }>(
      await e.fetch(vms({ scheduledDate: "2026-07-01 12:00:00" })),
    )
    expect(e.snapshot().credits["dev-key"]).toBe(99.88)
    const cancel = await e.fetch(
      new Request(`${base}/campaign/cancel/dev-key/${sent.campaignId}`, { method: "DELETE" }),
    )
    expect(await cancel.json()).toEqual({
      success: true,
      campaignId: sent.campaignId,
      assignedCredit: "0.12",
      currency: "EUR",
    })
    expect(e.snapshot().credits["dev-key"]).toBe(100)
    const again = await e.fetch(
      new Request(`${base}/campaign/cancel/dev-key/${sent.campaignId}`, { method: "DELETE" }),
    )
    expect(again.status).toBe(400)
    const unknown = await e.fetch(
      new Request(`${base}/campaign/cancel/dev-key/NDA_x`, { method: "DELETE" }),
    )
    expect(unknown.status).toBe(404)
  })

  it("answers bad input like an API, never with a crash", async () => {
    const e = createEmulator({ clock: new ManualClock(), maxBodyBytes: 1_000 })
    const malformed = await e.fetch(
      new Request(`${base}/tts/send`, { method: "POST", body: "{nope" }),
    )
    expect(malformed.status).toBe(400)
    expect(await malformed.json()).toMatchObject({ code: 90 })
    const array = await e.fetch(new Request(`${base}/tts/send`, { method: "POST", body: "[1]" }))
    expect(array.status).toBe(400)
    const huge = await e.fetch(
      new Request(`${base}/tts/send`, {
        method: "POST",
        body: JSON.stringify({ text: "x".repeat(2_000) }),
      }),
    )
    expect(huge.status).toBe(413)
    const wrongTypes = await e.fetch(
      post("/tts/send", { apiKey: "dev-key", phoneNumbers: 42, text: ["x"] }),
    )
    expect(wrongTypes.status).toBe(400)
    expect((await e.fetch(new Request("http://emulator/elsewhere"))).status).toBe(404)
    const method = await e.fetch(new Request(`${base}/tts/send`))
    expect(method.status).toBe(405)
    expect(await method.json()).toMatchObject({ success: false })
  })
})

describe("emulator rate limits", () => {
  it("admits exactly 5 voicemail drops per rolling minute, with the provider's headers", async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 5, 9))
    const e = createEmulator({ clock })
    const statuses: Array<number> = []
    for (let i = 0; i < 6; i++) statuses.push((await e.fetch(vms())).status)
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429])
    const limited = await e.fetch(vms())
    expect(limited.headers.get("x-ratelimit-limit")).toBe("5")
    expect(limited.headers.get("x-ratelimit-remaining")).toBe("0")
    expect(Number(limited.headers.get("x-ratelimit-reset"))).toBe(
      Math.ceil((clock.now() + 60_000) / 1000),
    )
    await e.advance(59_999)
    expect((await e.fetch(vms())).status).toBe(429)
    await e.advance(1)
    expect((await e.fetch(vms())).status).toBe(200)
  })

  it("also holds 2000 per hour", async () => {
    const clock = new ManualClock()
    const e = createEmulator({ clock, credits: 1e9 })
    let accepted = 0
    for (let minute = 0; minute < 60; minute++) {
      for (let i = 0; i < 40; i++)
        if (
          (
            await e.fetch(
              post("/tts/send", { apiKey: "dev-key", phoneNumbers: "0612345678", text: "x" }),
            )
          ).status === 200
        )
          accepted++
      await e.advance(60_000)
    }
    expect(accepted).toBe(2000)
  })

  const tts = (apiKey = "dev-key", phoneNumbers = "0612345678") =>
    post("/tts/send", { apiKey, phoneNumbers, text: "x" })
  const statusesOf = async (
    n: number,
    request: () => Request,
    e: ReturnType<typeof createEmulator>,
  ) => {
    const out: Array<number> = []
    for (let i = 0; i < n; i++) out.push((await e.fetch(request())).status)
    return out
  }

  it("counts voicemail drops in a rolling minute, not a fixed one", async () => {
    const e = createEmulator({ clock: new ManualClock() })
    const at: Record<number, number> = {}
    for (const second of [0, 10, 20, 30, 40, 50, 60, 61, 70]) {
      await e.advance(second * 1000 - (e.emulator.clock.now() - Date.UTC(2026, 0, 5, 9)))
      at[second] = (await e.fetch(vms())).status
    }
    // (t - 60 s, t]: at 60 s the send of 0 s has left the window, at 61 s the one of 10 s has not.
    expect(at).toEqual({
      0: 200,
      10: 200,
      20: 200,
      30: 200,
      40: 200,
      50: 429,
      60: 200,
      61: 429,
      70: 200,
    })
  })

  it("holds 5/min and 2000/h per key: one key's sends leave another's alone", async () => {
    const e = createEmulator({
      clock: new ManualClock(),
      apiKeys: ["a-key", "b-key"],
      credits: 1e9,
    })
    expect(await statusesOf(6, () => vms({ apiKey: "a-key" }), e)).toEqual([
      200, 200, 200, 200, 200, 429,
    ])
    expect(await statusesOf(6, () => vms({ apiKey: "b-key" }), e)).toEqual([
      200, 200, 200, 200, 200, 429,
    ])
    const hour = await statusesOf(2001, () => tts("a-key"), e)
    expect(hour.filter((s) => s === 200)).toHaveLength(2000)
    expect(hour[2000]).toBe(429)
    expect((await e.fetch(tts("b-key"))).status).toBe(200)
  })

  it("counts voice SMS in a rolling hour", async () => {
    const e = createEmulator({ clock: new ManualClock(), credits: 1e9 })
    expect(new Set(await statusesOf(1000, () => tts(), e))).toEqual(new Set([200]))
    await e.advance(30 * 60_000)
    expect(new Set(await statusesOf(1000, () => tts(), e))).toEqual(new Set([200]))
    await e.advance(30 * 60_000 - 1)
    const limited = await e.fetch(tts())
    expect(limited.status).toBe(429)
    expect(limited.headers.get("x-ratelimit-remaining")).toBe("0")
    await e.advance(1) // the first thousand leave the window together
    const again = await statusesOf(1001, () => tts(), e)
    expect(again.slice(0, 1000).every((s) => s === 200)).toBe(true)
    expect(again[1000]).toBe(429)
  })

  it("counts a send refused for its content, not one refused with 429, and says so in headers", async () => {
    const e = createEmulator({ clock: new ManualClock() })
    const invalid = await e.fetch(tts("dev-key", "12"))
    expect(invalid.status).toBe(400)
    expect(invalid.headers.get("x-ratelimit-limit")).toBe("2000")
    expect(invalid.headers.get("x-ratelimit-remaining")).toBe("1999")
    const ok = await e.fetch(tts())
    expect(ok.headers.get("x-ratelimit-remaining")).toBe("1998")
    // Voicemail drops: four refused ones and one accepted fill the minute.
    const drops = [
      vms({ tokenAudio: "missing" }),
      vms({ phoneNumbers: "" }),
      vms({ sender: "abc" }),
      vms({ emailForNotification: "nope" }),
      vms(),
    ]
    const statuses: Array<number> = []
    for (const drop of drops) statuses.push((await e.fetch(drop)).status)
    expect(statuses).toEqual([404, 400, 400, 400, 200])
    const over = await e.fetch(vms())
    expect(over.status).toBe(429)
    expect(await statusesOf(3, () => vms(), e)).toEqual([429, 429, 429])
    await e.advance(60_000) // the 429s did not count: the minute is free again
    expect(await statusesOf(5, () => vms(), e)).toEqual([200, 200, 200, 200, 200])
  })

  it.each([
    ["me", 5, () => new Request(`${base}/me/dev-key`)],
    [
      "audio-file/rename",
      5,
      () =>
        post("/audio-file/rename", { apiKey: "dev-key", tokenAudio: "dev-audio", filename: "Abc" }),
    ],
    ["audios", 360, () => new Request(`${base}/audios/dev-key`)],
  ])("admits %s %i times per rolling minute", async (_name, limit, request) => {
    const e = createEmulator({ clock: new ManualClock() })
    const statuses = await statusesOf(limit + 1, request, e)
    expect(statuses.slice(0, limit).every((s) => s === 200)).toBe(true)
    expect(statuses[limit]).toBe(429)
    await e.advance(60_000)
    expect((await e.fetch(request())).status).toBe(200)
  })

  it("can be disabled", async () => {
    const e = createEmulator({ clock: new ManualClock(), rateLimits: false })
    for (let i = 0; i < 10; i++) expect((await e.fetch(vms())).status).toBe(200)
  })
})

describe("emulator callbacks", () => {
  it("POSTs one JSON status per number for a voice SMS, with configured outcomes", async () => {
    const hook = received()
    const e = createEmulator({
      clock: new ManualClock(),
      fetch: hook.fetch,
      callbackDelayMs: 1_000,
    })
    await e.fetch(
      post("/tts/send", {
        apiKey: "dev-key",
        phoneNumbers: "0612345678,0612345699",
        text: "Bonjour",
        notifyUrl: "http://127.0.0.1:9/hook",
      }),
    )
    await e.advance(999)
    expect(hook.calls).toHaveLength(0)
    await e.advance(1)
    expect(hook.calls).toHaveLength(2)
    expect(hook.calls[0]).toMatchObject({
      method: "POST",
      body: {
        status: "delivered",
        additionnal_status: "VOICE_ANSWERED",
        phoneNumber: "0033612345678",
      },
    })
    expect(hook.calls[1]).toMatchObject({
      body: {
        status: "undelivered",
        additionnal_status: "VOICE_NOT_ANSWERED",
        phoneNumber: "0033612345699",
      },
    })
    expect(hook.calls[0]!.body).toHaveProperty(
      "doneAt",
      expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/),
    )
  })

  it("GETs the voicemail drop's notifyUrl with the campaign counts, retrying on failure", async () => {
    const hook = received()
    hook.failNext(2)
    const e = createEmulator({ clock: new ManualClock(), fetch: hook.fetch, callbackDelayMs: 0 })
    const sent = await json<{ campaignId: string }>(
      await e.fetch(vms({ notifyUrl: "http://127.0.0.1:9/hook?x=1" })),
    )
    await e.advance(10_000)
    expect(hook.calls).toHaveLength(3)
    const url = new URL(hook.calls[2]!.url)
    expect(url.searchParams.get("campaign_id")).toBe(sent.campaignId)
    expect(url.searchParams.get("delivered_quantity")).toBe("2")
    expect(url.searchParams.get("total_quantity")).toBe("2")
    expect(url.searchParams.get("x")).toBe("1")
    const [record] = e.callbacks()
    expect(record!.attempts.map((a) => a.status)).toEqual([500, 500, 200])
    expect(record!.delivered).toBe(true)
  })

  it("delivers a scheduled send's callbacks only after it runs", async () => {
    const hook = received()
    const clock = new ManualClock(Date.UTC(2026, 0, 5, 8)) // 09:00 Paris
    const e = createEmulator({ clock, fetch: hook.fetch, callbackDelayMs: 0 })
    await e.fetch(
      vms({ notifyUrl: "http://127.0.0.1:9/hook", scheduledDate: "2026-01-05 10:00:00" }),
    )
    await e.advance(3_599_000)
    expect(hook.calls).toHaveLength(0)
    await e.advance(1_000)
    expect(hook.calls).toHaveLength(1)
  })
})

describe("emulator state and log", () => {
  it("logs requests in order without the API key, and snapshots/restores state", async () => {
    const e = createEmulator({ clock: new ManualClock() })
    await e.fetch(new Request(`${base}/me/dev-key`))
    await e.fetch(vms())
    const log = e.requests()
    expect(log.map((r) => [r.method, r.path, r.status])).toEqual([
      ["GET", "/v1/me/***", 200],
      ["POST", "/v1/campaign/send", 200],
    ])
    expect(JSON.stringify(log)).not.toContain("dev-key")
    const saved = e.snapshot()
    await e.fetch(vms())
    e.restore(saved)
    expect(e.snapshot().credits["dev-key"]).toBe(99.88)
    e.reset()
    expect(e.requests()).toHaveLength(0)
  })
})

describe("Node server", () => {
  it("serves the emulator on 127.0.0.1 and shuts down cleanly", async () => {
    const server = await startEmulatorServer({ port: 0 })
    try {
      expect(server.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/)
      const answer = await fetch(`${server.baseUrl}/me/dev-key`)
      expect(await answer.json()).toMatchObject({ success: true })
      const log = await (await fetch(server.baseUrl.replace("/v1", "/__emulator/requests"))).json()
      expect(log).toHaveLength(1)
    } finally {
      await server.close()
    }
  })
})

describe("emulator credit", () => {
  const control = (e: ReturnType<typeof createEmulator>, body: unknown) =>
    e.fetch(
      new Request("http://emulator/__emulator/credits", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: typeof body === "string" ? body : JSON.stringify(body),
      }),
    )
  const credit = async (e: ReturnType<typeof createEmulator>, key = "dev-key") =>
    (await json<{ credit: string }>(e.fetch(new Request(`${base}/me/${key}`)))).credit
  const numbers = (from: number) =>
    Array.from({ length: 500 }, (_, i) => `06${String(from + i).padStart(8, "0")}`).join(",")

  it("is set at run time by POST /__emulator/credits: enough for 5,000 numbers", async () => {
    const e = createEmulator({ clock: new ManualClock() })
    const statuses: Array<number> = []
    for (let batch = 0; batch < 3; batch++) {
      const sent = await e.fetch(
        post("/tts/send", { apiKey: "dev-key", phoneNumbers: numbers(0), text: "Bonjour" }),
      )
      statuses.push(sent.status)
    }
    expect(statuses).toEqual([200, 200, 402]) // 45 EUR per 500 numbers: 100 EUR is not enough
    const answer = await control(e, { credit: 5000 })
    expect(answer.status).toBe(200)
    expect(await answer.json()).toEqual({ success: true, credit: 5000, keys: 1 })
    for (let batch = 0; batch < 10; batch++) {
      const sent = await e.fetch(
        post("/tts/send", {
          apiKey: "dev-key",
          phoneNumbers: numbers(batch * 500),
          text: "Bonjour",
        }),
      )
      expect(sent.status).toBe(200)
    }
    expect(await credit(e)).toBe("4550.00")
    e.reset()
    expect(await credit(e)).toBe("100.00") // back to the starting credit
  })

  it("can be set for one key, and refuses what is not an amount for a known key", async () => {
    const e = createEmulator({ clock: new ManualClock(), apiKeys: ["a-key", "b-key"] })
    expect((await control(e, { apiKey: "b-key", credit: 12.345 })).status).toBe(200)
    expect([await credit(e, "a-key"), await credit(e, "b-key")]).toEqual(["100.00", "12.35"])
    for (const bad of [{}, { credit: -1 }, { credit: "5000" }, [5000], "{nope"]) {
      const refused = await control(e, bad)
      expect(refused.status).toBe(400)
      expect(await refused.json()).toMatchObject({ success: false })
    }
    const unknown = await control(e, { apiKey: "nope", credit: 1 })
    expect(unknown.status).toBe(404)
    expect([await credit(e, "a-key"), await credit(e, "b-key")]).toEqual(["100.00", "12.35"])
    e.setCredit(7, "a-key") // the same, in process
    expect(await credit(e, "a-key")).toBe("7.00")
    expect(() => e.setCredit(1, "nope")).toThrow(RangeError)
    expect(Object.keys(e.snapshot().credits)).toEqual(["a-key", "b-key"])
  })
})
