import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test"
import { describe, expect, it } from "vitest"
import { app } from "../src/app.js"
import { type CanConnect, probedFetch } from "../src/upstream/probedFetch.js"
import { answer, gateway, useHarness } from "./harness.js"
import { TOKENS } from "./testEnv.js"

const h = useHarness()

// Nothing listens on port 1 of the loopback: workerd's fetch fails with its generic
// "Network connection lost.", the same words as for a connection dropped mid-request.
const downEnv = { ...env, VOICEPARTNER_BASE_URL: "http://127.0.0.1:1/v1" }

const send = async (target: typeof env, key: string) => {
  const ctx = createExecutionContext()
  const response = await app.request(
    "http://gateway.test/v1/tts/send",
    {
      method: "POST",
      headers: {
        authorization: `Bearer ${TOKENS.alpha}`,
        "content-type": "application/json",
        "idempotency-key": key,
      },
      body: JSON.stringify({ phoneNumbers: "0612345678", text: "Bonjour" }),
    },
    target,
    ctx,
  )
  await waitOnExecutionContext(ctx)
  return answer(response)
}

describe("an upstream that refuses connections", () => {
  it("is reported as not sent, and the Idempotency-Key works again once it is back", async () => {
    const down = await send(downEnv, "order-7")
    expect(down.status).toBe(502)
    expect(down.json.error.code).toBe("UPSTREAM_UNREACHABLE")
    expect(down.headers.get("x-gateway-send-id")).toBeNull()
    // The upstream is back: the same key and body send, they do not replay the 502.
    const back = await send(env, "order-7")
    expect(back.status).toBe(200)
    expect(back.headers.get("idempotent-replayed")).toBeNull()
    expect(h.upstream.requests().filter((r) => r.path.endsWith("/tts/send"))).toHaveLength(1)
    const view = await answer(
      await gateway(`/v1/campaigns/${back.json.campaignId}`, { token: TOKENS.alpha }),
    )
    expect(view.json.send.outcome).toBe("sent")
  })
})

describe("probedFetch", () => {
  const lost = (() => Promise.reject(new Error("Network connection lost."))) as typeof fetch
  const probe = (reachable: boolean) => {
    const probed: Array<string> = []
    const canConnect: CanConnect = async (url) => {
      probed.push(url.host)
      return reachable
    }
    return { probed, canConnect }
  }

  it("turns a lost connection to a host that refuses connections into a refused connection", async () => {
    const { probed, canConnect } = probe(false)
    const error = await probedFetch(
      lost,
      canConnect,
    )("http://up.test:8788/v1/me/SECRET").catch((e: unknown) => e as Error)
    expect(error).toBeInstanceOf(TypeError)
    expect((error as Error).message).toMatch(/connection refused/)
    expect((error as Error).message).not.toContain("SECRET")
    expect(probed).toEqual(["up.test:8788"])
  })

  it("keeps a lost connection to a listening host as it is: the request may have been processed", async () => {
    const { canConnect } = probe(true)
    const error = await probedFetch(
      lost,
      canConnect,
    )("http://up.test/v1/tts/send").catch((e: unknown) => e as Error)
    expect((error as Error).message).toBe("Network connection lost.")
  })

  it("does not probe for other failures", async () => {
    const { probed, canConnect } = probe(false)
    const other = (() => Promise.reject(new Error("boom"))) as typeof fetch
    await probedFetch(other, canConnect)("http://up.test/").catch(() => undefined)
    expect(probed).toEqual([])
  })
})
