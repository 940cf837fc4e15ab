import { env } from "cloudflare:test"
import { defaultPolicy } from "@voicepartner/core/ratelimit/RateLimitPolicy"
import * as Effect from "effect/Effect"
import { describe, expect, it } from "vitest"
import { broadcastReserve } from "../src/config/broadcastReserve.js"
import { loadGatewayConfig } from "../src/config/GatewayConfig.js"
import type { Env } from "../src/env.js"
import { accountQuota, useHarness } from "./harness.js"

useHarness()

describe("the account's quota object shares slots with broadcasts", () => {
  it("keeps the reserve (1 of the 5 voicemail drops a minute) for single sends", async () => {
    const quota = await accountQuota()
    const shared = []
    for (let i = 0; i < 6; i++)
      shared.push(await quota.acquire("campaign/send", 0, { client: "alpha" }))
    expect(shared.map((d) => d.admitted)).toEqual([true, true, true, true, false, false])
    const single = await quota.acquire("campaign/send", 0)
    expect(single.admitted).toBe(true)
  })

  it("lets clients take turns", async () => {
    const quota = await accountQuota()
    const order: Array<string> = []
    const refused: Array<string> = []
    for (const client of ["beta", "alpha", "alpha", "beta", "alpha"]) {
      const d = await quota.acquire("campaign/send", 0, { client })
      ;(d.admitted ? order : refused).push(client)
    }
    // alpha joins level with beta; its second ask waits for beta's turn.
    expect(order).toEqual(["beta", "alpha", "beta", "alpha"])
    expect(refused).toEqual(["alpha"])
  })
})

describe("BROADCAST_RESERVE", () => {
  it("defaults to 5 % of each window, rounded up", () => {
    const parsed = broadcastReserve(undefined, defaultPolicy)
    expect(parsed.ok && parsed.value["campaign/send"]).toEqual([1, 100])
    expect(parsed.ok && parsed.value["tts/send"]).toEqual([100])
  })

  it("stops the gateway when malformed, naming it", async () => {
    const problem = await Effect.runPromise(
      Effect.match(
        loadGatewayConfig({ ...env, BROADCAST_RESERVE: '{"campaign/send":[9]}' } as Env),
        {
          onFailure: (e) => e.problem,
          onSuccess: () => "started",
        },
      ),
    )
    expect(problem).toMatch(/^BROADCAST_RESERVE\.campaign\/send must list 2 whole number/)
  })
})
