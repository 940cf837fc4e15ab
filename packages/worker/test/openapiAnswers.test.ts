// Real answers of every route and status the workerd harness can produce, checked
// against the document the gateway serves: the status is documented for the operation,
// the body matches its schema — every field it carries documented (closed) — and each
// gateway field it carries is a documented header. The broadcasts' CSV uploads are also
// checked as requests: their media type and query parameters are the document's.

import {
  createExecutionContext,
  env,
  runDurableObjectAlarm,
  runInDurableObject,
  waitOnExecutionContext,
} from "cloudflare:test"
import { afterAll, describe, expect, it } from "vitest"
import { app } from "../src/app.js"
import { newBroadcastId } from "../src/broadcast/broadcastIds.js"
import {
  answerProblems,
  type RecordedAnswer,
  type RecordedRequest,
  requestProblems,
} from "../src/openapi/conformance.js"
import { dropBody, gateway, useHarness } from "./harness.js"
import { TOKENS } from "./testEnv.js"

const h = useHarness()

const recorded: Array<RecordedAnswer> = []
let doc: Record<string, unknown>

const record = async (response: Response, method: string, path: string) => {
  const text = await response.text()
  const type = response.headers.get("content-type") ?? ""
  const body = type.includes("json") ? JSON.parse(text) : text
  const answer: RecordedAnswer = {
    method,
    path: path.split("?")[0] ?? path,
    status: response.status,
    headers: response.headers,
    body,
  }
  recorded.push(answer)
  if (doc === undefined) doc = await (await gateway("/openapi.json")).json()
  expect(answerProblems(doc, answer, { closed: true })).toEqual([])
  return answer
}

type Init = Parameters<typeof gateway>[1]

const call = async (path: string, init: Init = {}) =>
  record(
    await gateway(path, init),
    init?.method ?? (init?.json !== undefined ? "POST" : "GET"),
    path,
  )

const alpha = TOKENS.alpha
const tts = { phoneNumbers: "06 12 34 56 78", text: "Bonjour" }

/** With other bindings (a fresh object: the configuration is cached per env). */
const withBindings = async (bindings: Record<string, string>, path: string, init: RequestInit) => {
  const ctx = createExecutionContext()
  const response = await app.request(
    `http://gateway.test${path}`,
    init,
    { ...env, ...bindings },
    ctx,
  )
  await waitOnExecutionContext(ctx)
  return record(response, init.method ?? "GET", path)
}

afterAll(() => {
  // What this file proved, by operation and status (printed for the report).
  const seen = [...new Set(recorded.map((a) => `${a.method} ${a.path} ${a.status}`))]
  expect(seen.length).toBeGreaterThan(30)
})

describe("every answer matches the document", () => {
  it("meta routes", async () => {
    expect((await call("/health")).status).toBe(200)
    expect((await call("/openapi.json")).status).toBe(200)
    expect((await call("/health", { method: "POST" })).status).toBe(405)
  })

  it("voice SMS: sent, warned, replayed, refused every way", async () => {
    expect((await call("/v1/tts/send", { token: alpha, json: tts })).status).toBe(200)
    const warned = await call("/v1/tts/send", {
      token: alpha,
      json: { phoneNumbers: ["612345678", "0612345678"], text: "Bonjour", speechRate: 9 },
    })
    expect(warned.status).toBe(200)
    expect((warned.body as { warnings: Array<unknown> }).warnings.length).toBeGreaterThan(0)
    const keyed = { token: alpha, headers: { "idempotency-key": "k-1" }, json: tts }
    expect((await call("/v1/tts/send", keyed)).status).toBe(200)
    const replay = await call("/v1/tts/send", keyed)
    expect(replay.headers.get("idempotent-replayed")).toBe("true")
    const reused = await call("/v1/tts/send", { ...keyed, json: { ...tts, text: "Autre" } })
    expect(reused.status).toBe(422)
    const badKey = { token: alpha, headers: { "idempotency-key": "a b" }, json: tts }
    expect((await call("/v1/tts/send", badKey)).status).toBe(400)
    expect((await call("/v1/tts/send", { token: alpha, json: { text: "x" } })).status).toBe(400)
    const notJson = await call("/v1/tts/send", { token: alpha, method: "POST", body: "{" })
    expect(notJson.status).toBe(400)
    expect((await call("/v1/tts/send", { token: "nope", json: tts })).status).toBe(401)
    expect((await call("/v1/tts/send", { json: tts })).status).toBe(401)
    expect((await call("/v1/tts/send", { token: TOKENS.reader, json: tts })).status).toBe(403)
    expect((await call("/v1/tts/send", { token: alpha })).status).toBe(405)
    const big = { ...tts, text: `Bonjour ${"a".repeat(300_000)}` }
    expect((await call("/v1/tts/send", { token: alpha, json: big })).status).toBe(413)
    const unknownAudio = { phoneNumbers: "0612345678", tokenAudio: "no-such-audio" }
    expect((await call("/v1/tts/send", { token: alpha, json: unknownAudio })).status).toBe(404)
    h.upstream.setCredit(0)
    expect((await call("/v1/tts/send", { token: alpha, json: tts })).status).toBe(402)
  })

  it("409 while the same key is in flight", async () => {
    h.upstream.setFaults({ latencyMs: 300 })
    const init = { token: alpha, headers: { "idempotency-key": "k-slow" }, json: tts }
    const first = gateway("/v1/tts/send", init)
    await new Promise((r) => setTimeout(r, 100))
    const second = await call("/v1/tts/send", init)
    expect(second.status).toBe(409)
    expect((await record(await first, "POST", "/v1/tts/send")).status).toBe(200)
  })

  it("voicemail drops: sent, then 429 over quota", async () => {
    const statuses: Array<number> = []
    for (let i = 0; i < 6; i++)
      statuses.push(
        (await call("/v1/campaign/send", { token: alpha, json: dropBody(`061234567${i}`) })).status,
      )
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429])
  })

  it("account routes, drop-in routes and the campaign view", async () => {
    expect((await call("/v1/me", { token: alpha })).status).toBe(200)
    expect((await call(`/v1/me/${alpha}`)).status).toBe(200)
    expect((await call("/v1/audios", { token: alpha })).status).toBe(200)
    expect((await call(`/v1/audios/${alpha}`)).status).toBe(200)
    expect((await call("/v1/me", { token: TOKENS.beta, method: "DELETE" })).status).toBe(405)
    const rename = { tokenAudio: "dev-audio", filename: "Rappel RDV" }
    expect((await call("/v1/audio-file/rename", { token: alpha, json: rename })).status).toBe(200)
    const short = { tokenAudio: "dev-audio", filename: "ab" }
    expect((await call("/v1/audio-file/rename", { token: alpha, json: short })).status).toBe(400)
    const cancel = { token: alpha, method: "DELETE" }
    expect((await call("/v1/campaign/cancel/NDA_1", cancel)).status).toBe(404)
    expect((await call(`/v1/campaign/cancel/${alpha}/NDA_1`, { method: "DELETE" })).status).toBe(
      404,
    )
    expect((await call("/v1/campaign/cancel/a%20b%3F", cancel)).status).toBe(400)
    const sent = await call("/v1/tts/send", { token: alpha, json: tts })
    const id = (sent.body as { campaignId: string }).campaignId
    expect((await call(`/v1/campaigns/${id}`, { token: alpha })).status).toBe(200)
    expect((await call(`/v1/campaigns/${id}`, { token: TOKENS.beta })).status).toBe(404)
    expect((await call("/v1/campaigns/a%20b", { token: alpha })).status).toBe(400)
  })

  it("callbacks on a URL the gateway did not sign", async () => {
    const path = "/callbacks/alpha/s/9999999999/-/forged"
    expect((await call(path)).status).toBe(401)
    expect((await call(path, { json: { campaignId: "x" } })).status).toBe(401)
  })

  it("broadcasts (JSON): planned, created, listed, shown, paged, reported, refused", async () => {
    const body = {
      type: "voicemail",
      message: { tokenAudio: "dev-audio", emailForNotification: "ops@example.com" },
      recipients: ["0612345678", "0123456789", "nope", "", "06 12 34 56 78"],
    }
    const dry = await call("/v1/broadcasts", { token: alpha, json: { ...body, dryRun: true } })
    expect(dry.status).toBe(200)
    expect(dry.body).toMatchObject({
      dryRun: true,
      plan: {
        recipients: { total: 5, valid: 2, duplicates: 1, empty: 1, invalidCount: 1 },
        estimatedCost: { currency: "EUR", estimate: true, secondsPerMessage: null },
      },
    })
    const bad = await call("/v1/broadcasts", { token: alpha, json: { ...body, type: "sms" } })
    expect(bad.status).toBe(400)
    const tts = await call("/v1/broadcasts", {
      token: alpha,
      json: {
        type: "tts",
        message: { text: "Bonjour, à demain", speechRate: 3 },
        recipients: ["0612345678"],
        dryRun: true,
      },
    })
    expect(tts.status).toBe(200)
    expect((tts.body as { plan: { warnings: Array<unknown> } }).plan.warnings).not.toEqual([])
    const created = await call("/v1/broadcasts", {
      token: alpha,
      json: { ...body, recipients: ["0612345678"], name: "Rappels" },
    })
    expect(created.status).toBe(201)
    const id = (created.body as { id: string }).id
    await runDurableObjectAlarm(env.BROADCASTS.get(env.BROADCASTS.idFromName(id)))
    expect((await call("/v1/broadcasts", { token: alpha })).status).toBe(200)
    expect((await call("/v1/broadcasts?limit=1", { token: alpha })).status).toBe(200)
    const shown = await call(`/v1/broadcasts/${id}`, { token: alpha })
    expect(shown.status).toBe(200)
    expect(shown.body).toMatchObject({ chunks: { sent: 1 }, cost: { currency: "EUR" } })
    expect((await call(`/v1/broadcasts/${id}`, { token: TOKENS.beta })).status).toBe(404)
    expect((await call(`/v1/broadcasts/${newBroadcastId()}`, { token: alpha })).status).toBe(404)
    const page = await call(`/v1/broadcasts/${id}/recipients`, { token: alpha })
    expect(page.status).toBe(200)
    expect(page.body).toMatchObject({ recipients: [{ row: 1, status: "sent" }] })
    const filtered = `/v1/broadcasts/${id}/recipients?status=failed&limit=10`
    expect((await call(filtered, { token: alpha })).status).toBe(200)
    const badStatus = `/v1/broadcasts/${id}/recipients?status=done`
    expect((await call(badStatus, { token: alpha })).status).toBe(400)
    const report = await call(`/v1/broadcasts/${id}/report.csv`, { token: alpha })
    expect(report.status).toBe(200)
    expect(report.headers.get("content-disposition")).toContain(`${id}.csv`)
    expect((await call("/v1/broadcasts?limit=0", { token: alpha })).status).toBe(400)
    expect((await call("/v1/broadcasts", { token: TOKENS.reader })).status).toBe(403)
    expect((await call("/v1/broadcasts", { token: alpha, method: "DELETE" })).status).toBe(405)
  })

  it("broadcasts: paused, resumed, cancelled, finished; retried", async () => {
    const later = new Date(Date.now() + 3_600_000).toISOString()
    const body = {
      type: "tts",
      message: { text: "Bonjour" },
      recipients: ["0612345678", "0612345679"],
      startAt: later,
      notifyUrl: "https://hooks.test/broadcast",
    }
    const created = await call("/v1/broadcasts", {
      token: alpha,
      json: body,
      headers: { "idempotency-key": "bc-1" },
    })
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({ status: "scheduled" })
    const replayed = await call("/v1/broadcasts", {
      token: alpha,
      json: body,
      headers: { "idempotency-key": "bc-1" },
    })
    expect(replayed.headers.get("idempotent-replayed")).toBe("true")
    const reused = await call("/v1/broadcasts", {
      token: alpha,
      json: { ...body, name: "Autre" },
      headers: { "idempotency-key": "bc-1" },
    })
    expect(reused.status).toBe(422)
    const id = (created.body as { id: string }).id
    const paused = await call(`/v1/broadcasts/${id}/pause`, { token: alpha, method: "POST" })
    expect(paused.status).toBe(200)
    expect(paused.body).toMatchObject({
      status: "paused",
      pauseReason: { code: "PAUSED_BY_CLIENT" },
    })
    expect((await call("/v1/broadcasts", { token: alpha })).status).toBe(200)
    const resumed = await call(`/v1/broadcasts/${id}/resume`, { token: alpha, method: "POST" })
    expect(resumed.status).toBe(200)
    const cancelled = await call(`/v1/broadcasts/${id}/cancel`, { token: alpha, method: "POST" })
    expect(cancelled.body).toMatchObject({ status: "cancelled" })
    const again = await call(`/v1/broadcasts/${id}/pause`, { token: alpha, method: "POST" })
    expect(again.status).toBe(409)
    const nothing = await call(`/v1/broadcasts/${id}/retry`, { token: alpha, method: "POST" })
    expect(nothing.status).toBe(409)
    const badFlag = `/v1/broadcasts/${id}/retry?includeUnknown=yes`
    expect((await call(badFlag, { token: alpha, method: "POST" })).status).toBe(400)
    // A chunk the upstream refused (marked by hand: the emulator refuses none of these).
    await runInDurableObject(
      env.BROADCASTS.get(env.BROADCASTS.idFromName(id)),
      (_instance, state: DurableObjectState) => {
        state.storage.sql.exec(
          "UPDATE chunks SET state = 'failed', error_code = 'DESTINATION_INVALID', error = 'refused'",
        )
      },
    )
    const failed = await call(`/v1/broadcasts/${id}/recipients?status=failed`, { token: alpha })
    expect((failed.body as { recipients: Array<unknown> }).recipients).toEqual([
      expect.objectContaining({ row: 1, status: "failed", error: "refused" }),
      expect.objectContaining({ row: 2, status: "failed", error: "refused" }),
    ])
    const retried = await call(`/v1/broadcasts/${id}/retry?includeUnknown=false`, {
      token: alpha,
      method: "POST",
    })
    expect(retried.status).toBe(201)
    expect(retried.body).toMatchObject({ retryOf: id, plan: { recipients: { valid: 2 } } })
    const retry = (retried.body as { id: string }).id
    expect((await call(`/v1/broadcasts/${retry}`, { token: alpha })).body).toMatchObject({
      retryOf: id,
    })
    const unknown = `/v1/broadcasts/${newBroadcastId()}/cancel`
    expect((await call(unknown, { token: alpha, method: "POST" })).status).toBe(404)
  })

  it("broadcasts (CSV upload): the request is one the document describes, the answers too", async () => {
    const csv = async (query: Record<string, string>, text: string, type = "text/csv") => {
      const url = `/v1/broadcasts?${new URLSearchParams(query)}`
      const request: RecordedRequest = { method: "POST", url, contentType: type, body: text }
      const a = await record(
        await gateway(url, {
          token: alpha,
          method: "POST",
          headers: { "content-type": type },
          body: text,
        }),
        "POST",
        url,
      )
      if (a.status < 400) expect(requestProblems(doc, request)).toEqual([])
      return a
    }
    const file =
      "Nom;Téléphone portable\r\nDupont;06 12 34 56 78\r\nDurand;01 23 45 67 89\r\n;\r\nBernard;12\r\n"
    const voicemail = {
      type: "voicemail",
      tokenAudio: "dev-audio",
      emailForNotification: "ops@example.com",
    }
    const dry = await csv({ ...voicemail, dryRun: "true" }, file)
    expect(dry.status).toBe(200)
    expect(dry.body).toMatchObject({
      plan: {
        recipients: { total: 4, valid: 2, empty: 1, invalid: [{ row: 5, input: "12" }] },
        warnings: [{ field: "body" }],
      },
    })
    const tts = await csv(
      { type: "tts", text: "Bonjour", lang: "fr", speechRate: "1.5", column: "2", dryRun: "true" },
      file,
      "application/csv; charset=utf-8",
    )
    expect(tts.status).toBe(200)
    expect(tts.body).toMatchObject({ plan: { estimatedCost: { secondsPerMessage: 1 } } })
    const created = await csv({ ...voicemail, name: "Relance", column: "Téléphone portable" }, file)
    expect(created.status).toBe(201)
    expect(created.headers.get("location")).toBe(
      `/v1/broadcasts/${(created.body as { id: string }).id}`,
    )
    expect((await csv({ ...voicemail, colour: "blue" }, file)).status).toBe(400)
    expect((await csv({ type: "voicemail", tokenAudio: "dev-audio" }, file)).status).toBe(400)
    expect((await csv({ ...voicemail, column: "Fax" }, file)).status).toBe(400)
    expect((await csv({ ...voicemail, dryRun: "true" }, "Nom\r\nDupont\r\n")).status).toBe(400)
  })

  it("a gateway that cannot start, and an upstream that refuses connections", async () => {
    const misconfigured = await withBindings({ CALLBACK_SIGNING_KEY: "short" }, "/v1/me", {
      headers: { authorization: `Bearer ${alpha}` },
    })
    expect(misconfigured.status).toBe(500)
    const down = await withBindings(
      { VOICEPARTNER_BASE_URL: "http://127.0.0.1:1/v1" },
      "/v1/tts/send",
      {
        method: "POST",
        headers: { authorization: `Bearer ${alpha}`, "content-type": "application/json" },
        body: JSON.stringify(tts),
      },
    )
    expect(down.status).toBe(502)
  })
})
