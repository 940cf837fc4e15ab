// Records are purged by the ledger's alarm after their retention period; time is
// controlled by moving rows' timestamps into the past, then running the alarm.

import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test"
import { verifyWebhook } from "@voicepartner/core/webhooks/standardWebhooks"
import { describe, expect, it } from "vitest"
import { ClientLedger } from "../src/ledger/ClientLedger.js"
import { ledgerSettings } from "../src/ledger/ledgerSettings.js"
import type { SendRecord } from "../src/ledger/ledgerTypes.js"
import { answer, gateway, useHarness } from "./harness.js"
import { SECRETS, TOKENS } from "./testEnv.js"

const h = useHarness()

const DAY = 86_400_000
const ledger = (client = "alpha") => env.LEDGER.get(env.LEDGER.idFromName(client))

const flush = async (client = "alpha") => {
  for (let i = 0; i < 20 && (await runDurableObjectAlarm(ledger(client))); i++);
}

const sql = <T extends Record<string, SqlStorageValue>>(
  statement: string,
  ...bindings: Array<SqlStorageValue>
) =>
  runInDurableObject(ledger(), (_instance, state: DurableObjectState) =>
    state.storage.sql.exec<T>(statement, ...bindings).toArray(),
  )

const count = async (table: string) =>
  (await sql<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`))[0]?.n

const alarmAt = () =>
  runInDurableObject(ledger(), (_instance, state: DurableObjectState) => state.storage.getAlarm())

const sendTts = async (phoneNumbers = "0612345601") => {
  const sent = await answer(
    await gateway("/v1/tts/send", { token: TOKENS.alpha, json: { phoneNumbers, text: "Bonjour" } }),
  )
  expect(sent.status).toBe(200)
  return sent.headers.get("x-gateway-send-id") as string
}

const record = (sendId: string, createdAt: number, scheduledDate?: string): SendRecord => ({
  sendId,
  endpoint: "tts/send",
  createdAt,
  recipients: 1,
  outcome: "sent",
  status: 200,
  campaignId: `NDA_${sendId}`,
  cost: undefined,
  currency: undefined,
  scheduledDate,
  error: undefined,
})

/** The upstream's wall-clock form (`YYYY-MM-DD HH:MM:00`), here written in UTC. */
const wallClock = (epochMs: number) =>
  `${new Date(epochMs).toISOString().slice(0, 16).replace("T", " ")}:00`

describe("retention", () => {
  it("reads its periods from bindings, defensively", () => {
    expect(ledgerSettings({})).toEqual({
      webhookTimeoutMs: 10_000,
      webhookConcurrency: 4,
      retentionMs: 30 * DAY,
      idempotencyRetentionMs: DAY,
    })
    expect(
      ledgerSettings({
        RETENTION_DAYS: "7",
        IDEMPOTENCY_RETENTION_HOURS: "48",
        WEBHOOK_TIMEOUT: "2.5",
        WEBHOOK_CONCURRENCY: "2",
      }),
    ).toEqual({
      webhookTimeoutMs: 2_500,
      webhookConcurrency: 2,
      retentionMs: 7 * DAY,
      idempotencyRetentionMs: 2 * DAY,
    })
    for (const bad of ["", "-1", "0", "soon", " "])
      expect(ledgerSettings({ RETENTION_DAYS: bad }).retentionMs).toBe(30 * DAY)
  })

  it("purges a send, its events and deliveries 30 days after their last activity, by alarm", async () => {
    const old = await sendTts("0612345601")
    const recent = await sendTts("0612345602")
    await h.upstream.runDue()
    await flush()
    expect(h.hooks).toHaveLength(2)
    expect(await count("events")).toBe(2)
    const past = (days: number) => Date.now() - days * DAY
    // Everything about `old` happened 31 days ago; about `recent`, 29 days ago.
    for (const [sendId, days] of [
      [old, 31],
      [recent, 29],
    ] as const) {
      await sql(
        `UPDATE sends SET created_at = ?, active_at = ? WHERE send_id = ?`,
        past(days),
        past(days),
        sendId,
      )
      await sql(`UPDATE events SET received_at = ? WHERE send_id = ?`, past(days), sendId)
    }
    // Reading does not purge: the alarm does.
    expect((await gateway(`/v1/campaigns/${old}`, { token: TOKENS.alpha })).status).toBe(200)
    expect(await alarmAt()).not.toBeNull()
    await runDurableObjectAlarm(ledger())
    expect((await gateway(`/v1/campaigns/${old}`, { token: TOKENS.alpha })).status).toBe(404)
    const kept = await answer(await gateway(`/v1/campaigns/${recent}`, { token: TOKENS.alpha }))
    expect(kept.json.events).toHaveLength(1)
    expect(await count("sends")).toBe(1)
    expect(await count("events")).toBe(1)
    expect(await count("deliveries")).toBe(1)
    // The next purge is scheduled although no delivery is pending: when `recent` expires.
    const next = (await alarmAt()) as number
    expect(Math.abs(next - (past(29) + 30 * DAY))).toBeLessThan(60_000)
  })

  it("keeps a scheduled send until 30 days after its scheduled date", async () => {
    const stub = ledger()
    const now = Date.now()
    await stub.recordSend("alpha", record("kept", now - 60 * DAY, wallClock(now - 29 * DAY)))
    await stub.recordSend("alpha", record("purged", now - 60 * DAY, wallClock(now - 31 * DAY)))
    await stub.recordSend("alpha", record("future", now - 60 * DAY, wallClock(now + 90 * DAY)))
    await runDurableObjectAlarm(stub)
    expect(
      (await sql<{ send_id: string }>(`SELECT send_id FROM sends ORDER BY send_id`)).map(
        (r) => r.send_id,
      ),
    ).toEqual(["future", "kept"])
  })

  it("purges idempotency keys after 24 h, by alarm, and schedules that purge", async () => {
    const body = { phoneNumbers: "0612345601", text: "Bonjour" }
    const send = () =>
      gateway("/v1/tts/send", {
        token: TOKENS.alpha,
        headers: { "idempotency-key": "k-1" },
        json: body,
      })
    expect((await send()).status).toBe(200)
    expect(await count("idempotency")).toBe(1)
    const created = (await sql<{ created_at: number }>(`SELECT created_at FROM idempotency`))[0]
      ?.created_at as number
    expect(Math.abs(((await alarmAt()) as number) - (created + DAY))).toBeLessThan(60_000)
    await sql(`UPDATE idempotency SET created_at = ?`, Date.now() - DAY - 60_000)
    await runDurableObjectAlarm(ledger())
    expect(await count("idempotency")).toBe(0)
    // The key is free again: the same request is sent anew.
    const again = await send()
    expect(again.headers.get("idempotent-replayed")).toBeNull()
    expect(h.upstream.requests().filter((r) => r.path.endsWith("/tts/send"))).toHaveLength(2)
  })

  it("an expired idempotency key not yet purged is not replayed", async () => {
    const body = { phoneNumbers: "0612345601", text: "Bonjour" }
    const send = () =>
      gateway("/v1/tts/send", {
        token: TOKENS.alpha,
        headers: { "idempotency-key": "k-2" },
        json: body,
      })
    await send()
    await sql(`UPDATE idempotency SET created_at = ?`, Date.now() - DAY - 60_000)
    const again = await send()
    expect(again.headers.get("idempotent-replayed")).toBeNull()
  })
})

describe("a URL disabled by 410", () => {
  it("stays disabled for the same webhook configuration, and is re-enabled by a new secret", async () => {
    h.hookStatus = (n) => (n === 1 ? 410 : 204)
    await sendTts("0612345601")
    await h.upstream.runDue()
    await flush()
    await sendTts("0612345602")
    await h.upstream.runDue()
    await flush()
    expect(h.hooks).toHaveLength(1)
    const states = await sql<{ state: string }>(
      `SELECT state FROM deliveries ORDER BY attempts DESC`,
    )
    expect(states.map((s) => s.state)).toEqual(["disabled", "disabled"])
    // The operator rotates alpha's webhook secret in CLIENTS.
    const rotated = "whsec_cm90YXRlZC1hbHBoYS13ZWJob29rLXNlY3JldCEh"
    const clients = (JSON.parse(env.CLIENTS as string) as Array<Record<string, unknown>>).map(
      (c) => (c.id === "alpha" ? { ...c, webhookSecret: rotated } : c),
    )
    const [send] = await sql<{ send_id: string; campaign_id: string }>(
      `SELECT send_id, campaign_id FROM sends LIMIT 1`,
    )
    await runInDurableObject(ledger(), async (_instance, state: DurableObjectState) => {
      const reconfigured = new ClientLedger(state, { ...env, CLIENTS: JSON.stringify(clients) })
      const stored = await reconfigured.recordEvent("alpha", {
        sendId: send?.send_id as string,
        campaignId: send?.campaign_id as string,
        phoneNumber: "+33612345601",
        status: "undelivered",
        type: "tts.status",
        data: { status: "undelivered" },
        forwardTo: undefined,
      })
      expect(stored).toMatchObject({ kind: "stored" })
      await reconfigured.alarm()
    })
    expect(h.hooks).toHaveLength(2)
    await verifyWebhook({
      secret: rotated,
      headers: h.hooks[1]?.headers as Headers,
      payload: h.hooks[1]?.body as string,
    })
    expect(SECRETS.alpha).not.toBe(rotated)
  })
})
