// Browsers: per-client allowed origins, preflights, and the actual request's origin
// checked against the calling client's list (see src/http/cors.ts).

import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test"
import { describe, expect, it } from "vitest"
import { app } from "../src/app.js"
import { sha256Hex } from "../src/auth/digest.js"
import { parseClients } from "../src/config/ClientConfig.js"
import { parseOutboundAllowList } from "../src/security/outboundAllowList.js"
import { answer, useHarness } from "./harness.js"
import { TOKENS } from "./testEnv.js"

const h = useHarness()

const WEB = "https://app.example.com"
const LOCAL = "http://127.0.0.1:5173"
const EVIL = "https://evil.example"
const tokens = { web: "web-token-3f9a1c", local: "local-token-8b2d4e", server: TOKENS.alpha }

const corsEnv = {
  ...env,
  OUTBOUND_HTTP_ALLOW: `${env.OUTBOUND_HTTP_ALLOW},127.0.0.1:5173`,
  CLIENTS: JSON.stringify([
    {
      id: "web",
      tokenSha256: await sha256Hex(tokens.web),
      allowedOrigins: [WEB],
    },
    { id: "local", tokenSha256: await sha256Hex(tokens.local), allowedOrigins: [LOCAL] },
    { id: "alpha", tokenSha256: await sha256Hex(tokens.server) },
    {
      id: "reader",
      tokenSha256: await sha256Hex(TOKENS.reader),
      operations: ["me"],
      allowedOrigins: [WEB],
    },
  ]),
}

const request = async (path: string, init: RequestInit = {}, bindings: typeof env = corsEnv) => {
  const ctx = createExecutionContext()
  const response = await app.request(`http://gateway.test${path}`, init, bindings, ctx)
  await waitOnExecutionContext(ctx)
  return response
}

const preflight = (path: string, origin: string, method = "POST") =>
  request(path, {
    method: "OPTIONS",
    headers: {
      origin,
      "access-control-request-method": method,
      "access-control-request-headers": "authorization, content-type, idempotency-key",
    },
  })

const tts = (origin: string | undefined, token: string | undefined, body?: object) => {
  const headers: Record<string, string> = { "content-type": "application/json" }
  if (origin !== undefined) headers.origin = origin
  if (token !== undefined) headers.authorization = `Bearer ${token}`
  return request("/v1/tts/send", {
    method: "POST",
    headers,
    body: JSON.stringify(body ?? { phoneNumbers: "0612345678", text: "Bonjour" }),
  })
}

const upstreamSends = () => h.upstream.requests().filter((r) => r.path.endsWith("/tts/send"))
const list = (value: string | null) =>
  (value ?? "")
    .split(",")
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean)

describe("CORS preflight (OPTIONS, no token)", () => {
  it("answers an origin one client allows with the methods and headers", async () => {
    const response = await preflight("/v1/tts/send", WEB)
    expect(response.status).toBe(204)
    expect(response.headers.get("access-control-allow-origin")).toBe(WEB)
    expect(list(response.headers.get("access-control-allow-methods"))).toEqual(["post"])
    expect(list(response.headers.get("access-control-allow-headers"))).toEqual([
      "authorization",
      "content-type",
      "idempotency-key",
      "prefer",
    ])
    expect(Number(response.headers.get("access-control-max-age"))).toBeGreaterThan(0)
    expect(list(response.headers.get("vary"))).toContain("origin")
    expect(response.headers.get("access-control-allow-credentials")).toBeNull()
    expect(await response.text()).toBe("")
    expect(h.upstream.requests()).toHaveLength(0)
  })

  it("answers any client's origin (a preflight carries no token)", async () => {
    const response = await preflight("/v1/me", LOCAL, "GET")
    expect(response.status).toBe(204)
    expect(response.headers.get("access-control-allow-origin")).toBe(LOCAL)
    expect(list(response.headers.get("access-control-allow-methods"))).toEqual(["get", "head"])
    const cancel = await preflight("/v1/campaign/cancel/NDA_1", WEB, "DELETE")
    expect(list(cancel.headers.get("access-control-allow-methods"))).toEqual(["delete"])
    const broadcast = await preflight("/v1/broadcasts/bc_1/pause", WEB)
    expect(broadcast.status).toBe(204)
  })

  it("refuses an origin no client allows: 403 naming Origin, no CORS field", async () => {
    for (const origin of [EVIL, "null", `${WEB}/`, "https://app.example.com:444"]) {
      const refused = await answer(await preflight("/v1/tts/send", origin))
      expect(refused.status).toBe(403)
      expect(refused.headers.get("access-control-allow-origin")).toBeNull()
      expect(list(refused.headers.get("vary"))).toContain("origin")
      expect(refused.json.error).toMatchObject({ code: "FORBIDDEN", field: "Origin" })
    }
  })

  it("leaves other OPTIONS requests to the routes (405 with Allow)", async () => {
    const plain = await request("/v1/tts/send", { method: "OPTIONS" })
    expect(plain.status).toBe(405)
    expect(plain.headers.get("allow")).toBe("POST")
  })
})

describe("the actual request", () => {
  it("from an origin of the calling client: answered, with the CORS fields", async () => {
    const response = await tts(WEB, tokens.web)
    expect(response.status).toBe(200)
    expect(response.headers.get("access-control-allow-origin")).toBe(WEB)
    expect(list(response.headers.get("vary"))).toContain("origin")
    expect(list(response.headers.get("access-control-expose-headers"))).toEqual(
      expect.arrayContaining([
        "ratelimit",
        "ratelimit-policy",
        "retry-after",
        "x-gateway-send-id",
        "idempotent-replayed",
      ]),
    )
    expect(upstreamSends()).toHaveLength(1)
  })

  it("from another client's origin: 403 naming Origin, nothing sent, no CORS field", async () => {
    for (const [origin, token] of [
      [LOCAL, tokens.web],
      [WEB, tokens.local],
      [EVIL, tokens.web],
      [WEB, tokens.server],
    ] as const) {
      const refused = await answer(await tts(origin, token))
      expect(refused.status, `${origin} ${token}`).toBe(403)
      expect(refused.json.error).toMatchObject({ code: "FORBIDDEN", field: "Origin" })
      expect(refused.headers.get("access-control-allow-origin")).toBeNull()
    }
    expect(upstreamSends()).toHaveLength(0)
  })

  it("a token in the body (drop-in) is not taken from a browser: 401, nothing sent", async () => {
    const dropIn = await answer(
      await tts(WEB, undefined, { apiKey: tokens.web, phoneNumbers: "0612345678", text: "Hi" }),
    )
    expect(dropIn.status).toBe(401)
    expect(dropIn.headers.get("access-control-allow-origin")).toBe(WEB)
    const inPath = await request(`/v1/me/${tokens.web}`, { headers: { origin: WEB } })
    expect(inPath.status).toBe(401)
    expect(upstreamSends()).toHaveLength(0)
  })

  it("a bad token from an allowed origin: a 401 the page can read", async () => {
    const refused = await tts(WEB, "not-a-token")
    expect(refused.status).toBe(401)
    expect(refused.headers.get("access-control-allow-origin")).toBe(WEB)
  })

  it("errors of an allowed caller keep the CORS fields (400, 403, 429)", async () => {
    const invalid = await tts(WEB, tokens.web, { phoneNumbers: "12", text: "Hi" })
    expect(invalid.status).toBe(400)
    expect(invalid.headers.get("access-control-allow-origin")).toBe(WEB)
    const forbidden = await request("/v1/audios", {
      headers: { origin: WEB, authorization: `Bearer ${TOKENS.reader}` },
    })
    expect(forbidden.status).toBe(403)
    expect(forbidden.headers.get("access-control-allow-origin")).toBe(WEB)
    const drop = () =>
      request("/v1/campaign/send", {
        method: "POST",
        headers: { origin: WEB, authorization: `Bearer ${tokens.web}` },
        body: JSON.stringify({
          phoneNumbers: "0612345678",
          tokenAudio: "dev-audio",
          emailForNotification: "ops@example.com",
        }),
      })
    for (let i = 0; i < 5; i++) expect((await drop()).status).toBe(200)
    const over = await drop()
    expect(over.status).toBe(429)
    expect(over.headers.get("access-control-allow-origin")).toBe(WEB)
    expect(over.headers.get("retry-after")).not.toBeNull()
  })

  it("without Origin (a server): as before, no CORS field", async () => {
    const response = await tts(undefined, tokens.server)
    expect(response.status).toBe(200)
    expect(response.headers.get("access-control-allow-origin")).toBeNull()
    expect(list(response.headers.get("vary"))).toContain("origin")
  })

  it("the public document and liveness: any origin", async () => {
    for (const path of ["/openapi.json", "/health"]) {
      const response = await request(path, { headers: { origin: EVIL } })
      expect(response.status).toBe(200)
      expect(response.headers.get("access-control-allow-origin")).toBe("*")
    }
  })
})

describe("CLIENTS[].allowedOrigins", () => {
  const allow = (text: string) => {
    const parsed = parseOutboundAllowList(text)
    if (!parsed.ok) throw new Error(parsed.reason)
    return parsed.value
  }
  const entry = (allowedOrigins: unknown) =>
    JSON.stringify([{ id: "a", tokenSha256: "0".repeat(64), allowedOrigins }])

  it("takes exact https origins, and http ones on OUTBOUND_HTTP_ALLOW", () => {
    const parsed = parseClients(entry([WEB, LOCAL]), allow("127.0.0.1:5173"))
    expect(parsed.ok && [...(parsed.value[0]?.allowedOrigins ?? [])]).toEqual([WEB, LOCAL])
    const none = parseClients(JSON.stringify([{ id: "a", tokenSha256: "0".repeat(64) }]), allow(""))
    expect(none.ok && none.value[0]?.allowedOrigins.size).toBe(0)
  })

  it.each([
    ["https://app.example.com/", "exact origin"],
    ["https://app.example.com/app", "exact origin"],
    ["HTTPS://APP.EXAMPLE.COM", "exact origin"],
    ["https://user@app.example.com", "exact origin"],
    ["https://app.example.com:443", "exact origin"],
    ["*", "exact origin"],
    ["null", "exact origin"],
    ["http://app.example.com", "https"],
    ["http://127.0.0.1:5174", "https"],
    [42, "exact origin"],
  ])("refuses %s, named by path, never quoted", (origin, reason) => {
    const parsed = parseClients(entry([origin]), allow("127.0.0.1:5173"))
    expect(!parsed.ok && parsed.reason).toMatch(/^CLIENTS\[0\]\.allowedOrigins\[0\] /)
    expect(!parsed.ok && parsed.reason).toContain(reason)
    if (typeof origin === "string" && origin.length > 4)
      expect(!parsed.ok && parsed.reason).not.toContain(origin)
  })

  it("refuses what is not a list", () => {
    const parsed = parseClients(entry(WEB), allow(""))
    expect(!parsed.ok && parsed.reason).toMatch(/^CLIENTS\[0\]\.allowedOrigins must /)
  })

  it("a bad origin stops the gateway (500 naming it)", async () => {
    const broken = await answer(
      await request(
        "/v1/me",
        { headers: { authorization: `Bearer ${tokens.server}` } },
        {
          ...env,
          CLIENTS: entry(["http://app.example.com"]),
        },
      ),
    )
    expect(broken.status).toBe(500)
    expect(broken.json.error.message).toMatch(/^CLIENTS\[0\]\.allowedOrigins\[0\] /)
  })
})
