import { describe, expect, it } from "vitest"
import { FaultPlan } from "../src/faults.js"
import { createEmulator, ManualClock } from "../src/index.js"
import { startEmulatorServer } from "../src/node.js"

const send = (extra: Record<string, unknown> = {}) =>
  new Request("http://emulator/v1/tts/send", {
    method: "POST",
    body: JSON.stringify({
      apiKey: "dev-key",
      phoneNumbers: "0612345678,0612345677,0612345676",
      text: "Bonjour",
      ...extra,
    }),
  })

describe("injected faults", () => {
  it("fails chosen sends with a 5xx before doing anything", async () => {
    const e = createEmulator({ clock: new ManualClock() })
    e.setFaults({ failSends: [2], failStatus: 503 })
    const statuses = [await e.fetch(send()), await e.fetch(send()), await e.fetch(send())].map(
      (r) => r.status,
    )
    expect(statuses).toEqual([200, 503, 200])
    expect(Object.keys(e.snapshot().campaigns)).toHaveLength(2)
  })

  it("answers a share of requests with 500/502/503, reproducibly for a seed", async () => {
    const statuses = async () => {
      const e = createEmulator({ clock: new ManualClock(), rateLimits: false, credits: 1e6 })
      e.setFaults({ errorRate: 0.5, seed: 42 })
      const out: Array<number> = []
      for (let i = 0; i < 40; i++) out.push((await e.fetch(send())).status)
      return out
    }
    const first = await statuses()
    expect(first).toEqual(await statuses())
    const errors = first.filter((s) => s !== 200)
    expect(errors.length).toBeGreaterThan(5)
    expect(errors.every((s) => s === 500 || s === 502 || s === 503)).toBe(true)
  })

  it("holds each request latencyMs plus a seeded draw of latencyJitterMs, before it is counted", async () => {
    const draws = (plan: FaultPlan) => Array.from({ length: 200 }, () => plan.latency())
    const first = draws(new FaultPlan({ latencyMs: 5, latencyJitterMs: 40, seed: 7 }))
    expect(first.every((d) => d >= 5 && d < 45)).toBe(true)
    // Spread over the range, not one value; the same for the same seed.
    expect(Math.max(...first) - Math.min(...first)).toBeGreaterThan(30)
    expect(draws(new FaultPlan({ latencyMs: 5, latencyJitterMs: 40, seed: 7 }))).toEqual(first)
    expect(draws(new FaultPlan({ latencyMs: 5 }))).toEqual(first.map(() => 5))
    const e = createEmulator({ rateLimits: false, credits: 1e6 })
    // Over HTTP, the request is answered after its draw (real time).
    e.setFaults({ latencyMs: 30, latencyJitterMs: 20, seed: 1 })
    const started = performance.now()
    expect((await e.fetch(send())).status).toBe(200)
    expect(performance.now() - started).toBeGreaterThanOrEqual(29)
  })

  it("drops the connection before processing: nothing sent, nothing charged", async () => {
    const e = createEmulator({ clock: new ManualClock() })
    e.setFaults({ dropBeforeRate: 1 })
    await expect(e.fetch(send())).rejects.toThrow(TypeError)
    expect(e.snapshot().campaigns).toEqual({})
    expect(e.snapshot().credits["dev-key"]).toBe(100)
  })

  it("drops the connection after processing: the send exists and was charged", async () => {
    const e = createEmulator({ clock: new ManualClock() })
    e.setFaults({ dropAfterRate: 1 })
    await expect(e.fetch(send())).rejects.toThrow(TypeError)
    expect(Object.keys(e.snapshot().campaigns)).toHaveLength(1)
    expect(e.snapshot().credits["dev-key"]).toBeLessThan(100)
  })

  it("duplicates and reorders callbacks", async () => {
    const seen: Array<string> = []
    const fetch = (async (_url: string | URL | Request, init?: RequestInit) => {
      seen.push((JSON.parse(String(init?.body)) as { phoneNumber: string }).phoneNumber)
      return new Response("ok")
    }) as typeof globalThis.fetch
    const e = createEmulator({ clock: new ManualClock(), fetch, callbackDelayMs: 0 })
    e.setFaults({ duplicateCallbacks: true, reorderCallbacks: true, seed: 7 })
    await e.fetch(send({ notifyUrl: "http://127.0.0.1:9/hook" }))
    await e.advance(1)
    expect(seen).toHaveLength(6)
    expect(new Set(seen)).toEqual(new Set(["0033612345678", "0033612345677", "0033612345676"]))
    expect(seen).not.toEqual([
      "0033612345678",
      "0033612345678",
      "0033612345677",
      "0033612345677",
      "0033612345676",
      "0033612345676",
    ])
  })

  it("is set over HTTP and really drops the socket on the Node server", async () => {
    const server = await startEmulatorServer({ port: 0 })
    try {
      const control = server.baseUrl.replace("/v1", "/__emulator/faults")
      const set = await fetch(control, {
        method: "POST",
        body: JSON.stringify({ dropAfterRate: 1 }),
      })
      expect(set.status).toBe(200)
      await expect(fetch(`${server.baseUrl}/me/dev-key`)).rejects.toThrow()
      await fetch(control, { method: "POST", body: "{}" })
      expect((await fetch(`${server.baseUrl}/me/dev-key`)).status).toBe(200)
      expect((await fetch(control, { method: "POST", body: "[]" })).status).toBe(400)
    } finally {
      await server.close()
    }
  })
})
