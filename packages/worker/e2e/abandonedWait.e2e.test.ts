import { existsSync } from "node:fs"
import { request } from "node:http"
import { fileURLToPath } from "node:url"
import type { EmulatorServer } from "@voicepartner/emulator/node"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { serveOnWorkerd, type WorkerdServer } from "../bench/workerd.js"
import { gatewayBindings, startEmulator, startReceiver, TOKENS } from "./stack.js"

// The built gateway on the workerd binary itself, as Cloudflare runs it: `wrangler dev`
// puts a proxy of its own in front of the Worker that does not pass a client's reset
// connection on, so the Worker could never learn that its caller left.
const bundle = fileURLToPath(new URL("../dist/index.js", import.meta.url))

let emulator: EmulatorServer
let receiver: Awaited<ReturnType<typeof startReceiver>>
let gateway: WorkerdServer

beforeAll(async () => {
  if (!existsSync(bundle))
    throw new Error("build the gateway first: pnpm --filter @voicepartner/worker build")
  emulator = await startEmulator()
  receiver = await startReceiver(() => 204)
  gateway = await serveOnWorkerd({
    module: bundle,
    compatibilityDate: "2026-10-01",
    compatibilityFlags: ["enable_request_signal"],
    durableObjects: { QUOTA: "QuotaObject", LEDGER: "ClientLedger" },
    bindings: gatewayBindings({
      upstreamBaseUrl: emulator.baseUrl,
      webhookUrl: receiver.url,
      retrySchedule: "1",
      // One voicemail drop per 5 s: a wait for a slot takes seconds, not a minute.
      vars: {
        RATE_LIMIT_POLICY: JSON.stringify({ "campaign/send": [{ limit: 1, windowMs: 5_000 }] }),
      },
    }),
  })
}, 60_000)

afterAll(async () => {
  await gateway?.close()
  await receiver?.close()
  await emulator?.close()
})

const drop = (n: number) =>
  JSON.stringify({
    phoneNumbers: `06123456${String(n).padStart(2, "0")}`,
    tokenAudio: "dev-audio",
    emailForNotification: "ops@example.com",
  })

/** A voicemail drop; with `leaveAfterMs`, the client resets its connection then. */
const post = (body: string, headers: Record<string, string>, leaveAfterMs?: number) =>
  new Promise<{ status: number; headers: Record<string, unknown> } | "left">((resolve, reject) => {
    const req = request(`${gateway.url}/v1/campaign/send`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${TOKENS[0]}`,
        "content-type": "application/json",
        ...headers,
      },
    })
    req.on("response", (res) => {
      res.resume()
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers }))
    })
    req.on("error", (error) => (leaveAfterMs === undefined ? reject(error) : resolve("left")))
    req.end(body)
    if (leaveAfterMs !== undefined)
      setTimeout(() => {
        req.socket?.resetAndDestroy()
        resolve("left")
      }, leaveAfterMs)
  })

const upstreamDrops = () =>
  emulator.emulator.requests().filter((r) => r.path.endsWith("/campaign/send") && r.status === 200)

describe("Prefer: wait ends with the client (workerd)", () => {
  it("sends nothing for a caller that left while waiting, and gives its slot to the next one", async () => {
    const first = await post(drop(1), {})
    expect(first).toMatchObject({ status: 200 })
    expect(await post(drop(2), { prefer: "wait=10" }, 1_000)).toBe("left")
    await new Promise((r) => setTimeout(r, 300))
    // The slot 5 s after the first drop is free again: the next caller waits for that
    // one (not for the one after it, 10 s after the first).
    const started = Date.now()
    const next = await post(drop(3), { prefer: "wait=10" })
    expect(next).toMatchObject({ status: 200 })
    expect(Date.now() - started).toBeLessThan(4_500)
    // The caller that left was never sent, even once its slot came.
    expect(upstreamDrops().map((r) => (r.body as { phoneNumbers: string }).phoneNumbers)).toEqual([
      "+33612345601",
      "+33612345603",
    ])
  }, 30_000)
})
