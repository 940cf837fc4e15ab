// A real browser (headless Chromium, playwright-core) on a page served from another
// 127.0.0.1 port calls a real `wrangler dev` gateway with `fetch` and a Bearer token: the
// preflight and the send pass for an origin in the client's `allowedOrigins`; the same
// page from an origin that is not allowed is refused by the browser (its fetch rejects)
// and nothing reaches Voice Partner (the Node emulator).
//
// Needs Chromium at /usr/bin/chromium (Debian: `apt-get install -y chromium`), or
// CHROMIUM_PATH; the test fails, never skips, without it.

import { createHash } from "node:crypto"
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { EmulatorServer } from "@voicepartner/emulator/node"
import { type BrowserContext, chromium } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  type Gateway,
  startEmulator,
  startGateway,
  startReceiver,
  TOKENS,
  WEBHOOK_SECRET,
} from "./stack.js"

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium"
const PAGE = readFileSync(new URL("./fixtures/browserPage.html", import.meta.url), "utf8")
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex")

/** A web app's server: the same page on its own 127.0.0.1 port (origin). */
const startPage = async (): Promise<{ origin: string; close: () => Promise<void> }> => {
  const server: Server = createServer((req, res) => {
    if (req.url !== "/") return void res.writeHead(404).end()
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(PAGE)
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

const web = TOKENS[0] as string
const server = TOKENS[1] as string

let emulator: EmulatorServer
let gateway: Gateway
let receiver: Awaited<ReturnType<typeof startReceiver>>
let allowed: Awaited<ReturnType<typeof startPage>>
let other: Awaited<ReturnType<typeof startPage>>
let context: BrowserContext
let profile: string

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium, or set CHROMIUM_PATH`)
  emulator = await startEmulator()
  receiver = await startReceiver(() => 204)
  allowed = await startPage()
  other = await startPage()
  const hostPort = (url: string) => new URL(url).host
  gateway = await startGateway({
    upstreamBaseUrl: emulator.baseUrl,
    webhookUrl: receiver.url,
    retrySchedule: "1,2",
    vars: {
      // The page's plain-http origin must be allow-listed, as for outbound URLs.
      OUTBOUND_HTTP_ALLOW: `${hostPort(receiver.url)},${hostPort(allowed.origin)}`,
      CLIENTS: JSON.stringify([
        {
          id: "web-app",
          tokenSha256: sha256(web),
          webhookUrl: receiver.url,
          webhookSecret: WEBHOOK_SECRET,
          allowedOrigins: [allowed.origin],
        },
        { id: "server-app", tokenSha256: sha256(server) },
      ]),
    },
  })
  profile = mkdtempSync(join(tmpdir(), "vp-chromium-"))
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      // Nothing but 127.0.0.1 resolves: the browser cannot reach the internet.
      "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    ],
  })
}, 120_000)

afterAll(async () => {
  await context?.close()
  if (profile !== undefined) rmSync(profile, { recursive: true, force: true })
  await gateway?.close()
  await allowed?.close()
  await other?.close()
  await receiver?.close()
  await emulator?.close()
})

interface PageResult {
  readonly status?: number
  readonly body?: { campaignId?: string; success?: boolean }
  readonly sendId?: string | null
  readonly rateLimit?: string | null
  readonly rateLimitPolicy?: string | null
  readonly rejected?: string
}

/** Opens the page on `origin` and sends a voice SMS from it with `token`. */
const sendFrom = async (origin: string, token: string, phoneNumbers: string) => {
  const page = await context.newPage()
  const preflights: Array<number> = []
  page.on("response", (response) => {
    if (response.request().method() === "OPTIONS") preflights.push(response.status())
  })
  try {
    await page.goto(`${origin}/`)
    const result = (await page.evaluate(
      ([gatewayUrl, bearer, numbers]) =>
        (
          globalThis as unknown as {
            sendVoiceSms: (g: string, t: string, n: string) => Promise<unknown>
          }
        ).sendVoiceSms(gatewayUrl as string, bearer as string, numbers as string),
      [gateway.url, token, phoneNumbers],
    )) as PageResult
    return { result, preflights }
  } finally {
    await page.close()
  }
}

const upstreamSends = () =>
  emulator.emulator.requests().filter((r) => r.path.endsWith("/tts/send") && r.method === "POST")

describe("a web app in a browser", () => {
  it("on an allowed origin: preflight, then a voice SMS sent with fetch and a Bearer token (200)", async () => {
    const { result } = await sendFrom(allowed.origin, web, "06 12 34 56 78")
    expect(result.rejected).toBeUndefined()
    expect(result.status).toBe(200)
    expect(result.body?.success).toBe(true)
    expect(result.body?.campaignId).toMatch(/^NDA_/)
    // Exposed to the page's script: the gateway's fields.
    expect(result.sendId).toMatch(/^[0-9a-f-]{36}$/)
    expect(result.rateLimit).toMatch(/^"tts-send-3600s";r=\d+;t=\d+/)
    expect(result.rateLimitPolicy).toContain("tts-send-3600s")
    expect(upstreamSends()).toHaveLength(1)
  })

  it("the same page on an origin no client allows: the browser's fetch rejects, nothing sent", async () => {
    const { result } = await sendFrom(other.origin, web, "06 12 34 56 79")
    expect(result.status).toBeUndefined()
    expect(result.rejected).toMatch(/TypeError/)
    expect(upstreamSends()).toHaveLength(1)
  })

  it("an allowed origin with a token whose client does not allow it: refused, nothing sent", async () => {
    const { result } = await sendFrom(allowed.origin, server, "06 12 34 56 79")
    expect(result.rejected).toMatch(/TypeError/)
    expect(upstreamSends()).toHaveLength(1)
  })
})
