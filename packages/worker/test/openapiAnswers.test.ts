// Real answers of every route and status the workerd harness can produce, checked
// against the document the gateway serves: the status is documented for the operation,
// the body matches its schema, and each gateway field it carries is a documented header.

import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test"
import { afterAll, describe, expect, it } from "vitest"
import { app } from "../src/app.js"
import { answerProblems, type RecordedAnswer } from "../src/openapi/conformance.js"
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
  expect(answerProblems(doc, answer)).toEqual([])
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

  it("broadcasts", async () => {
    const body = {
      type: "voicemail",
      message: { tokenAudio: "dev-audio", emailForNotification: "ops@example.com" },
      recipients: ["0612345678", "0123456789", "nope"],
    }
    const dry = await call("/v1/broadcasts", { token: alpha, json: { ...body, dryRun: true } })
    expect(dry.status).toBe(200)
    const bad = await call("/v1/broadcasts", { token: alpha, json: { ...body, type: "sms" } })
    expect(bad.status).toBe(400)
    const plan = await call("/v1/broadcasts", {
      token: alpha,
      json: { ...body, recipients: ["0612345678", "0123456789"], dryRun: true },
    })
    expect(plan.status).toBe(200)
    const created = await call("/v1/broadcasts", {
      token: alpha,
      json: { ...body, recipients: ["0612345678"], name: "Rappels" },
    })
    expect(created.status).toBe(201)
    const id = (created.body as { id: string }).id
    expect((await call("/v1/broadcasts", { token: alpha })).status).toBe(200)
    expect((await call(`/v1/broadcasts/${id}`, { token: alpha })).status).toBe(200)
    expect((await call(`/v1/broadcasts/${id}`, { token: TOKENS.beta })).status).toBe(404)
    expect((await call(`/v1/broadcasts/${id}/recipients`, { token: alpha })).status).toBe(200)
    expect((await call(`/v1/broadcasts/${id}/report.csv`, { token: alpha })).status).toBe(200)
    expect((await call("/v1/broadcasts?limit=0", { token: alpha })).status).toBe(400)
    expect((await call("/v1/broadcasts", { token: TOKENS.reader })).status).toBe(403)
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
