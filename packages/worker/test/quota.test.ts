import {
  createExecutionContext,
  env,
  evictDurableObject,
  runInDurableObject,
  waitOnExecutionContext,
} from "cloudflare:test"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { describe, expect, it } from "vitest"
import { app } from "../src/app.js"
import { GatewayMisconfigured, gatewayConfig } from "../src/config/GatewayConfig.js"
import { durableQuota } from "../src/quota/durableRateLimiter.js"
import type { QuotaObject } from "../src/quota/QuotaObject.js"
import { isolateRefusals, RefusalCache } from "../src/quota/refusalCache.js"
import { callUpstream } from "../src/upstream/callUpstream.js"
import { certainlyNotSent, outcomeAnswer } from "../src/upstream/outcomeResponse.js"
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

// What workerd throws when an object cannot keep up, and after it was reset or moved.
const overloaded = () =>
  Object.assign(new Error("Durable Object is overloaded. Too many requests queued."), {
    overloaded: true,
    retryable: false,
  })
const reset = () =>
  Object.assign(new Error("Durable Object reset because its code was updated."), {
    retryable: true,
  })

/** A quota stub whose every call throws `error()`, or the real one once it stops. */
const failingQuota = (error: () => Error, times = Number.POSITIVE_INFINITY) => {
  let calls = 0
  const real = env.QUOTA.get(env.QUOTA.idFromName("failing-quota-unused"))
  const fail =
    (name: "acquire" | "release" | "block" | "snapshot") =>
    (...args: Array<unknown>) => {
      calls++
      if (calls <= times) return Promise.reject(error())
      return (real[name] as (...a: Array<unknown>) => Promise<unknown>)(...args)
    }
  const stub = {
    acquire: fail("acquire"),
    release: fail("release"),
    block: fail("block"),
    snapshot: fail("snapshot"),
  } as unknown as DurableObjectStub<QuotaObject>
  return { stub, calls: () => calls }
}

const config = async () => {
  const loaded = await gatewayConfig(env)
  if (loaded instanceof GatewayMisconfigured) throw new Error(loaded.problem)
  return loaded
}

describe("a quota object that cannot answer", () => {
  it("is a typed RateLimiterUnavailable, derived from workerd's error properties", async () => {
    const refusals = new RefusalCache()
    for (const [error, reason, retryable, retryAfterMs] of [
      [overloaded, "Overloaded", false, 10_000],
      [reset, "Unreachable", true, 1_000],
    ] as const) {
      const exit = await Effect.runPromiseExit(
        durableQuota(failingQuota(error).stub, "a", refusals).acquire("tts/send", 0),
      )
      expect(Exit.isFailure(exit)).toBe(true)
      const failure = Exit.isFailure(exit) ? exit.cause.reasons[0] : undefined
      expect(failure?._tag).toBe("Fail")
      const typed = failure?._tag === "Fail" ? failure.error : undefined
      expect(typed).toMatchObject({ _tag: "RateLimiterUnavailable", reason, endpoint: "tts/send" })
      expect(typed?.retryable).toBe(retryable)
      expect(typed?.retryAfterMs).toBe(retryAfterMs)
    }
  })

  it("answers 503 with Retry-After when overloaded, sends nothing, asks once", async () => {
    const quota = failingQuota(overloaded)
    const outcome = await callUpstream(await config(), quota.stub, { endpoint: "me" })
    expect(outcome).toMatchObject({
      kind: "error",
      error: { _tag: "RateLimiterUnavailable", reason: "Overloaded" },
    })
    expect(certainlyNotSent(outcome)).toBe(true)
    const mapped = outcomeAnswer(outcome)
    expect(mapped.status).toBe(503)
    expect(mapped.body).toMatchObject({ error: { code: "GATEWAY_UNAVAILABLE" } })
    expect(mapped.headers).toEqual({ "Retry-After": "10" })
    // Not retried: an overloaded object is left alone.
    expect(quota.calls()).toBe(1)
    expect(h.upstream.requests()).toHaveLength(0)
  })

  it("asks an object that was reset once more, a second later", async () => {
    const quota = failingQuota(reset, 1)
    const outcome = await callUpstream(await config(), quota.stub, { endpoint: "me" })
    expect(outcome.kind).toBe("answer")
    expect(quota.calls()).toBe(2)
    expect(h.upstream.requests()).toHaveLength(1)
  })

  it("releases the Idempotency-Key of a send it could not admit", async () => {
    const quota = failingQuota(overloaded)
    const down = {
      ...env,
      QUOTA: {
        idFromName: (name: string) => env.QUOTA.idFromName(name),
        get: () => quota.stub,
      } as unknown as typeof env.QUOTA,
    }
    const send = async (target: typeof env) => {
      const ctx = createExecutionContext()
      const response = await app.request(
        "http://gateway.test/v1/tts/send",
        {
          method: "POST",
          headers: {
            authorization: `Bearer ${TOKENS.alpha}`,
            "content-type": "application/json",
            "idempotency-key": "order-503",
          },
          body: JSON.stringify({ phoneNumbers: "0612345678", text: "Bonjour" }),
        },
        target,
        ctx,
      )
      await waitOnExecutionContext(ctx)
      return answer(response)
    }
    const refused = await send(down)
    expect(refused.status).toBe(503)
    expect(refused.json.error.code).toBe("GATEWAY_UNAVAILABLE")
    expect(refused.headers.get("retry-after")).toBe("10")
    expect(refused.headers.get("x-gateway-send-id")).toBeNull()
    expect(h.upstream.requests()).toHaveLength(0)
    // The quota is back: the same key and body send, they do not replay the 503.
    const back = await send(env)
    expect(back.status).toBe(200)
    expect(back.headers.get("idempotent-replayed")).toBeNull()
    expect(h.upstream.requests().filter((r) => r.path.endsWith("/tts/send"))).toHaveLength(1)
  })
})
