import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { fileURLToPath } from "node:url"
import { build } from "esbuild"
import { convertV4MiniflareOptions, Miniflare } from "miniflare"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

// The same emulator as a Worker, in workerd (what `wrangler dev` runs), with a callback
// delivered to a receiver on 127.0.0.1.
let mf: Miniflare
let receiver: Server
let hookUrl: string
const received: Array<unknown> = []

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let text = ""
    req.on("data", (chunk: Buffer) => (text += chunk))
    req.on("end", () => {
      received.push(JSON.parse(text))
      res.end("ok")
    })
  })
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve))
  hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`
  const bundle = await build({
    entryPoints: [fileURLToPath(new URL("../src/worker.ts", import.meta.url))],
    bundle: true,
    format: "esm",
    platform: "browser",
    write: false,
    logLevel: "silent",
  })
  mf = new Miniflare(
    convertV4MiniflareOptions({
      modules: true,
      script: bundle.outputFiles[0]?.text ?? "",
      compatibilityDate: "2026-10-01",
      bindings: {
        VOICEPARTNER_EMULATOR_KEYS: "dev-key",
        CALLBACK_DELAY_MS: "100",
        VOICEPARTNER_EMULATOR_CREDITS: "5000",
        RATE_LIMITS: "true",
      },
    }),
  )
})

afterAll(async () => {
  await mf.dispose()
  await new Promise<void>((resolve) => receiver.close(() => resolve()))
})

describe("emulator under workerd", () => {
  it("answers like the provider and delivers callbacks", async () => {
    const me = await mf.dispatchFetch("http://emulator/v1/me/dev-key")
    expect(await me.json()).toMatchObject({ success: true, credit: "5000.00" })
    const sent = await mf.dispatchFetch("http://emulator/v1/tts/send", {
      method: "POST",
      body: JSON.stringify({
        apiKey: "dev-key",
        phoneNumbers: "0612345678",
        text: "Bonjour",
        notifyUrl: hookUrl,
      }),
    })
    expect(sent.status).toBe(200)
    expect(sent.headers.get("x-ratelimit-limit")).toBe("2000")
    for (let i = 0; i < 50 && received.length === 0; i++)
      await new Promise((r) => setTimeout(r, 100))
    expect(received).toEqual([
      expect.objectContaining({ status: "delivered", phoneNumber: "0033612345678" }),
    ])
    const wrong = await mf.dispatchFetch("http://emulator/v1/me/nope")
    expect(wrong.status).toBe(401)
  })
})
