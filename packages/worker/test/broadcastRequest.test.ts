// POST /v1/broadcasts before anything runs: validation, dry runs, Idempotency-Key,
// ownership and listing. Alarms are not driven here: each broadcast starts an hour ahead.
import { env, listDurableObjectIds } from "cloudflare:test"
import { describe, expect, it } from "vitest"
import { answer, gateway, useHarness } from "./harness.js"
import { TOKENS } from "./testEnv.js"

const h = useHarness()

const later = () => new Date(Date.now() + 3_600_000).toISOString()
const mobile = (i: number) => `+336${String(i).padStart(8, "0")}`
const numbers = (n: number) => Array.from({ length: n }, (_, i) => mobile(i))

const voicemail = (recipients: ReadonlyArray<string>, extra: Record<string, unknown> = {}) => ({
  type: "voicemail",
  message: { tokenAudio: "dev-audio", emailForNotification: "ops@example.com" },
  recipients,
  startAt: later(),
  ...extra,
})

const create = async (body: unknown, token = TOKENS.alpha, headers: Record<string, string> = {}) =>
  answer(await gateway("/v1/broadcasts", { token, json: body, headers }))

const list = async (query = "", token = TOKENS.alpha) =>
  answer(await gateway(`/v1/broadcasts${query}`, { token }))

describe("POST /v1/broadcasts", () => {
  it("plans a dry run (tts, 20,000 rows: past the app's 256 KB limit) and stores nothing", async () => {
    const rows = [...numbers(19_990), "0123456789", "12", mobile(3)]
    const planned = await create({
      type: "tts",
      message: { text: "Bonjour, votre colis arrive demain", speechRate: 3 },
      recipients: rows,
      dryRun: true,
    })
    expect(planned.status).toBe(200)
    expect(planned.json.plan).toMatchObject({
      recipients: {
        total: 19_993,
        valid: 19_991,
        duplicates: 1,
        mobile: 19_990,
        landline: 1,
        invalidCount: 1,
        invalid: [{ row: 19_992, input: "12" }],
      },
      requests: 40,
    })
    expect(planned.json.plan.warnings).toContainEqual({
      field: "message.speechRate",
      message: expect.stringContaining("clamped"),
    })
    // 40 voice SMS under 2,000 an hour: all at once.
    expect(Math.abs(Date.parse(planned.json.plan.estimatedEndAt) - Date.now())).toBeLessThan(60_000)
    expect(planned.json.id).toBeUndefined()
    expect(await listDurableObjectIds(env.BROADCASTS)).toHaveLength(0)
    expect((await list()).json.broadcasts).toEqual([])
    expect(h.upstream.requests()).toHaveLength(0)
  })

  it("answers 400 naming the field", async () => {
    const objects = (await listDurableObjectIds(env.BROADCASTS)).length
    const cases: Array<[unknown, string]> = [
      [{ ...voicemail(numbers(2)), type: "sms" }, "type"],
      [
        { ...voicemail(numbers(2)), message: { emailForNotification: "ops@example.com" } },
        "message.tokenAudio",
      ],
      [
        { ...voicemail(numbers(2)), message: { tokenAudio: "a", emailForNotification: "nope" } },
        "message.emailForNotification",
      ],
      [
        {
          ...voicemail(numbers(2)),
          message: { tokenAudio: "a", emailForNotification: "o@e.fr", scheduledDate: later() },
        },
        "message.scheduledDate",
      ],
      [voicemail(["12", "abc"]), "recipients"],
      [voicemail("0612345678" as never), "recipients"],
      [{ ...voicemail(numbers(2)), startAt: "2020-01-01T00:00:00Z" }, "startAt"],
      [{ ...voicemail(numbers(2)), notifyUrl: "https://127.0.0.1/hook" }, "notifyUrl"],
      [{ ...voicemail(numbers(2)), startat: later() }, "startat"],
      [{ ...voicemail(numbers(2)), dryRun: "yes" }, "dryRun"],
    ]
    for (const [body, field] of cases) {
      const refused = await create(body)
      expect(refused.status, field).toBe(400)
      expect(refused.json.error.field, JSON.stringify(body).slice(0, 80)).toBe(field)
    }
    const tooMany = await create(voicemail(Array.from({ length: 1_000_001 }, () => "1")))
    expect(tooMany.status).toBe(400)
    expect(tooMany.json.error.field).toBe("recipients")
    expect(tooMany.json.error.message).toContain("1,000,000")
    expect(await listDurableObjectIds(env.BROADCASTS)).toHaveLength(objects)
  })

  it("needs a client token with the broadcasts operation", async () => {
    const anonymous = await gateway("/v1/broadcasts", { json: voicemail(numbers(1)) })
    expect(anonymous.status).toBe(401)
    expect((await create(voicemail(numbers(1)), TOKENS.reader)).status).toBe(403)
  })

  it("honours Idempotency-Key: a replay answers the same broadcast, another body is 422", async () => {
    const headers = { "idempotency-key": "campaign-2026-11" }
    const first = await create(voicemail(numbers(3)), TOKENS.alpha, headers)
    expect(first.status).toBe(201)
    // The same request, numbers spelt otherwise: the same broadcast, replayed.
    const again = await create(
      {
        ...voicemail(["06 00 00 00 00", "0600000001", "+33 6 00 00 00 02"]),
        startAt: first.json.plan.estimatedEndAt,
      },
      TOKENS.alpha,
      headers,
    )
    expect(again.status).toBe(201)
    expect(again.headers.get("idempotent-replayed")).toBe("true")
    expect(again.json.id).toBe(first.json.id)
    const other = await create(voicemail(numbers(4)), TOKENS.alpha, headers)
    expect(other.status).toBe(422)
    expect((await list()).json.broadcasts.map((b: { id: string }) => b.id)).toEqual([first.json.id])
  })

  it("shows a client its own broadcasts only: another client gets 404, never a hint", async () => {
    const mine = await create(voicemail(numbers(2), { name: "mine" }))
    const id = mine.json.id as string
    const shown = await answer(await gateway(`/v1/broadcasts/${id}`, { token: TOKENS.alpha }))
    expect(shown.json).toMatchObject({
      id,
      name: "mine",
      status: "scheduled",
      chunks: { total: 1, pending: 1 },
    })
    const missing = await answer(
      await gateway("/v1/broadcasts/bc_000000000000000000000000", { token: TOKENS.beta }),
    )
    for (const [path, method] of [
      [`/v1/broadcasts/${id}`, "GET"],
      [`/v1/broadcasts/${id}/recipients`, "GET"],
      [`/v1/broadcasts/${id}/report.csv`, "GET"],
      [`/v1/broadcasts/${id}/pause`, "POST"],
      [`/v1/broadcasts/${id}/resume`, "POST"],
      [`/v1/broadcasts/${id}/cancel`, "POST"],
      [`/v1/broadcasts/${id}/retry`, "POST"],
    ] as const) {
      const refused = await answer(await gateway(path, { token: TOKENS.beta, method }))
      expect(refused.status, path).toBe(404)
      expect(refused.json).toEqual(missing.json)
    }
    expect((await list("", TOKENS.beta)).json.broadcasts).toEqual([])
    expect(
      (await answer(await gateway(`/v1/broadcasts/${id}`, { token: TOKENS.alpha }))).json.status,
    ).toBe("scheduled")
  })

  it("lists the client's broadcasts newest first, with a cursor", async () => {
    const ids: Array<string> = []
    for (let i = 0; i < 5; i++) {
      ids.push((await create(voicemail(numbers(1), { name: `b${i}` }))).json.id)
      await new Promise((r) => setTimeout(r, 2))
    }
    const first = await list("?limit=2")
    expect(first.json.broadcasts.map((b: { name: string }) => b.name)).toEqual(["b4", "b3"])
    const second = await list(`?limit=2&cursor=${first.json.nextCursor}`)
    expect(second.json.broadcasts.map((b: { name: string }) => b.name)).toEqual(["b2", "b1"])
    const third = await list(`?limit=2&cursor=${second.json.nextCursor}`)
    expect(third.json.broadcasts.map((b: { id: string }) => b.id)).toEqual([ids[0]])
    expect(third.json.nextCursor).toBeNull()
    expect((await list("?cursor=nope")).json.error.field).toBe("cursor")
    expect((await list("?limit=0")).json.error.field).toBe("limit")
  })

  it("answers another method with 405 and Allow", async () => {
    const id = "bc_000000000000000000000000"
    for (const [path, method, allow] of [
      ["/v1/broadcasts", "DELETE", "POST, GET, HEAD"],
      [`/v1/broadcasts/${id}`, "POST", "GET, HEAD"],
      [`/v1/broadcasts/${id}/pause`, "GET", "POST"],
      [`/v1/broadcasts/${id}/report.csv`, "DELETE", "GET, HEAD"],
    ] as const) {
      const refused = await answer(await gateway(path, { method, token: TOKENS.alpha }))
      expect(refused.status, path).toBe(405)
      expect(refused.headers.get("allow"), path).toBe(allow)
    }
  })
})
