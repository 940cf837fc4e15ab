import { readdirSync, readFileSync, statSync } from "node:fs"
import { join } from "node:path"
import { type EmulatorServer, startEmulatorServer } from "@voicepartner/emulator/node"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  CALLBACK_KEY,
  eventually,
  type Gateway,
  SECRETS,
  startGateway,
  startReceiver,
  TOKENS,
  UPSTREAM_KEY,
} from "./stack.js"

// The runtime matters here: a client that really closes its TCP connection, an upstream
// port that really refuses connections, and what wrangler dev writes to disk.
let emulator: EmulatorServer
let port: number
let gateway: Gateway
let receiver: Awaited<ReturnType<typeof startReceiver>>

const startUpstream = (at = 0) =>
  startEmulatorServer({ port: at, apiKeys: [UPSTREAM_KEY], callbackDelayMs: 200 })

beforeAll(async () => {
  emulator = await startUpstream()
  port = Number(new URL(emulator.baseUrl).port)
  receiver = await startReceiver(() => 204)
  gateway = await startGateway({
    upstreamBaseUrl: emulator.baseUrl,
    webhookUrl: receiver.url,
    retrySchedule: "1,2",
  })
}, 120_000)

afterAll(async () => {
  await gateway?.close()
  await receiver?.close()
  await emulator?.close()
})

const send = (
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
  signal?: AbortSignal,
) =>
  fetch(`${gateway.url}${path}`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${TOKENS[0]}`,
      "content-type": "application/json",
      ...headers,
    },
    body: JSON.stringify(body),
    ...(signal !== undefined && { signal }),
  })

describe("safety under wrangler dev", () => {
  it("an upstream that refuses connections leaves the Idempotency-Key free; after recovery the retry sends", async () => {
    await emulator.close()
    const body = { phoneNumbers: "0612345678", text: "Bonjour" }
    const down = await send("/v1/tts/send", body, { "idempotency-key": "e2e-down-1" })
    expect(down.status).toBe(502)
    expect(((await down.json()) as { error: { code: string } }).error.code).toBe(
      "UPSTREAM_UNREACHABLE",
    )
    emulator = await startUpstream(port)
    const back = await send("/v1/tts/send", body, { "idempotency-key": "e2e-down-1" })
    expect(back.status).toBe(200)
    expect(back.headers.get("idempotent-replayed")).toBeNull()
    expect(emulator.emulator.requests().filter((r) => r.path.endsWith("/tts/send"))).toHaveLength(1)
  }, 30_000)

  it("a connection dropped after the upstream took the request stays 'outcome unknown' and is never resent", async () => {
    emulator.emulator.setFaults({ dropAfterRate: 1, seed: 1 })
    const body = { phoneNumbers: "0612345677", text: "Bonjour" }
    const before = emulator.emulator.requests().length
    const first = await send("/v1/tts/send", body, { "idempotency-key": "e2e-drop-1" })
    expect(first.status).toBe(502)
    expect(((await first.json()) as { error: { code: string } }).error.code).toBe(
      "UPSTREAM_OUTCOME_UNKNOWN",
    )
    emulator.emulator.setFaults({})
    const again = await send("/v1/tts/send", body, { "idempotency-key": "e2e-drop-1" })
    expect(again.headers.get("idempotent-replayed")).toBe("true")
    expect(emulator.emulator.requests().slice(before)).toHaveLength(1)
  }, 30_000)

  it("leaves no secret and no signed callback URL in any file wrangler dev wrote", async () => {
    // Touch every path that carries a secret: the key in upstream paths, a drop-in token
    // in ours, a minted callback URL handed to the provider and called back.
    await fetch(`${gateway.url}/v1/me`, { headers: { authorization: `Bearer ${TOKENS[0]}` } })
    await fetch(`${gateway.url}/v1/me/${TOKENS[1]}`)
    const sent = await send("/v1/tts/send", { phoneNumbers: "0612345601", text: "Bonjour" })
    expect(sent.status).toBe(200)
    await eventually(() => receiver.received.length > 0, 15_000, "a forwarded callback")
    await gateway.stop()
    const leaks: Array<string> = []
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name)
        if (statSync(path).isDirectory()) walk(path)
        else {
          const bytes = readFileSync(path).toString("latin1")
          for (const secret of [...SECRETS, CALLBACK_KEY, "/callbacks/"])
            if (bytes.includes(secret))
              leaks.push(
                `${path} holds ${secret === "/callbacks/" ? "a callback URL" : "a secret"}`,
              )
        }
      }
    }
    walk(gateway.stateDir)
    expect(leaks).toEqual([])
  }, 60_000)
})
