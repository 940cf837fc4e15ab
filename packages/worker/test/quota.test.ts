import { evictDurableObject, runInDurableObject } from "cloudflare:test"
import { describe, expect, it } from "vitest"
import { isolateRefusals } from "../src/quota/refusalCache.js"
import { accountQuota, answer, dropBody, gateway, useHarness } from "./harness.js"
import { TOKENS } from "./testEnv.js"

const h = useHarness()

const drop = (token: string, n: number) =>
  gateway("/v1/campaign/send", {
    token,
    json: dropBody(`06123456${String(n).padStart(2, "0")}`),
  })

describe("the account quota", () => {
  it("admits exactly 5 voicemail drops a minute across clients, then 429 without calling upstream", async () => {
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        drop(i % 2 === 0 ? TOKENS.alpha : TOKENS.beta, i).then(answer),
      ),
    )
    const ok = answers.filter((a) => a.status === 200)
    const limited = answers.filter((a) => a.status === 429)
    expect(ok).toHaveLength(5)
    expect(limited).toHaveLength(3)
    expect(h.upstream.requests().filter((r) => r.path.includes("campaign/send"))).toHaveLength(5)
    for (const refusal of limited) {
      expect(refusal.json.error.code).toBe("RATE_LIMITED")
      const retryAfter = Number(refusal.headers.get("retry-after"))
      expect(retryAfter).toBeGreaterThanOrEqual(59)
      expect(retryAfter).toBeLessThanOrEqual(60)
      expect(refusal.headers.get("ratelimit-policy")).toBe(
        '"campaign-send-60s";q=5;w=60, "campaign-send-3600s";q=2000;w=3600',
      )
      expect(refusal.headers.get("ratelimit")).toMatch(
        /^"campaign-send-60s";r=0;t=(59|60), "campaign-send-3600s";r=1995;t=/,
      )
    }
  })

  it("keeps its state through an eviction of the Durable Object", async () => {
    for (let i = 0; i < 5; i++) expect((await drop(TOKENS.alpha, i)).status).toBe(200)
    await evictDurableObject(await accountQuota())
    const after = await answer(await drop(TOKENS.alpha, 9))
    expect(after.status).toBe(429)
    expect(h.upstream.requests()).toHaveLength(5)
  })

  it("blocks the account after an upstream 429 until the upstream's reset", async () => {
    for (let i = 0; i < 5; i++) expect((await drop(TOKENS.alpha, i)).status).toBe(200)
    // Forget the gateway's log (as if another tool had used the account): upstream refuses.
    const quota = await accountQuota()
    await runInDurableObject(quota, (_instance, state: DurableObjectState) => {
      state.storage.sql.exec("DELETE FROM admissions")
    })
    await evictDurableObject(quota)
    isolateRefusals.clear()
    const refused = await answer(await drop(TOKENS.alpha, 6))
    expect(refused.status).toBe(429)
    expect(h.upstream.requests().filter((r) => r.status === 429)).toHaveLength(1)
    const blocked = await answer(await drop(TOKENS.alpha, 7))
    expect(blocked.status).toBe(429)
    expect(blocked.json.error.message).toContain("Blocked")
    expect(h.upstream.requests()).toHaveLength(6)
  })

  it("lets a caller wait for its slot with Prefer: wait", async () => {
    const quota = await accountQuota()
    const now = Date.now()
    // Five admissions 59.7 s ago: the next slot frees in 0.3 s.
    await runInDurableObject(quota, (_instance, state: DurableObjectState) => {
      for (let i = 0; i < 5; i++)
        state.storage.sql.exec(
          "INSERT INTO admissions (endpoint, at) VALUES ('campaign/send', ?)",
          now - 59_700,
        )
    })
    await evictDurableObject(quota)
    const impatient = await answer(await drop(TOKENS.alpha, 1))
    expect(impatient.status).toBe(429)
    const patient = await answer(
      await gateway("/v1/campaign/send", {
        token: TOKENS.alpha,
        headers: { prefer: "wait=5" },
        json: dropBody("0612345678"),
      }),
    )
    expect(patient.status).toBe(200)
    expect(patient.headers.get("preference-applied")).toBe("wait=5")
  })

  it("puts RateLimit fields on reads too", async () => {
    const credits = await answer(await gateway("/v1/me", { token: TOKENS.alpha }))
    expect(credits.headers.get("ratelimit")).toBe('"me-60s";r=4;t=60')
  })
})
