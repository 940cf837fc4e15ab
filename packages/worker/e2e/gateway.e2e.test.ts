import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { verifyWebhook } from "@voicepartner/core/webhooks/standardWebhooks"
import type { EmulatorServer } from "@voicepartner/emulator/node"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  eventually,
  type Gateway,
  SECRETS,
  startEmulator,
  startGateway,
  startReceiver,
  TOKENS,
  WEBHOOK_SECRET,
} from "./stack.js"

const execFileAsync = promisify(execFile)

let emulator: EmulatorServer
let gateway: Gateway
let receiver: Awaited<ReturnType<typeof startReceiver>>

beforeAll(async () => {
  emulator = await startEmulator()
  // Every event fails its first two tries.
  receiver = await startReceiver((_id, attempt) => (attempt <= 2 ? 500 : 204))
  gateway = await startGateway({
    upstreamBaseUrl: emulator.baseUrl,
    webhookUrl: receiver.url,
    retrySchedule: "1,2,2,2",
  })
}, 120_000)

afterAll(async () => {
  await gateway?.close()
  await receiver?.close()
  await emulator?.close()
})

const post = (path: string, token: string, body: unknown) =>
  fetch(`${gateway.url}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  })

const drop = (token: string, n: number) =>
  post("/v1/campaign/send", token, {
    phoneNumbers: `06123456${String(n).padStart(2, "0")}`,
    tokenAudio: "dev-audio",
    emailForNotification: "ops@example.com",
  })

const upstreamSends = (path: string) =>
  emulator.emulator.requests().filter((r) => r.path.endsWith(path) && r.status === 200)

describe("gateway end to end (wrangler dev + emulator + receiver)", () => {
  it("a burst of 20 voicemail drops from 4 clients: exactly 5 reach Voice Partner, 15 get 429", async () => {
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => drop(TOKENS[i % 4] as string, i)),
    )
    const statuses = answers.map((a) => a.status)
    expect(statuses.filter((s) => s === 200)).toHaveLength(5)
    expect(statuses.filter((s) => s === 429)).toHaveLength(15)
    expect(upstreamSends("/campaign/send")).toHaveLength(5)
    expect(emulator.emulator.requests().filter((r) => r.status === 429)).toHaveLength(0)
    for (const a of answers.filter((x) => x.status === 429)) {
      const retryAfter = Number(a.headers.get("retry-after"))
      expect(retryAfter).toBeGreaterThanOrEqual(55)
      expect(retryAfter).toBeLessThanOrEqual(60)
      expect(a.headers.get("ratelimit")).toMatch(/^"campaign-send-60s";r=0;t=\d+/)
    }
  }, 60_000)

  it("delivers each voice SMS status once, signed, through duplicates, reordering, receiver failures and a restart", async () => {
    await fetch(`${emulator.baseUrl.replace(/\/v1$/, "")}/__emulator/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ duplicateCallbacks: true, reorderCallbacks: true, seed: 3 }),
    })
    const sent = await post("/v1/tts/send", TOKENS[0] as string, {
      phoneNumbers: "0611111101,0611111102,0611111199",
      text: "Votre rendez-vous est demain à 9 h",
    })
    expect(sent.status).toBe(200)
    const { campaignId } = (await sent.json()) as { campaignId: string }
    // Six callbacks (3 numbers, each twice) answered by the gateway, then the first tries fail.
    const callbacks = () => emulator.emulator.callbacks().filter((c) => c.campaignId === campaignId)
    await eventually(() => callbacks().length === 6, 20_000, "provider callbacks")
    await eventually(() => callbacks().every((c) => c.delivered), 20_000, "callbacks answered")
    await eventually(() => receiver.received.length >= 3, 20_000, "first forwarding attempts")

    // Restart mid-flight: pending forwards and the quota must survive.
    await gateway.restart()
    const late = await drop(TOKENS[1] as string, 99)
    expect(late.status).toBe(429)
    expect(upstreamSends("/campaign/send")).toHaveLength(5)

    // Only this campaign's events (the burst's voicemail drops are forwarded too).
    const ours = () =>
      receiver.received.filter(
        (r) =>
          (JSON.parse(r.body) as { data: { campaignId: string } }).data.campaignId === campaignId,
      )
    const delivered = () => ours().filter((r) => r.status === 204)
    await eventually(() => delivered().length === 3, 45_000, "three delivered events")
    for (const r of ours()) {
      await verifyWebhook({
        secret: WEBHOOK_SECRET,
        headers: r.headers as Record<string, string>,
        payload: r.body,
      })
    }
    const events = delivered().map(
      (r) =>
        JSON.parse(r.body) as { data: { phoneNumber: string; status: string; campaignId: string } },
    )
    expect(events.map((e) => e.data.phoneNumber).sort()).toEqual([
      "+33611111101",
      "+33611111102",
      "+33611111199",
    ])
    expect(new Set(delivered().map((r) => r.headers["webhook-id"])).size).toBe(3)
    for (const e of events) expect(e.data.campaignId).toBe(campaignId)
    // Each event: two failures then one success, never more.
    expect(ours()).toHaveLength(9)

    const view = (await (
      await fetch(`${gateway.url}/v1/campaigns/${campaignId}`, {
        headers: { authorization: `Bearer ${TOKENS[0]}` },
      })
    ).json()) as { events: Array<{ delivery: { state: string; attempts: number } }> }
    expect(view.events.map((e) => [e.delivery.state, e.delivery.attempts])).toEqual([
      ["delivered", 3],
      ["delivered", 3],
      ["delivered", 3],
    ])
  }, 120_000)

  it("the CLI sends and reads a campaign's status through the gateway", async () => {
    const cli = fileURLToPath(new URL("../../cli/dist/voicepartner.mjs", import.meta.url))
    const env = { ...process.env, VOICEPARTNER_TOKEN: TOKENS[2] as string, NO_COLOR: "1" }
    const run = (args: ReadonlyArray<string>) =>
      execFileAsync(process.execPath, [cli, ...args, "--gateway", gateway.url], {
        env,
        timeout: 30_000,
      })
    const sent = await run([
      "tts",
      "send",
      "Rappel de votre rendez-vous",
      "--to",
      "0611111103",
      "--json",
    ])
    const summary = JSON.parse(sent.stdout) as { ok: boolean; campaignIds: Array<string> }
    expect(summary.ok).toBe(true)
    const [campaignId] = summary.campaignIds
    await eventually(
      () => emulator.emulator.callbacks().some((c) => c.campaignId === campaignId && c.delivered),
      20_000,
      "the CLI send's callback",
    )
    const status = await run(["campaign", "status", campaignId as string])
    const view = JSON.parse(status.stdout) as {
      send: { outcome: string }
      events: Array<{ status: string }>
    }
    expect(view.send.outcome).toBe("sent")
    expect(view.events.map((e) => e.status)).toEqual(["delivered"])
    const credits = await run(["credits", "--json"])
    expect(credits.stdout).toContain("credit")
    for (const output of [sent, status, credits])
      for (const secret of SECRETS) expect(output.stdout + output.stderr).not.toContain(secret)
  }, 60_000)

  it("no secret in any log line of the run", () => {
    // wrangler's own local access log ("[wrangler:info] GET /path 200") prints raw URLs,
    // as Cloudflare's request logs do; the gateway's own lines never carry one.
    const lines = gateway.logs.filter((line) => !/^\[wrangler:info\] [A-Z]+ \//.test(line))
    expect(lines.some((l) => l.includes('"msg":"request"'))).toBe(true)
    for (const line of lines) {
      for (const secret of SECRETS) expect(line).not.toContain(secret)
      // A minted callback URL: /callbacks/<client>/<send uuid>/…
      expect(line).not.toMatch(/\/callbacks\/[\w-]+\/[0-9a-f]{8}-/)
    }
  })
})
