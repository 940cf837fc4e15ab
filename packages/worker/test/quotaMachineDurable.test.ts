import { evictDurableObject, runInDurableObject } from "cloudflare:test"
import type { Endpoint } from "@voicepartner/core/model/Endpoint"
import type { QuotaMachine } from "@voicepartner/core/ratelimit/QuotaMachine"
import { describe, expect, it } from "vitest"
import type { QuotaObject } from "../src/quota/QuotaObject.js"
import { accountQuota, useHarness } from "./harness.js"

useHarness()

const endpoints: ReadonlyArray<Endpoint> = ["tts/send", "campaign/send", "me"]

/** The object's SQLite rows and its machine's log, endpoint by endpoint. */
const rowsAndMachine = async (quota: DurableObjectStub<QuotaObject>) =>
  runInDurableObject(quota, (instance: QuotaObject, state: DurableObjectState) => {
    const machine = (instance as unknown as { readonly machine: QuotaMachine }).machine
    const rows = state.storage.sql
      .exec<{ endpoint: string; at: number }>(`SELECT endpoint, at FROM admissions`)
      .toArray()
    const blocks = state.storage.sql
      .exec<{ endpoint: string; until: number }>(`SELECT endpoint, until FROM blocks`)
      .toArray()
    return {
      rows: Object.fromEntries(
        endpoints.map((e) => [
          e,
          rows
            .filter((r) => r.endpoint === e)
            .map((r) => r.at)
            .sort((a, b) => a - b),
        ]),
      ),
      machine: Object.fromEntries(endpoints.map((e) => [e, [...machine.admissions(e)]])),
      blocks: Object.fromEntries(blocks.map((b) => [b.endpoint, b.until])),
    }
  })

describe("the quota object over core's QuotaMachine", () => {
  it("persists exactly the rows the machine changed, and restores them after an eviction", async () => {
    const quota = await accountQuota()
    for (let i = 0; i < 3; i++) expect((await quota.acquire("tts/send", 0)).admitted).toBe(true)
    const slots = []
    for (let i = 0; i < 6; i++) slots.push(await quota.acquire("campaign/send", 120_000))
    expect(slots.every((s) => s.admitted)).toBe(true)
    const last = slots[5]
    if (!last?.admitted) throw new Error("unreachable")
    // The sixth waits for the minute to pass; its caller leaves: the slot is given back.
    expect(last.at - last.state.now).toBeGreaterThan(50_000)
    const released = await quota.release("campaign/send", last.at)
    expect(released.windows[0]?.remaining).toBe(0)
    expect(released.windows[1]?.remaining).toBe(1995)
    const blocked = await quota.block("me", Date.now() + 30_000)
    expect(blocked.blockedUntil).toBeGreaterThan(Date.now())

    const before = await rowsAndMachine(quota)
    expect(before.rows).toEqual(before.machine)
    expect(before.rows["tts/send"]).toHaveLength(3)
    expect(before.rows["campaign/send"]).toHaveLength(5)
    expect(before.blocks).toEqual({ me: blocked.blockedUntil })

    await evictDurableObject(quota)
    const after = await rowsAndMachine(quota)
    expect(after.machine).toEqual(before.machine)
    const campaign = await quota.acquire("campaign/send", 0)
    expect(campaign).toMatchObject({ admitted: false, reason: "QuotaExhausted" })
    expect(await quota.acquire("me", 0)).toMatchObject({
      admitted: false,
      reason: "Blocked",
      state: { blockedUntil: blocked.blockedUntil },
    })
    // The freed slot is the next one: the caller that waits gets the sixth instant again.
    expect(await quota.acquire("campaign/send", 120_000)).toMatchObject({
      admitted: true,
      at: last.at,
    })
  })

  it("drops expired rows in one batch once a log holds twice its largest limit", async () => {
    const quota = await accountQuota()
    const old = Date.now() - 2 * 3_600_000
    await runInDurableObject(quota, (_instance, state: DurableObjectState) => {
      for (let i = 0; i < 11; i++)
        state.storage.sql.exec(`INSERT INTO admissions (endpoint, at) VALUES ('me', ?)`, old + i)
    })
    await evictDurableObject(quota)
    const decision = await quota.acquire("me", 0)
    expect(decision).toMatchObject({ admitted: true, state: { windows: [{ remaining: 4 }] } })
    const { rows, machine } = await rowsAndMachine(quota)
    expect(rows.me).toEqual(machine.me)
    expect(rows.me).toEqual([decision.admitted ? decision.at : -1])
  })
})
