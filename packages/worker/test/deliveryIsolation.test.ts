// One slow webhook destination must not hold back another's events. The ledger is
// driven through its RPC methods (as the callback route does) and its alarms fire on
// their own, as in production; fetch to `slow.test` hangs until its signal aborts.

import { env, runInDurableObject } from "cloudflare:test"
import { afterEach, describe, expect, it, vi } from "vitest"
import type { ClientLedger } from "../src/ledger/ClientLedger.js"
import { ledgerSettings } from "../src/ledger/ledgerSettings.js"
import type { CallbackEvent, SendRecord } from "../src/ledger/ledgerTypes.js"
import { useHarness } from "./harness.js"

const h = useHarness()

const ledger = () => env.LEDGER.get(env.LEDGER.idFromName("alpha"))

const send = (sendId: string, campaignId: string): SendRecord => ({
  sendId,
  endpoint: "tts/send",
  createdAt: Date.now(),
  recipients: 1,
  outcome: "sent",
  status: 200,
  campaignId,
  cost: undefined,
  currency: undefined,
  scheduledDate: undefined,
  error: undefined,
})

const event = (sendId: string, campaignId: string, forwardTo?: string): CallbackEvent => ({
  sendId,
  campaignId,
  phoneNumber: "+33612345601",
  status: "delivered",
  type: "tts.status",
  data: { campaignId, status: "delivered", phoneNumber: "+33612345601", sendId },
  forwardTo,
})

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Polls `done` every 50 ms for at most `ms`; answers whether it became true. */
const eventually = async (done: () => boolean | Promise<boolean>, ms: number) => {
  const until = Date.now() + ms
  while (Date.now() < until) {
    if (await done()) return true
    await sleep(50)
  }
  return done()
}

interface Seen {
  readonly url: string
  readonly redirect: string
  readonly at: number
  settled?: number
}

/** Wraps the harness's fetch: `slow.test` never answers; every request is noted. */
const withSlowDestination = () => {
  const seen: Array<Seen> = []
  const spy = vi.mocked(globalThis.fetch)
  const inner = spy.getMockImplementation()
  if (inner === undefined) throw new Error("the harness mocks fetch")
  spy.mockImplementation(async (input, init) => {
    const request = new Request(input, init)
    const note: Seen = { url: request.url, redirect: request.redirect, at: Date.now() }
    seen.push(note)
    if (new URL(request.url).host !== "slow.test") {
      const response = await inner(input, init)
      note.settled = Date.now()
      return response
    }
    return new Promise<Response>((_resolve, reject) => {
      const signal = request.signal
      signal.addEventListener("abort", () => {
        note.settled = Date.now()
        reject(signal.reason)
      })
    })
  })
  return seen
}

const deliveries = () =>
  runInDurableObject(ledger(), (_instance, state: DurableObjectState) =>
    state.storage.sql
      .exec<{
        url: string
        state: string
        attempts: number
        last_status: number | null
        leased: number
      }>(
        `SELECT url, state, attempts, last_status, lease_until IS NOT NULL AS leased
         FROM deliveries ORDER BY url, event_id`,
      )
      .toArray(),
  )

const toSlow = (seen: ReadonlyArray<Seen>) =>
  seen.filter((s) => s.url.startsWith("http://slow.test"))

describe("webhook delivery isolation", () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it("delivers a healthy webhook's event while another destination hangs; bounds and times out the hanging one", async () => {
    const { webhookTimeoutMs: timeoutMs, webhookConcurrency } = ledgerSettings(env)
    const seen = withSlowDestination()
    const stub = ledger()
    const slowEvents = webhookConcurrency + 2
    for (let i = 0; i < slowEvents; i++) {
      await stub.recordSend("alpha", send(`send-slow-${i}`, `C${i}`))
      await stub.recordEvent("alpha", event(`send-slow-${i}`, `C${i}`, "http://slow.test/hook"))
    }
    await stub.recordSend("alpha", send("send-healthy", "C-healthy"))
    // The alarm fires on its own and starts as many attempts as one destination may have.
    expect(await eventually(() => toSlow(seen).length === webhookConcurrency, 3_000)).toBe(true)
    await sleep(300)
    expect(toSlow(seen)).toHaveLength(webhookConcurrency)
    const recorded = Date.now()
    await stub.recordEvent("alpha", event("send-healthy", "C-healthy"))
    // The healthy webhook gets its event promptly: well before the hanging attempts could
    // have timed out (before this change it waited for them, ~10 s).
    expect(await eventually(() => h.hooks.length === 1, timeoutMs / 2)).toBe(true)
    expect(Date.now() - recorded).toBeLessThan(timeoutMs / 2)
    expect(h.hooks[0]?.url).toBe("http://hooks.test/alpha")
    const first = toSlow(seen)
    expect(first.every((s) => s.settled === undefined)).toBe(true)
    // The hanging attempts are aborted at the per-attempt timeout and scheduled again; the
    // two that waited for room start at once.
    expect(
      await eventually(() => first.every((s) => s.settled !== undefined), timeoutMs + 3_000),
    ).toBe(true)
    for (const s of first)
      expect((s.settled as number) - s.at).toBeGreaterThanOrEqual(timeoutMs - 100)
    expect(await eventually(() => toSlow(seen).length === slowEvents, 2_000)).toBe(true)
    expect(
      await eventually(
        async () =>
          (await deliveries()).filter((d) => d.leased === 0).length === webhookConcurrency + 1,
        2_000,
      ),
    ).toBe(true)
    const rows = await deliveries()
    expect(rows[0]).toEqual({
      url: "http://hooks.test/alpha",
      state: "delivered",
      attempts: 1,
      last_status: 204,
      leased: 0,
    })
    const slow = rows.slice(1)
    expect(
      slow.every((d) => d.state === "pending" && d.attempts === 1 && d.last_status === null),
    ).toBe(true)
    expect(slow.filter((d) => d.leased === 1)).toHaveLength(2)
    for (const s of seen) expect(s.redirect).toBe("manual")
  }, 30_000)

  it("does not follow a redirect: a 3xx is a failed attempt, retried later", async () => {
    const seen = withSlowDestination()
    h.hookStatus = () => 302
    const stub = ledger()
    await stub.recordSend("alpha", send("send-1", "C1"))
    await stub.recordEvent("alpha", event("send-1", "C1"))
    expect(
      await eventually(
        async () =>
          (await deliveries())[0]?.leased === 0 && (await deliveries())[0]?.attempts === 1,
        3_000,
      ),
    ).toBe(true)
    expect(await deliveries()).toEqual([
      {
        url: "http://hooks.test/alpha",
        state: "pending",
        attempts: 1,
        last_status: 302,
        leased: 0,
      },
    ])
    expect(seen.map((s) => [s.url, s.redirect])).toEqual([["http://hooks.test/alpha", "manual"]])
  })

  it("retries a row whose lease ended (its attempt died with the instance), never one still leased", async () => {
    const stub = ledger()
    await stub.recordSend("alpha", send("send-dead", "C1"))
    await stub.recordSend("alpha", send("send-live", "C2"))
    await runInDurableObject(stub, async (instance: ClientLedger, state: DurableObjectState) => {
      const sql = state.storage.sql
      const now = Date.now()
      for (const [id, sendId, lease] of [
        ["evt_dead", "send-dead", now - 1_000],
        ["evt_live", "send-live", now + 60_000],
      ] as const) {
        sql.exec(
          `INSERT INTO events (id, send_id, campaign_id, phone_number, status, type, received_at, data)
           VALUES (?, ?, 'C', '+33612345601', 'delivered', 'tts.status', ?, '{}')`,
          id,
          sendId,
          now - 20_000,
        )
        // As an instance leaves a row it had started to deliver when it was evicted.
        sql.exec(
          `INSERT INTO deliveries (event_id, url, destination, state, attempts, next_at, lease_until)
           VALUES (?, 'http://hooks.test/alpha', 'http://hooks.test', 'pending', 1, ?, ?)`,
          id,
          lease,
          lease,
        )
      }
      await instance.alarm()
    })
    expect(h.hooks.map((hook) => hook.headers.get("webhook-id"))).toEqual(["evt_dead"])
    const rows = await deliveries()
    expect(rows.map((d) => [d.state, d.attempts, d.leased])).toEqual([
      ["delivered", 2, 0],
      ["pending", 1, 1],
    ])
  })
})
