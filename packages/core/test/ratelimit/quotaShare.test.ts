import { describe, expect, it } from "vitest"
import { QuotaMachine } from "../../src/ratelimit/QuotaMachine.js"
import { defaultPolicy } from "../../src/ratelimit/RateLimitPolicy.js"
import { SharedSlots } from "../../src/ratelimit/SharedSlots.js"

// Broadcasts poll the quota: ask for a slot; when admitted at `at`, send then and ask
// again; when refused, ask again after `retryAfterMs`. A simulated clock drives them.
const simulate = (
  machine: QuotaMachine,
  broadcasts: ReadonlyArray<{ readonly client: string }>,
  options: { readonly minutes: number; readonly singlesEveryMs?: number },
) => {
  const end = options.minutes * 60_000
  const next = broadcasts.map(() => 0)
  const granted = new Map<string, Array<number>>()
  const singles: Array<{ asked: number; at: number }> = []
  let nextSingle = options.singlesEveryMs ?? Number.POSITIVE_INFINITY
  for (let steps = 0; steps < 100_000; steps++) {
    const now = Math.min(...next, nextSingle)
    if (now >= end) break
    if (now === nextSingle) {
      const d = machine.acquire("campaign/send", now)
      if (d.admitted) singles.push({ asked: now, at: d.at })
      nextSingle += options.singlesEveryMs ?? 0
      continue
    }
    const i = next.indexOf(now)
    const { client } = broadcasts[i] as { client: string }
    const d = machine.acquire("campaign/send", now, Number.POSITIVE_INFINITY, { client })
    if (d.admitted) {
      granted.set(client, [...(granted.get(client) ?? []), d.at])
      next[i] = d.at
    } else next[i] = now + d.retryAfterMs
  }
  return { granted, singles }
}

const reserve = { "campaign/send": [1, 100] }

describe("shared (broadcast) slots", () => {
  it("leave the reserve of every window to single sends", () => {
    const machine = new QuotaMachine(defaultPolicy, {
      sharing: new SharedSlots(defaultPolicy, reserve),
    })
    const { granted } = simulate(machine, [{ client: "x" }], { minutes: 10 })
    const slots = granted.get("x") ?? []
    // 4 of the 5 a minute, never more in any rolling minute.
    for (const at of slots)
      expect(slots.filter((t) => t > at - 60_000 && t <= at).length).toBeLessThanOrEqual(4)
    expect(slots.length).toBeGreaterThanOrEqual(39)
    // The fifth slot of a minute is still there for an appointment reminder.
    const single = machine.acquire("campaign/send", 10 * 60_000)
    expect(single.admitted && single.at).toBe(10 * 60_000)
  })

  it("go round-robin by client, whatever the number of broadcasts each runs", () => {
    const machine = new QuotaMachine(defaultPolicy, {
      sharing: new SharedSlots(defaultPolicy, reserve),
    })
    const { granted } = simulate(
      machine,
      [{ client: "x" }, { client: "x" }, { client: "x" }, { client: "y" }],
      { minutes: 15 },
    )
    // From the first minute on (whoever asked first at the start got the first slots):
    // client x, with three broadcasts, gets as many slots as client y with one.
    const sinceMinute = (client: string) =>
      (granted.get(client) ?? []).filter((t) => t >= 60_000).length
    expect(sinceMinute("x") + sinceMinute("y")).toBeGreaterThanOrEqual(55)
    expect(Math.abs(sinceMinute("x") - sinceMinute("y"))).toBeLessThanOrEqual(2)
  })

  it("let single sends through at once while broadcasts run", () => {
    const machine = new QuotaMachine(defaultPolicy, {
      sharing: new SharedSlots(defaultPolicy, reserve),
    })
    const { singles } = simulate(machine, [{ client: "x" }, { client: "y" }], {
      minutes: 20,
      singlesEveryMs: 150_000,
    })
    expect(singles.length).toBeGreaterThanOrEqual(7)
    for (const s of singles) expect(s.at).toBe(s.asked)
  })

  it("a newcomer starts level: it neither starves the others nor waits for them to catch up", () => {
    const machine = new QuotaMachine(defaultPolicy, {
      sharing: new SharedSlots(defaultPolicy, reserve),
    })
    simulate(machine, [{ client: "x" }], { minutes: 5 })
    const late = new QuotaMachine(defaultPolicy, {
      sharing: new SharedSlots(defaultPolicy, reserve),
    })
    const first = simulate(late, [{ client: "x" }], { minutes: 5 })
    expect(first.granted.get("x")?.length).toBeGreaterThan(0)
  })

  it("refuse when the reserve leaves nothing to share", () => {
    const machine = new QuotaMachine(
      { ...defaultPolicy, "campaign/send": [{ limit: 1, windowMs: 60_000 }] },
      {
        sharing: new SharedSlots(
          { ...defaultPolicy, "campaign/send": [{ limit: 1, windowMs: 60_000 }] },
          { "campaign/send": [1] },
        ),
      },
    )
    const d = machine.acquire("campaign/send", 0, Number.POSITIVE_INFINITY, { client: "x" })
    expect(d.admitted).toBe(false)
  })
})
