import { env } from "cloudflare:test"
import * as Effect from "effect/Effect"
import { describe, expect, it } from "vitest"
import { loadGatewayConfig } from "../src/config/GatewayConfig.js"
import type { Env } from "../src/env.js"
import { CALLBACK_KEY, UPSTREAM_KEY } from "./testEnv.js"

const problem = (bindings: Partial<Record<keyof Env, string | undefined>>) =>
  Effect.runPromise(
    Effect.match(loadGatewayConfig({ ...env, ...bindings } as Env), {
      onFailure: (e) => e.problem,
      onSuccess: () => "started",
    }),
  )

describe("a gateway missing its secrets", () => {
  it("names exactly the setting that is missing, never a value", async () => {
    const text = await problem({ CLIENTS: undefined })
    expect(text).toMatch(/^CLIENTS is not set/)
    expect(text).not.toMatch(/VOICEPARTNER_API_KEY|CALLBACK_SIGNING_KEY/)
    expect(text).not.toContain(UPSTREAM_KEY)
    expect(text).not.toContain(CALLBACK_KEY)
  })

  it("names each missing one when several are", async () => {
    const text = await problem({ VOICEPARTNER_API_KEY: "", CALLBACK_SIGNING_KEY: undefined })
    expect(text).toMatch(/^VOICEPARTNER_API_KEY, CALLBACK_SIGNING_KEY are not set/)
  })

  it("starts with all of them", async () => {
    expect(await problem({})).toBe("started")
  })
})
