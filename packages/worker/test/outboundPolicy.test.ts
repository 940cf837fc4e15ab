// The outbound policy and the callback origin, through the gateway.
import { createExecutionContext, env, SELF, waitOnExecutionContext } from "cloudflare:test"
import { describe, expect, it } from "vitest"
import { app } from "../src/app.js"
import type { Env } from "../src/env.js"
import { answer, dropBody, gateway, useHarness } from "./harness.js"
import { SECRETS, TOKENS } from "./testEnv.js"

const h = useHarness()

/** A request to a gateway with other bindings (each object gets its own configuration). */
const withBindings = async (
  bindings: Partial<Record<keyof Env, string | undefined>>,
  url: string,
  init: RequestInit = {},
) => {
  const ctx = createExecutionContext()
  const response = await app.fetch(new Request(url, init), { ...env, ...bindings } as Env, ctx)
  await waitOnExecutionContext(ctx)
  return answer(response)
}

const tts = (token: string): RequestInit => ({
  method: "POST",
  headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
  body: JSON.stringify({ phoneNumbers: "0612345678", text: "Bonjour" }),
})

/** A valid body for each send route. */
const bodies = {
  "/v1/tts/send": { phoneNumbers: "0612345678", text: "Bonjour" },
  "/v1/campaign/send": dropBody("0612345678"),
}

const upstreamNotifyUrl = () =>
  (h.upstream.requests().at(-1)?.body as { notifyUrl?: string } | undefined)?.notifyUrl

describe("a send's notifyUrl passes the outbound policy before anything else", () => {
  it.each([
    // Reproduced: the gateway forwarded the callbacks to the emulator's reset endpoint.
    ["the emulator's control endpoint", "http://127.0.0.1:8788/__emulator/reset"],
    ["a short loopback spelling", "https://127.1/hook"],
    ["a decimal loopback", "https://2130706433/hook"],
    ["an IPv4-mapped loopback", "https://[::ffff:7f00:1]/hook"],
    ["localhost with a trailing dot", "https://LOCALHOST./hook"],
    ["the metadata address", "https://169.254.169.254/latest/meta-data/"],
    ["a private address", "https://10.0.0.8/hook"],
    ["user-info", "https://user:pass@hooks.example.com/hook"],
    ["plain http to a host not allow-listed", "http://hooks.example.com/hook"],
    ["an allow-listed host on another port", "http://hooks.test:8080/hook"],
  ])("400 VALIDATION_ERROR on notifyUrl for %s, nothing sent", async (_name, notifyUrl) => {
    for (const [path, body] of Object.entries(bodies)) {
      const refused = await answer(
        await gateway(path, { token: TOKENS.alpha, json: { ...body, notifyUrl } }),
      )
      expect(refused.status).toBe(400)
      expect(refused.json).toMatchObject({
        success: false,
        error: { code: "VALIDATION_ERROR", field: "notifyUrl" },
      })
      expect(refused.json.error.message).toMatch(/^notifyUrl: /)
      expect(refused.json.error.message).not.toContain("user:pass")
    }
    expect(h.upstream.requests()).toHaveLength(0)
  })

  it("refuses a 48 KB notifyUrl (reproduced: every callback of a billed send failed with 414)", async () => {
    const notifyUrl = `https://hooks.example.com/${"a".repeat(48 * 1024)}`
    const refused = await answer(
      await gateway("/v1/tts/send", {
        token: TOKENS.alpha,
        json: { phoneNumbers: "0612345678", text: "Bonjour", notifyUrl },
      }),
    )
    expect(refused.status).toBe(400)
    expect(refused.json.error).toMatchObject({ code: "VALIDATION_ERROR", field: "notifyUrl" })
    expect(refused.json.error.message).toContain("2048")
    expect(h.upstream.requests()).toHaveLength(0)
  })

  it("takes no quota slot and touches no idempotency record", async () => {
    const headers = { "idempotency-key": "order-42" }
    const refused = await answer(
      await gateway("/v1/tts/send", {
        token: TOKENS.alpha,
        headers,
        json: { phoneNumbers: "0612345678", text: "Bonjour", notifyUrl: "https://127.0.0.1/" },
      }),
    )
    expect(refused.status).toBe(400)
    // Answered without asking the quota object: no fields (the send below shows no slot went).
    expect(refused.headers.get("ratelimit")).toBeNull()
    // The key was never claimed: the same key with another (valid) body is a first use.
    const sent = await answer(
      await gateway("/v1/tts/send", {
        token: TOKENS.alpha,
        headers,
        json: { phoneNumbers: "0612345678", text: "Bonjour" },
      }),
    )
    expect(sent.status).toBe(200)
    expect(sent.headers.get("ratelimit")).toBe('"tts-send-3600s";r=1999;t=3600')
    expect(h.upstream.requests()).toHaveLength(1)
  })

  it("accepts a public https notifyUrl and an allow-listed plain http one", async () => {
    for (const notifyUrl of ["https://hooks.example.com/voice?ref=1", "http://hooks.test/own"]) {
      const sent = await answer(
        await gateway("/v1/tts/send", {
          token: TOKENS.alpha,
          json: { phoneNumbers: "0612345678", text: "Bonjour", notifyUrl },
        }),
      )
      expect(sent.status).toBe(200)
    }
    expect(h.upstream.requests()).toHaveLength(2)
  })
})

describe("a client's configured webhookUrl passes the outbound policy at start", () => {
  const clients = (webhookUrl: string) =>
    JSON.stringify([
      {
        id: "alpha",
        tokenSha256: "0".repeat(64),
        webhookUrl,
        webhookSecret: SECRETS.alpha,
      },
    ])

  it.each([
    ["https://admin:hunter2@hooks.example.com/voice", "user name"],
    ["http://hooks.example.com/voice", "https"],
    ["https://[::ffff:10.0.0.1]/voice", "private"],
    ["http://127.0.0.1:8789/webhooks/voice", "loopback"],
  ])("refuses %s, naming the entry and the reason but not the URL", async (webhookUrl, reason) => {
    const refused = await withBindings(
      { CLIENTS: clients(webhookUrl) },
      "http://gateway.test/v1/me",
    )
    expect(refused.status).toBe(500)
    expect(refused.json.error.code).toBe("GATEWAY_MISCONFIGURED")
    expect(refused.json.error.message).toMatch(/^CLIENTS\[0\]\.webhookUrl /)
    expect(refused.json.error.message).toContain(reason)
    expect(refused.json.error.message).not.toContain("hunter2")
    expect(refused.json.error.message).not.toContain("hooks.example.com")
  })

  it("starts when the plain http receiver is allow-listed", async () => {
    const ok = await withBindings(
      {
        CLIENTS: clients("http://127.0.0.1:8789/webhooks/voice"),
        OUTBOUND_HTTP_ALLOW: "127.0.0.1:8789",
      },
      "http://gateway.test/health",
    )
    expect(ok.status).toBe(200)
    const started = await withBindings(
      {
        CLIENTS: clients("http://127.0.0.1:8789/webhooks/voice"),
        OUTBOUND_HTTP_ALLOW: "127.0.0.1:8789",
      },
      "http://gateway.test/v1/me",
    )
    // The configuration loaded: the answer is about the token, not the bindings.
    expect(started.json.error.code).toBe("UNAUTHORIZED")
  })

  it("refuses a malformed OUTBOUND_HTTP_ALLOW, naming it", async () => {
    const refused = await withBindings(
      { OUTBOUND_HTTP_ALLOW: "hooks.test" },
      "http://gateway.test/v1/me",
    )
    expect(refused.status).toBe(500)
    expect(refused.json.error.code).toBe("GATEWAY_MISCONFIGURED")
    expect(refused.json.error.message).toContain("OUTBOUND_HTTP_ALLOW")
  })
})

describe("callback URLs take their origin from PUBLIC_URL only", () => {
  it("a forged Host does not change the notifyUrl given to the upstream", async () => {
    const forged = await withBindings({}, "http://attacker.example/v1/tts/send", tts(TOKENS.alpha))
    expect(forged.status).toBe(200)
    expect(upstreamNotifyUrl()).toMatch(/^http:\/\/gateway\.test\/callbacks\/alpha\//)
    const viaHeader = await answer(
      await SELF.fetch("http://gateway.test/v1/tts/send", {
        ...tts(TOKENS.alpha),
        headers: {
          authorization: `Bearer ${TOKENS.alpha}`,
          "content-type": "application/json",
          host: "attacker.example",
        },
      }),
    )
    expect(viaHeader.status).toBe(200)
    expect(upstreamNotifyUrl()).toMatch(/^http:\/\/gateway\.test\/callbacks\/alpha\//)
  })

  it("without PUBLIC_URL sends are refused naming it; a forged Host is never used", async () => {
    for (const [path, body] of Object.entries(bodies)) {
      const refused = await withBindings(
        { PUBLIC_URL: undefined },
        `http://attacker.example${path}`,
        {
          method: "POST",
          headers: {
            authorization: `Bearer ${TOKENS.alpha}`,
            "content-type": "application/json",
            host: "attacker.example",
          },
          body: JSON.stringify(body),
        },
      )
      expect(refused.status).toBe(500)
      expect(refused.json.error.code).toBe("GATEWAY_MISCONFIGURED")
      expect(refused.json.error.message).toContain("PUBLIC_URL")
    }
    expect(h.upstream.requests()).toHaveLength(0)
  })

  it("without PUBLIC_URL, health and read-only routes keep working", async () => {
    const bindings = { PUBLIC_URL: undefined }
    expect((await withBindings(bindings, "http://gateway.test/health")).status).toBe(200)
    const credits = await withBindings(bindings, "http://gateway.test/v1/me", {
      headers: { authorization: `Bearer ${TOKENS.alpha}` },
    })
    expect(credits.status).toBe(200)
    const campaign = await withBindings(bindings, "http://gateway.test/v1/campaigns/nope", {
      headers: { authorization: `Bearer ${TOKENS.alpha}` },
    })
    expect(campaign.status).toBe(404)
  })

  it.each([
    "gateway.example.com",
    "ftp://gateway.example.com",
    "https://gateway.example.com/prefix",
    "https://user:pass@gateway.example.com",
  ])("a PUBLIC_URL that is not an http(s) origin (%s) stops the gateway", async (publicUrl) => {
    const refused = await withBindings({ PUBLIC_URL: publicUrl }, "http://gateway.test/v1/me", {
      headers: { authorization: `Bearer ${TOKENS.alpha}` },
    })
    expect(refused.status).toBe(500)
    expect(refused.json.error.code).toBe("GATEWAY_MISCONFIGURED")
    expect(refused.json.error.message).toContain("PUBLIC_URL")
    expect(refused.json.error.message).not.toContain("user:pass")
  })
})
