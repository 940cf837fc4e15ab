// A broadcast that runs out of credit, under real `wrangler dev` and the Node emulator: it
// pauses on NOT_CREDIT with the reason, tells the client's webhook (signed), sends nothing
// while paused, and once credit is bought and it is resumed, completes with every valid
// number sent exactly once. A policy of 5 drops per 2 s keeps it to seconds; every wait is
// bounded.
import { verifyWebhook } from "@voicepartner/core/webhooks/standardWebhooks"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  type BroadcastStack,
  clientCall,
  dropsOf,
  numbersOf,
  startBroadcastStack,
  untilBroadcast,
} from "./broadcastStack.js"
import { SECRETS, TOKENS, UPSTREAM_KEY, WEBHOOK_SECRET } from "./stack.js"

const WINDOW_MS = 2_000
// The emulator charges 0.06 EUR per French voicemail drop and refuses a send whose whole
// cost exceeds the credit: 500 numbers are 30 EUR, so 80 EUR pays chunks 0 and 1 (20 EUR
// left) and refuses chunk 2 of the 5.
const START_CREDIT = 80
// What the three chunks left cost (500 + 500 + 300 numbers): exactly enough, so that a
// number charged twice after the resume would show as a second NOT_CREDIT.
const BOUGHT_CREDIT = 78

let stack: BroadcastStack

beforeAll(async () => {
  stack = await startBroadcastStack({
    limit: 5,
    windowMs: WINDOW_MS,
    providerWindowMs: 1_500,
    credits: START_CREDIT,
  })
}, 120_000)

afterAll(async () => {
  await stack?.close()
})

const call = clientCall(() => stack, TOKENS[0] as string)

const mobile = (i: number) => `+336${String(i).padStart(8, "0")}`

const until = (id: string, done: (s: { status: string }) => boolean, timeoutMs: number) =>
  untilBroadcast(call, id, done, timeoutMs)
const drops = () => dropsOf(stack.emulator)

/** The gateway's own events the receiver got for this broadcast, signatures verified. */
const broadcastEvents = async (id: string, type: string) => {
  const events: Array<{ type: string; data: Record<string, unknown> }> = []
  for (const hook of stack.receiver.received) {
    for (const secret of SECRETS) expect(hook.body).not.toContain(secret)
    const event = JSON.parse(hook.body) as { type: string; data: Record<string, unknown> }
    if (event.type !== type || event.data.broadcastId !== id) continue
    // Throws unless signed with the client's secret (Standard Webhooks).
    await verifyWebhook({ secret: WEBHOOK_SECRET, headers: hook.headers, payload: hook.body })
    events.push(event)
  }
  return events
}

/** Those events, once at least one has come (bounded). */
const eventsOnce = async (id: string, type: string, timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const events = await broadcastEvents(id, type)
    if (events.length > 0) return events
    if (Date.now() > deadline) throw new Error(`no ${type} event after ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

/**
 * On failure: `wrangler dev` reloads (a source file changed under it restarts the objects:
 * a chunk in flight then is unknown, as designed) and how the gateway settled each chunk.
 */
const why = () =>
  JSON.stringify({
    reloads: stack.gateway.logs.filter((l) => /Reloading local server|restarted server/.test(l)),
    chunks: stack.gateway.logs.filter((l) => l.includes("broadcast chunk")),
  })

describe("a broadcast out of credit (wrangler dev + emulator + receiver)", () => {
  it("pauses on NOT_CREDIT, sends nothing while paused, completes after credit and resume", async () => {
    // 2,300 distinct mobiles spelt two ways, 23 repeats and 4 unreadable rows: 5 chunks,
    // the last of 300.
    const rows: Array<string> = []
    const expected: Array<string> = []
    for (let i = 0; i < 2300; i++) {
      const national = `06${String(i).padStart(8, "0")}`
      rows.push(i % 2 === 0 ? national : `+33 ${national.slice(1)}`)
      expected.push(mobile(i))
      if (i % 100 === 99) rows.push(mobile(i - 50))
    }
    rows.push("12", "abc", "06 12", "+33 6")
    const created = await call("/v1/broadcasts", {
      body: {
        type: "voicemail",
        name: "Relance crédit",
        message: { tokenAudio: "dev-audio", emailForNotification: "ops@example.com" },
        recipients: rows,
      },
    })
    expect(created.status).toBe(201)
    expect(created.json.plan).toMatchObject({
      recipients: { total: 2327, valid: 2300, duplicates: 23, invalidCount: 4 },
      requests: 5,
    })
    const id = created.json.id as string

    const paused = await until(id, (s) => s.status === "paused", 30_000)
    expect(paused.pauseReason).toMatchObject({ code: "NOT_CREDIT", at: expect.any(String) })
    expect(paused.chunks, why()).toMatchObject({
      total: 5,
      sent: 2,
      pending: 3,
      inFlight: 0,
      failed: 0,
      unknown: 0,
    })
    expect(paused.recipientCounts).toMatchObject({ sent: 1000, pending: 1300 })
    expect(paused.cost.amount).toBeCloseTo(60, 2)
    expect(paused.estimatedEndAt).toBeNull()
    // Two accepted, then the refused chunk 2 (its request went out: the provider said no).
    expect(drops().map((r) => r.status)).toEqual([200, 200, 402])
    const refused = numbersOf(drops()[2] as { body?: unknown })
    expect(refused).toEqual(expected.slice(1000, 1500))

    // The client is told, once, with the reason, signed.
    const [told, ...again] = await eventsOnce(id, "broadcast.paused", 15_000)
    expect(again).toHaveLength(0)
    expect(told?.data).toMatchObject({
      broadcastId: id,
      name: "Relance crédit",
      status: "paused",
      chunks: { sent: 2, pending: 3 },
      reason: { code: "NOT_CREDIT" },
    })

    // Paused: nothing goes out over more than a window, though the quota has room.
    const before = drops().length
    await new Promise((r) => setTimeout(r, WINDOW_MS + 1_000))
    expect(drops()).toHaveLength(before)
    expect((await call(`/v1/broadcasts/${id}`)).json.status).toBe("paused")

    // Credit bought through the emulator's control endpoint, then resumed.
    const bought = await fetch(
      `${stack.emulator.baseUrl.replace(/\/v1$/, "")}/__emulator/credits`,
      {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ credit: BOUGHT_CREDIT }),
      },
    )
    expect(await bought.json()).toMatchObject({ success: true, credit: BOUGHT_CREDIT })
    const resumed = await call(`/v1/broadcasts/${id}/resume`, { method: "POST" })
    expect(resumed.status).toBe(200)
    expect(resumed.json).toMatchObject({ status: "running", pauseReason: null })

    const done = await until(id, (s) => s.status === "completed", 30_000)
    expect(done.chunks, why()).toMatchObject({
      total: 5,
      sent: 5,
      pending: 0,
      inFlight: 0,
      failed: 0,
      unknown: 0,
    })
    expect(done.recipientCounts).toMatchObject({ sent: 2300, pending: 0, failed: 0, unknown: 0 })
    expect(done.cost.amount).toBeCloseTo(2300 * 0.06, 2)
    expect(done.pauseReason).toBeNull()

    // Upstream: the refused chunk went first on resume, then the two others; nothing else.
    expect(drops().map((r) => r.status)).toEqual([200, 200, 402, 200, 200, 200])
    expect(numbersOf(drops()[3] as { body?: unknown })).toEqual(refused)
    const accepted = drops()
      .filter((r) => r.status === 200)
      .flatMap(numbersOf)
    expect(accepted).toHaveLength(2300)
    expect(new Set(accepted).size).toBe(2300)
    expect(new Set(accepted)).toEqual(new Set(expected))
    // Each number charged once: the bought credit is spent to the cent.
    expect(stack.emulator.emulator.snapshot().credits[UPSTREAM_KEY]).toBe(0)

    // Completion is told too; the pause was told only once.
    const completed = await eventsOnce(id, "broadcast.completed", 15_000)
    expect(completed).toHaveLength(1)
    expect(completed[0]?.data).toMatchObject({
      broadcastId: id,
      status: "completed",
      chunks: { total: 5, sent: 5, pending: 0 },
    })
    expect(await broadcastEvents(id, "broadcast.paused")).toHaveLength(1)
  }, 90_000)
})
