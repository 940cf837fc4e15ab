// What the benchmarks share: the emulator as its own Node process and the gateway served
// by workerd with the benchmark's bindings.
import { type ChildProcess, spawn } from "node:child_process"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { freePort, gatewayBindings, UPSTREAM_KEY } from "../e2e/stack.ts"
import type { WorkerdOptions } from "./workerd.ts"

export const COMPATIBILITY_DATE = "2026-10-01"

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** The emulator with limits off, credit raised and callbacks deferred. */
export const startEmulatorProcess = async (): Promise<{ url: string; child: ChildProcess }> => {
  const port = await freePort()
  const bin = fileURLToPath(new URL("../../emulator/dist/bin.js", import.meta.url))
  const child = spawn(
    process.execPath,
    [
      bin,
      "--port",
      String(port),
      "--api-key",
      UPSTREAM_KEY,
      "--no-rate-limit",
      "--callback-delay",
      "3600000",
      "--credits",
      "100000000",
    ],
    { stdio: "ignore" },
  )
  const url = `http://127.0.0.1:${port}`
  let up = false
  for (let i = 0; i < 100 && !up; i++) {
    up = await fetch(`${url}/v1/me/${UPSTREAM_KEY}`).then(
      (r) => r.status < 500,
      () => false,
    )
    if (!up) await sleep(100)
  }
  if (!up) {
    child.kill("SIGTERM")
    throw new Error("the emulator did not start")
  }
  return { url, child }
}

/** `wrangler.jsonc` without its comments (strings, URLs included, kept as they are). */
const wranglerConfig = (): {
  readonly durable_objects?: {
    readonly bindings?: ReadonlyArray<{ readonly name: string; readonly class_name: string }>
  }
} => {
  const text = readFileSync(new URL("../wrangler.jsonc", import.meta.url), "utf8")
  const json = text.replace(
    /("(?:[^"\\]|\\.)*")|\/\/[^\n]*|\/\*[\s\S]*?\*\//g,
    (_, string) => string ?? "",
  )
  return JSON.parse(json.replace(/,(\s*[\]}])/g, "$1"))
}

/**
 * The Durable Objects of `wrangler.jsonc` that the bundle exports (binding → class): a
 * build from another tree (`COMPARE_BUNDLE`) may have fewer.
 */
const durableObjectsOf = (module: string): Record<string, string> => {
  const bundle = readFileSync(module, "utf8")
  return Object.fromEntries(
    (wranglerConfig().durable_objects?.bindings ?? [])
      .filter((b) => new RegExp(`\\b${b.class_name}\\b`).test(bundle))
      .map((b) => [b.name, b.class_name]),
  )
}

/**
 * How workerd serves a gateway bundle: its Durable Objects (as `wrangler.jsonc` binds
 * them), four clients, the voice SMS quota raised with `RATE_LIMIT_POLICY` so that the run
 * is not refused; voicemail drops keep the documented 5/min.
 */
export const gatewayOptions = (
  module: string,
  emulatorUrl: string,
  webhookUrl: string,
  /** More bindings, e.g. `{ "REQUEST_LOG": "off" }`. */
  vars: Readonly<Record<string, string>> = {},
): WorkerdOptions => ({
  module,
  compatibilityDate: COMPATIBILITY_DATE,
  compatibilityFlags: ["enable_request_signal"],
  durableObjects: durableObjectsOf(module),
  bindings: gatewayBindings({
    upstreamBaseUrl: `${emulatorUrl}/v1`,
    webhookUrl,
    retrySchedule: "60",
    vars: {
      RATE_LIMIT_POLICY: JSON.stringify({
        "tts/send": [{ limit: 10_000_000, windowMs: 3_600_000 }],
      }),
      ...vars,
    },
  }),
})

/** The voicemail drop the flood repeats, and a voice SMS as the gateway takes it. */
export const DROP_BODY = JSON.stringify({
  phoneNumbers: "0612345678",
  tokenAudio: "dev-audio",
  emailForNotification: "ops@example.com",
})
export const TTS_BODY = JSON.stringify({ phoneNumbers: "0612345678", text: "Bonjour" })

/**
 * Sends voicemail drops (as `token`'s client) until one is refused for longer than
 * `forMs`: the quota is then exhausted for at least that long.
 */
export const exhaustDrops = async (gatewayUrl: string, token: string, forMs: number) => {
  for (let i = 0; i < 30; i++) {
    const r = await fetch(`${gatewayUrl}/v1/campaign/send`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: DROP_BODY,
    })
    await r.text()
    if (r.status === 429) {
      const after = Number(r.headers.get("retry-after")) * 1000
      if (after > forMs) return
      await sleep(after) // the window frees soon: fill it again
    } else if (r.status !== 200) throw new Error(`exhausting the quota: drop answered ${r.status}`)
  }
  throw new Error("the voicemail drop quota could not be exhausted")
}
