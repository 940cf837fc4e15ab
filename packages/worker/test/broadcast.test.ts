// Broadcasts run by their Durable Object, in workerd: the alarm loop driven with
// runDurableObjectAlarm, time for the quota made to pass by ageing the quota object's and
// the emulator's logs (the test Worker's policy is the documented 5 drops a minute, of
// which broadcasts share 4: single sends keep a reserve).
import {
  abortAllDurableObjects,
  env,
  evictDurableObject,
  runDurableObjectAlarm,
  runInDurableObject,
} from "cloudflare:test"
import { describe, expect, it } from "vitest"
import { accountQuota, answer, broadcastStub, gateway, passTime, useHarness } from "./harness.js"
import { TOKENS } from "./testEnv.js"

const h = useHarness()

const stub = broadcastStub

/** Runs the client's ledger alarm until no webhook delivery is due now. */
const flushLedger = async (client: string) => {
  const ledger = env.LEDGER.get(env.LEDGER.idFromName(client))
  for (let i = 0; i < 20 && (await runDurableObjectAlarm(ledger)); i++);
}

/** The broadcast events the client's webhook received, of one type. */
const events = (type: string) =>
  h.hooks
    .map((hook) => JSON.parse(hook.body) as { type: string; data: Record<string, unknown> })
    .filter((e) => e.type === type)

const voicemail = (recipients: ReadonlyArray<string>, extra: Record<string, unknown> = {}) => ({
  type: "voicemail",
  message: { tokenAudio: "dev-audio", emailForNotification: "ops@example.com" },
  recipients,
  ...extra,
})

const create = async (body: unknown, token = TOKENS.alpha, headers: Record<string, string> = {}) =>
  answer(await gateway("/v1/broadcasts", { token, json: body, headers }))

const summary = async (id: string, token = TOKENS.alpha) =>
  answer(await gateway(`/v1/broadcasts/${id}`, { token }))

const post = async (path: string, token = TOKENS.alpha) =>
  answer(await gateway(path, { token, method: "POST" }))

/** Distinct French mobiles `06 00 00 00 00` + i, E.164. */
const mobile = (i: number) => `+336${String(i).padStart(8, "0")}`

/**
 * Runs the broadcast's alarm until it is no longer running (bounded); when a round made
 * no progress (the quota's next slot is a minute away), a minute passes.
 */
const drive = async (id: string, rounds = 40) => {
  let last = -1
  for (let i = 0; i < rounds; i++) {
    const s = (await summary(id)).json
    if (s.status !== "running" && s.status !== "scheduled") return s
    const done = s.chunks.sent + s.chunks.failed + s.chunks.unknown
    if (done === last) await passTime(h, 61_000, id)
    last = done
    if (!(await runDurableObjectAlarm(stub(id)))) await new Promise((r) => setTimeout(r, 20))
  }
  throw new Error(`broadcast ${id} did not finish in ${rounds} rounds`)
}

const drops = () => h.upstream.requests().filter((r) => r.path.endsWith("/campaign/send"))
const numbersOf = (r: { body?: unknown }) =>
  String((r.body as { phoneNumbers: string }).phoneNumbers).split(",")

/**
 * 2,600 rows: 2,480 mobiles written four ways, 30 repeats of earlier mobiles (spelt
 * otherwise), 30 unreadable rows, 60 landlines: 2,540 valid, 6 requests.
 */
const mixedList = () => {
  const rows: Array<string> = []
  const expected: Array<string> = []
  let repeats = 0
  let unreadable = 0
  for (let i = 0; i < 2480; i++) {
    const national = `06${String(i).padStart(8, "0")}`
    const spelt = [
      national.replace(/(\d\d)(?=\d)/g, "$1 "),
      `+33${national.slice(1)}`,
      `0033 ${national.slice(1)}`,
      national.slice(1),
    ][i % 4] as string
    rows.push(spelt)
    expected.push(mobile(i))
    if (i % 80 === 40 && repeats++ < 30) rows.push(mobile(i - 40))
    if (i % 80 === 20 && unreadable++ < 30)
      rows.push(["12", "abc", "06 12", "+33 6"][i % 4] as string)
  }
  for (let i = 0; i < 60; i++) {
    rows.push(`01${String(i).padStart(8, "0")}`)
    expected.push(`+331${String(i).padStart(8, "0")}`)
  }
  return { rows, expected }
}

describe("broadcasts", () => {
  it("sends a 2,600-row voicemail broadcast in exactly 6 requests, every valid number once", async () => {
    const { rows, expected } = mixedList()
    expect(rows).toHaveLength(2600)
    h.upstream.setCredit(10_000)
    const created = await create(voicemail(rows, { name: "Relance" }))
    expect(created.status).toBe(201)
    const { plan } = created.json
    expect(plan.recipients.total).toBe(rows.length)
    expect(plan.recipients.valid).toBe(expected.length)
    expect(plan.recipients.landline).toBe(60)
    expect(plan.recipients.mobile).toBe(2480)
    expect(plan.recipients.duplicates).toBe(30)
    expect(plan.recipients.invalidCount).toBe(30)
    expect(plan.recipients.invalid).toHaveLength(30)
    expect(plan.recipients.invalid[0]).toMatchObject({
      row: expect.any(Number),
      input: expect.any(String),
    })
    expect(plan.requests).toBe(6)
    expect(plan.warnings.map((w: { field: string }) => w.field)).toContain("recipients")

    const done = await drive(created.json.id)
    expect(done.status).toBe("completed")
    expect(done.chunks).toMatchObject({ total: 6, sent: 6, failed: 0, unknown: 0, pending: 0 })
    expect(drops()).toHaveLength(6)
    expect(drops().every((r) => r.status === 200)).toBe(true)
    const sent = drops().flatMap(numbersOf)
    expect(sent).toHaveLength(expected.length)
    expect(new Set(sent)).toEqual(new Set(expected))
    expect(done.cost.amount).toBeCloseTo(expected.length * 0.06, 2)

    // The provider's campaign-level callbacks reach each chunk's send in the ledger.
    await h.upstream.runDue()
    const after = (await summary(created.json.id)).json
    const undelivered = expected.filter((n) => n.endsWith("99") || n.endsWith("98")).length
    expect(after.delivery).toEqual({
      delivered: expected.length - undelivered,
      undelivered,
      pending: 0,
    })

    const page = await answer(
      await gateway(`/v1/broadcasts/${created.json.id}/recipients?limit=1000&status=sent`, {
        token: TOKENS.alpha,
      }),
    )
    expect(page.json.recipients).toHaveLength(1000)
    expect(page.json.recipients[0]).toMatchObject({
      row: 1,
      phoneNumber: mobile(0),
      status: "sent",
    })
    expect(page.json.nextCursor).toBe(String(page.json.recipients[999].row))

    const csv = await gateway(`/v1/broadcasts/${created.json.id}/report.csv`, {
      token: TOKENS.alpha,
    })
    expect(csv.headers.get("content-type")).toContain("text/csv")
    const lines = (await csv.text()).trim().split("\r\n")
    expect(lines[0]).toBe("row,phone_number,kind,chunk,outcome,campaign_id,delivery,error")
    expect(lines).toHaveLength(expected.length + 1)
    expect(lines[1]).toMatch(/^1,\+33600000000,mobile,0,sent,NDA_/)
  })

  it("pauses on NOT_CREDIT with the reason, and completes after resume", async () => {
    // 100 EUR of credit: three chunks of 500 drops at 0.06 EUR, not the fourth.
    const created = await create(voicemail(Array.from({ length: 1800 }, (_, i) => mobile(i))))
    expect(created.status).toBe(201)
    const paused = await drive(created.json.id)
    expect(paused.status).toBe("paused")
    expect(paused.pauseReason).toMatchObject({ code: "NOT_CREDIT" })
    expect(paused.chunks).toMatchObject({ sent: 3, pending: 1, failed: 0, unknown: 0 })
    // Paused: no alarm sends anything.
    await runDurableObjectAlarm(stub(created.json.id))
    expect(drops()).toHaveLength(4)
    // The client's webhook is told, once, with the reason.
    await flushLedger("alpha")
    const pausedEvents = events("broadcast.paused")
    expect(pausedEvents).toHaveLength(1)
    expect(pausedEvents[0]?.data).toMatchObject({
      broadcastId: created.json.id,
      reason: { code: "NOT_CREDIT" },
    })

    h.upstream.setCredit(1_000)
    const resumed = await post(`/v1/broadcasts/${created.json.id}/resume`)
    expect(resumed.status).toBe(200)
    expect(resumed.json.status).toBe("running")
    expect(resumed.json.pauseReason).toBeNull()
    const done = await drive(created.json.id)
    expect(done.status).toBe("completed")
    expect(done.chunks).toMatchObject({ sent: 4, pending: 0 })
    const accepted = drops()
      .filter((r) => r.status === 200)
      .flatMap(numbersOf)
    expect(accepted).toHaveLength(1800)
    expect(new Set(accepted).size).toBe(1800)
    await flushLedger("alpha")
    expect(events("broadcast.completed")).toHaveLength(1)
    expect(events("broadcast.paused")).toHaveLength(1)
  })

  it("never resends a chunk found in flight after a restart: it is unknown", async () => {
    const startAt = new Date(Date.now() + 3_600_000).toISOString()
    const created = await create(
      voicemail(
        Array.from({ length: 700 }, (_, i) => mobile(i)),
        { startAt },
      ),
    )
    expect(created.json.status).toBe("scheduled")
    const id = created.json.id as string
    // As if chunk 0 had left and the object died before its answer.
    await runInDurableObject(stub(id), (_instance, state: DurableObjectState) => {
      state.storage.sql.exec("UPDATE broadcast SET status = 'running', start_at = NULL")
      state.storage.sql.exec(
        "UPDATE chunks SET state = 'in_flight', send_id = 'lost-send-0', started_at = ? WHERE idx = 0",
        Date.now(),
      )
    })
    await abortAllDurableObjects()
    const done = await drive(id)
    expect(done.status).toBe("completed")
    expect(done.chunks).toMatchObject({ total: 2, sent: 1, unknown: 1, pending: 0 })
    expect(drops()).toHaveLength(1)
    expect(numbersOf(drops()[0] as { body?: unknown })).toEqual(
      Array.from({ length: 200 }, (_, i) => mobile(500 + i)),
    )
    const unknown = await answer(
      await gateway(`/v1/broadcasts/${id}/recipients?status=unknown&limit=1000`, {
        token: TOKENS.alpha,
      }),
    )
    expect(unknown.json.recipients).toHaveLength(500)
    expect(unknown.json.recipients[0].error).toContain("may have been sent")
    // The ledger knows the lost send: its callbacks would bind to it.
    const lost = await answer(await gateway("/v1/campaigns/lost-send-0", { token: TOKENS.alpha }))
    expect(lost.json.send).toMatchObject({ outcome: "unknown", recipients: 500 })
  })

  it("pauses, resumes and cancels before the next chunk, never during one", async () => {
    // Broadcasts share 4 drops a minute (single sends keep 1): two taken, so chunks 0 and 1
    // can go this minute, chunk 2 would wait for the quota.
    const quota = await accountQuota()
    await runInDurableObject(quota, (_instance, state: DurableObjectState) => {
      for (let i = 0; i < 2; i++)
        state.storage.sql.exec(
          "INSERT INTO admissions (endpoint, at) VALUES ('campaign/send', ?)",
          Date.now(),
        )
    })
    await evictDurableObject(quota)
    const startAt = new Date(Date.now() + 3_600_000).toISOString()
    const created = await create(
      voicemail(
        Array.from({ length: 1200 }, (_, i) => mobile(i)),
        { startAt },
      ),
    )
    const id = created.json.id as string

    const pausedEarly = await post(`/v1/broadcasts/${id}/pause`)
    expect(pausedEarly.json).toMatchObject({
      status: "paused",
      pauseReason: { code: "PAUSED_BY_CLIENT" },
    })
    // Resumed before its startAt: scheduled again.
    expect((await post(`/v1/broadcasts/${id}/resume`)).json.status).toBe("scheduled")
    await runInDurableObject(stub(id), (_instance, state: DurableObjectState) => {
      state.storage.sql.exec("UPDATE broadcast SET start_at = ?", Date.now() - 1)
    })
    await runDurableObjectAlarm(stub(id))
    expect(drops()).toHaveLength(1)
    expect((await post(`/v1/broadcasts/${id}/pause`)).json.status).toBe("paused")
    expect(await runDurableObjectAlarm(stub(id))).toBe(false)
    expect(drops()).toHaveLength(1)

    expect((await post(`/v1/broadcasts/${id}/resume`)).json.status).toBe("running")
    await runDurableObjectAlarm(stub(id))
    expect(drops()).toHaveLength(2)
    const cancelled = await post(`/v1/broadcasts/${id}/cancel`)
    expect(cancelled.json).toMatchObject({ status: "cancelled", chunks: { sent: 2, pending: 1 } })
    await passTime(h, 61_000)
    await runDurableObjectAlarm(stub(id))
    expect(drops()).toHaveLength(2)
    for (const action of ["resume", "pause"]) {
      const refused = await post(`/v1/broadcasts/${id}/${action}`)
      expect(refused.status).toBe(409)
      expect(refused.json.error.code).toBe("BROADCAST_FINISHED")
    }
    expect((await post(`/v1/broadcasts/${id}/cancel`)).status).toBe(200)
  })

  it("retries failed chunks (and unknown ones only when asked) as a new broadcast, once", async () => {
    h.upstream.setCredit(1_000)
    // The second send answers 500: its outcome is unknown.
    h.upstream.setFaults({ failSends: [2], failStatus: 500 })
    const created = await create(voicemail(Array.from({ length: 1300 }, (_, i) => mobile(i))))
    const id = created.json.id as string
    const done = await drive(id)
    expect(done.chunks).toMatchObject({ sent: 2, unknown: 1 })
    // A refused chunk (the emulator refuses none of these numbers): marked failed by hand.
    const sentIdx = await runInDurableObject(stub(id), (_instance, state: DurableObjectState) => {
      const idx = state.storage.sql
        .exec<{ idx: number }>(
          "SELECT idx FROM chunks WHERE state = 'sent' ORDER BY idx DESC LIMIT 1",
        )
        .one().idx
      state.storage.sql.exec(
        "UPDATE chunks SET state = 'failed', error_code = 'DESTINATION_INVALID' WHERE idx = ?",
        idx,
      )
      return idx
    })
    h.upstream.setFaults({})
    const before = drops().length

    const retried = await post(`/v1/broadcasts/${id}/retry`)
    expect(retried.status).toBe(201)
    expect(retried.json.retryOf).toBe(id)
    const failedSize = sentIdx === 2 ? 300 : 500
    expect(retried.json.plan.recipients.valid).toBe(failedSize)
    expect((await post(`/v1/broadcasts/${id}/retry`)).json.error.code).toBe("NOTHING_TO_RETRY")
    const withUnknown = await post(`/v1/broadcasts/${id}/retry?includeUnknown=true`)
    expect(withUnknown.status).toBe(201)
    expect(withUnknown.json.plan.recipients.valid).toBe(500)

    await passTime(h, 61_000)
    expect((await drive(retried.json.id)).status).toBe("completed")
    await passTime(h, 61_000)
    expect((await drive(withUnknown.json.id)).status).toBe("completed")
    const resent = drops().slice(before).flatMap(numbersOf)
    expect(resent).toHaveLength(failedSize + 500)
    expect(new Set(resent).size).toBe(failedSize + 500)
  })

  it("sends a voice SMS broadcast: per-number delivery, callbacks forwarded to its notifyUrl", async () => {
    const created = await create({
      type: "tts",
      message: { text: "Bonjour, votre colis arrive demain" },
      recipients: ["06 12 34 56 01", "06 12 34 56 02", "06 12 34 56 99"],
      notifyUrl: "http://hooks.test/broadcast",
    })
    expect(created.status).toBe(201)
    const id = created.json.id as string
    expect((await drive(id)).status).toBe("completed")
    const upstream = h.upstream.requests().filter((r) => r.path.endsWith("/tts/send"))
    expect(upstream).toHaveLength(1)
    expect(upstream[0]?.body).toMatchObject({
      text: "Bonjour, votre colis arrive demain",
      lang: "fr",
    })
    await h.upstream.runDue()
    const shown = (await summary(id)).json
    expect(shown.delivery).toEqual({ delivered: 2, undelivered: 1, pending: 0 })
    const page = await answer(
      await gateway(`/v1/broadcasts/${id}/recipients`, { token: TOKENS.alpha }),
    )
    expect(page.json.recipients.map((r: { delivery: string }) => r.delivery)).toEqual([
      "delivered",
      "delivered",
      "undelivered",
    ])
    await flushLedger("alpha")
    // The three statuses and the broadcast's own events all go to its notifyUrl.
    expect(new Set(h.hooks.map((hook) => hook.url))).toEqual(
      new Set(["http://hooks.test/broadcast"]),
    )
    expect(events("tts.status")).toHaveLength(3)
    expect(events("broadcast.completed")).toHaveLength(1)
  })
})
