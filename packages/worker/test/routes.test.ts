import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test"
import { describe, expect, it, vi } from "vitest"
import { app } from "../src/app.js"
import { answer, dropBody, gateway, useHarness } from "./harness.js"
import { TOKENS, UPSTREAM_KEY } from "./testEnv.js"

const h = useHarness()

describe("authentication", () => {
  it("refuses a missing or unknown token with 401 and sends nothing", async () => {
    const missing = await answer(await gateway("/v1/me"))
    expect(missing.status).toBe(401)
    expect(missing.json.error.code).toBe("UNAUTHORIZED")
    expect(missing.headers.get("www-authenticate")).toContain("Bearer")
    const wrong = await answer(await gateway("/v1/me", { token: `${TOKENS.alpha}x` }))
    expect(wrong.status).toBe(401)
    const upstreamKey = await answer(await gateway("/v1/me", { token: UPSTREAM_KEY }))
    expect(upstreamKey.status).toBe(401)
    expect(h.upstream.requests()).toHaveLength(0)
  })

  it("accepts a client token in place of the API key (drop-in), in the path and in the body", async () => {
    const credits = await answer(await gateway(`/v1/me/${TOKENS.alpha}`))
    expect(credits.status).toBe(200)
    expect(credits.json.success).toBe(true)
    const sent = await answer(
      await gateway("/v1/tts/send", {
        json: { apiKey: TOKENS.alpha, phoneNumbers: "0612345678", text: "Bonjour" },
      }),
    )
    expect(sent.status).toBe(200)
    const upstreamBody = h.upstream.requests().at(-1)?.body as Record<string, unknown>
    expect(upstreamBody.apiKey).not.toBe(TOKENS.alpha)
  })

  it("answers 403 for an operation the client may not use", async () => {
    const refused = await answer(
      await gateway("/v1/tts/send", {
        token: TOKENS.reader,
        json: { phoneNumbers: "0612345678", text: "x" },
      }),
    )
    expect(refused.status).toBe(403)
    expect(refused.json.error.code).toBe("FORBIDDEN")
    // It never needed the quota: no call to the quota object, so no fields (nothing known).
    expect(refused.headers.get("ratelimit")).toBeNull()
    expect(h.upstream.requests()).toHaveLength(0)
  })
})

describe("bad input never reaches the upstream and never gets a 500", () => {
  it.each([
    ["a bad number", { phoneNumbers: "12", text: "x" }, "phoneNumbers"],
    ["no text nor audio", { phoneNumbers: "0612345678" }, "text"],
    [
      "a past date",
      { phoneNumbers: "0612345678", text: "x", scheduledDate: "2020-01-01 10:00" },
      "scheduledDate",
    ],
    [
      "a bad notifyUrl",
      { phoneNumbers: "0612345678", text: "x", notifyUrl: "ftp://x" },
      "notifyUrl",
    ],
  ])("400 naming the field for %s", async (_name, body, field) => {
    const refused = await answer(await gateway("/v1/tts/send", { token: TOKENS.alpha, json: body }))
    expect(refused.status).toBe(400)
    expect(refused.json).toMatchObject({
      success: false,
      error: { code: "VALIDATION_ERROR", field },
    })
    expect(refused.headers.get("ratelimit")).toBeNull()
    expect(h.upstream.requests()).toHaveLength(0)
  })

  it("400 for malformed JSON and for a body that is not an object", async () => {
    for (const body of ["{nope", "[1,2]", '"text"']) {
      const refused = await answer(
        await gateway("/v1/campaign/send", {
          method: "POST",
          token: TOKENS.alpha,
          headers: { "content-type": "application/json" },
          body,
        }),
      )
      expect(refused.status).toBe(400)
      expect(refused.json.error.code).toBe("INVALID_JSON")
    }
  })

  it("413 past the body limit", async () => {
    const refused = await answer(
      await gateway("/v1/tts/send", {
        token: TOKENS.alpha,
        json: { phoneNumbers: "0612345678", text: "a".repeat(300_000) },
      }),
    )
    expect(refused.status).toBe(413)
    expect(refused.json.error.code).toBe("PAYLOAD_TOO_LARGE")
  })

  it("JSON 404 and 405 with Allow", async () => {
    const missing = await answer(await gateway("/v2/anything", { token: TOKENS.alpha }))
    expect(missing.status).toBe(404)
    expect(missing.json.error.code).toBe("NOT_FOUND")
    const wrongMethod = await answer(await gateway("/v1/tts/send", { token: TOKENS.alpha }))
    expect(wrongMethod.status).toBe(405)
    expect(wrongMethod.headers.get("allow")).toBe("POST")
  })

  it("rejects a path-traversing campaign id to cancel", async () => {
    const refused = await answer(
      await gateway("/v1/campaign/cancel/..%2Fme", { method: "DELETE", token: TOKENS.alpha }),
    )
    expect(refused.status).toBe(400)
    expect(refused.json.error.field).toBe("campaignId")
  })
})

describe("pass-through", () => {
  it("sends a voice SMS with the upstream key and a gateway callback URL, answering upstream's JSON", async () => {
    const sent = await answer(
      await gateway("/v1/tts/send", {
        token: TOKENS.alpha,
        json: { phoneNumbers: ["06 12 34 56 78", "+33 6 11 11 11 11"], text: "Bonjour" },
      }),
    )
    expect(sent.status).toBe(200)
    expect(sent.json).toMatchObject({ success: true, nbSms: 2, currency: "EUR" })
    expect(sent.headers.get("x-gateway-send-id")).toMatch(/^[0-9a-f-]{36}$/)
    expect(sent.headers.get("ratelimit-policy")).toBe('"tts-send-3600s";q=2000;w=3600')
    expect(sent.headers.get("ratelimit")).toBe('"tts-send-3600s";r=1999;t=3600')
    const [request] = h.upstream.requests()
    const body = request?.body as Record<string, unknown>
    expect(body.phoneNumbers).toBe("+33612345678,+33611111111")
    expect(body.notifyUrl).toMatch(/^http:\/\/gateway\.test\/callbacks\/alpha\//)
  })

  it("serves credits, audio files, rename and cancel", async () => {
    expect((await answer(await gateway("/v1/me", { token: TOKENS.alpha }))).json.success).toBe(true)
    const audios = await answer(await gateway("/v1/audios", { token: TOKENS.alpha }))
    expect(audios.json.datas[0].token).toBe("dev-audio")
    const renamed = await answer(
      await gateway("/v1/audio-file/rename", {
        token: TOKENS.alpha,
        json: { tokenAudio: "dev-audio", filename: "Rappel RDV" },
      }),
    )
    expect(renamed.json).toMatchObject({ success: true, filename: "Rappel RDV" })
    const scheduled = await answer(
      await gateway("/v1/tts/send", {
        token: TOKENS.alpha,
        json: {
          phoneNumbers: "0612345678",
          text: "Plus tard",
          scheduledDate: new Date(Date.now() + 86_400_000).toISOString(),
        },
      }),
    )
    const cancelled = await answer(
      await gateway(`/v1/campaign/cancel/${scheduled.json.campaignId}`, {
        method: "DELETE",
        token: TOKENS.alpha,
      }),
    )
    expect(cancelled.json).toMatchObject({ success: true, campaignId: scheduled.json.campaignId })
  })

  it("passes an upstream refusal through with its code", async () => {
    const refused = await answer(
      await gateway("/v1/campaign/send", {
        token: TOKENS.alpha,
        json: dropBody("0612345678", "missing-audio"),
      }),
    )
    expect(refused.status).toBeGreaterThanOrEqual(400)
    expect(refused.json).toMatchObject({ success: false, code: "AUDIO_FILE_NOT_FOUND" })
  })

  it("health and a generated OpenAPI document", async () => {
    expect((await answer(await gateway("/health"))).json).toEqual({ status: "ok" })
    const doc = await answer(await gateway("/openapi.json"))
    expect(doc.json.openapi).toBe("3.1.0")
    expect(Object.keys(doc.json.paths)).toContain("/v1/tts/send")
    const body =
      doc.json.paths["/v1/campaign/send"].post.requestBody.content["application/json"].schema
    expect(body.required).toEqual(["phoneNumbers", "tokenAudio", "emailForNotification"])
  })
})

describe("the request log", () => {
  const requestLines = () =>
    h.logs
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((e) => e.msg === "request")

  it("writes one line per request with the route pattern, never the raw path", async () => {
    const credits = await gateway(`/v1/me/${TOKENS.alpha}`)
    expect(credits.status).toBe(200)
    expect(requestLines()).toEqual([
      expect.objectContaining({
        method: "GET",
        route: "/v1/me/:apiKey",
        status: 200,
        client: "alpha",
      }),
    ])
  })

  it("writes none with REQUEST_LOG=off", async () => {
    const ctx = createExecutionContext()
    const credits = await app.fetch(
      new Request(`http://gateway.test/v1/me/${TOKENS.alpha}`),
      { ...env, REQUEST_LOG: "off" },
      ctx,
    )
    await waitOnExecutionContext(ctx)
    expect(credits.status).toBe(200)
    expect(requestLines()).toEqual([])
  })
})

describe("answers that never needed the quota make no call to the quota object", () => {
  /** The gateway with its QUOTA binding counting every stub it hands out. */
  const countingGateway = () => {
    let stubs = 0
    const quota = new Proxy(env.QUOTA, {
      get: (target, property) => {
        const value = Reflect.get(target, property, target) as unknown
        if (typeof value !== "function") return value
        return (...args: Array<unknown>) => {
          // Ids are computed locally; anything else hands out a stub to call.
          if (!String(property).startsWith("id") && property !== "newUniqueId") stubs++
          return (value as (...a: Array<unknown>) => unknown).apply(target, args)
        }
      },
    })
    const counted = { ...env, QUOTA: quota }
    const fetch = async (
      path: string,
      init: { token?: string; json?: unknown; headers?: Record<string, string>; method?: string },
    ) => {
      const headers = new Headers(init.headers)
      if (init.token !== undefined) headers.set("authorization", `Bearer ${init.token}`)
      if (init.json !== undefined) headers.set("content-type", "application/json")
      const ctx = createExecutionContext()
      const response = await app.fetch(
        new Request(`http://gateway.test${path}`, {
          method: init.method ?? (init.json === undefined ? "GET" : "POST"),
          headers,
          ...(init.json !== undefined && { body: JSON.stringify(init.json) }),
        }),
        counted,
        ctx,
      )
      await waitOnExecutionContext(ctx)
      return answer(response)
    }
    return { fetch, stubs: () => stubs }
  }

  const body = { phoneNumbers: "0612345678", text: "Bonjour" }

  it("counts: a send that goes out asks the quota object", async () => {
    const counting = countingGateway()
    const sent = await counting.fetch("/v1/tts/send", { token: TOKENS.alpha, json: body })
    expect(sent.status).toBe(200)
    expect(sent.headers.get("ratelimit")).toBe('"tts-send-3600s";r=1999;t=3600')
    expect(counting.stubs()).toBeGreaterThan(0)
  })

  it("a 400, a 403, a 404 (another client's campaign), a 409, a 422 and a replay", async () => {
    const counting = countingGateway()
    const key = { "idempotency-key": "order-7" }
    const invalid = await counting.fetch("/v1/tts/send", {
      token: TOKENS.alpha,
      json: { phoneNumbers: "12", text: "x" },
    })
    expect(invalid.status).toBe(400)
    const forbidden = await counting.fetch("/v1/tts/send", { token: TOKENS.reader, json: body })
    expect(forbidden.status).toBe(403)
    const notOwned = await counting.fetch("/v1/campaign/cancel/NDA_20300101_00042", {
      method: "DELETE",
      token: TOKENS.alpha,
    })
    expect(notOwned.status).toBe(404)
    expect(counting.stubs()).toBe(0)

    // The first request with the key goes out (uncounted), held at the upstream.
    let release = () => {}
    const held = new Promise<void>((resolve) => {
      release = resolve
    })
    let arrived = () => {}
    const atUpstream = new Promise<void>((resolve) => {
      arrived = resolve
    })
    const upstream = h.upstream
    const upstreamFetch = upstream.fetch
    vi.spyOn(upstream, "fetch").mockImplementation(async (request) => {
      arrived()
      await held
      return upstreamFetch.call(upstream, request)
    })
    const first = gateway("/v1/tts/send", { token: TOKENS.alpha, headers: key, json: body })
    await atUpstream
    const inFlight = await counting.fetch("/v1/tts/send", {
      token: TOKENS.alpha,
      headers: key,
      json: body,
    })
    expect(inFlight.status).toBe(409)
    release()
    expect((await first).status).toBe(200)

    const reused = await counting.fetch("/v1/tts/send", {
      token: TOKENS.alpha,
      headers: key,
      json: { ...body, text: "Autre chose" },
    })
    expect(reused.status).toBe(422)
    const replayed = await counting.fetch("/v1/tts/send", {
      token: TOKENS.alpha,
      headers: key,
      json: { ...body, phoneNumbers: "+33 6 12 34 56 78" },
    })
    expect(replayed.status).toBe(200)
    expect(replayed.headers.get("idempotent-replayed")).toBe("true")
    for (const a of [invalid, forbidden, notOwned, inFlight, reused, replayed])
      expect(a.headers.get("ratelimit")).toBeNull()
    expect(counting.stubs()).toBe(0)
  })

  it("they carry the fields when the isolate knows the endpoint is exhausted", async () => {
    for (let i = 0; i < 5; i++) {
      const sent = await gateway("/v1/campaign/send", {
        token: TOKENS.alpha,
        json: dropBody("0612345678"),
      })
      expect(sent.status).toBe(200)
    }
    const counting = countingGateway()
    // With a key (a keyless send would be refused before its body is read: earlyRefusal).
    const invalid = await counting.fetch("/v1/campaign/send", {
      token: TOKENS.alpha,
      json: dropBody("12"),
      headers: { "idempotency-key": "invalid-1" },
    })
    expect(invalid.status).toBe(400)
    expect(invalid.headers.get("ratelimit")).toMatch(/^"campaign-send-60s";r=0;t=\d+, /)
    expect(invalid.headers.get("ratelimit-policy")).toContain('"campaign-send-60s";q=5;w=60')
    expect(counting.stubs()).toBe(0)
  })
})
