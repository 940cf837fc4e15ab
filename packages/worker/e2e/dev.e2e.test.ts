import { type ChildProcess, spawn } from "node:child_process"
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { eventually } from "./stack.js"

// `pnpm dev` as a newcomer runs it (the root script after its build step): the gateway,
// the emulator and the webhook receiver on their documented ports, both development
// clients — and afterwards nothing secret in what wrangler dev left on disk.
const root = fileURLToPath(new URL("../../..", import.meta.url))
const workerDir = fileURLToPath(new URL("..", import.meta.url))
const GATEWAY = "http://127.0.0.1:8787"
const DEV_SECRETS = ["dev-key", "dev-token", "dev-callback-signing-key-not-secret", "whsec_ZGV2"]

let dev: ChildProcess
const output: Array<string> = []

beforeAll(async () => {
  for (const built of [
    "packages/emulator/dist/bin.js",
    "packages/core/dist/webhooks/standardWebhooks.js",
  ])
    if (!existsSync(join(root, built)))
      throw new Error(`build first (pnpm build): ${built} is missing`)
  const busy = await fetch(`${GATEWAY}/health`).then(
    () => true,
    () => false,
  )
  if (busy) throw new Error("port 8787 is in use: stop the running `pnpm dev` before this test")
  dev = spawn(process.execPath, [join(root, "scripts/dev.mjs")], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NO_COLOR: "1" },
  })
  for (const stream of [dev.stdout, dev.stderr])
    stream?.on("data", (chunk: Buffer) => output.push(...chunk.toString().split("\n")))
  const deadline = Date.now() + 90_000
  for (;;) {
    if (Date.now() > deadline) throw new Error(`pnpm dev did not start:\n${output.join("\n")}`)
    if (dev.exitCode !== null) throw new Error(`pnpm dev exited:\n${output.join("\n")}`)
    const up = await fetch(`${GATEWAY}/health`).then(
      (r) => r.ok,
      () => false,
    )
    if (up) break
    await new Promise((r) => setTimeout(r, 250))
  }
}, 120_000)

afterAll(async () => {
  if (dev !== undefined && dev.exitCode === null) {
    const exited = new Promise((resolve) => dev.once("exit", resolve))
    dev.kill("SIGINT")
    const timer = setTimeout(() => dev.kill("SIGKILL"), 10_000)
    await exited
    clearTimeout(timer)
  }
  await gatewayGone()
})

/** Waits (bounded) until wrangler dev has let go of its port: the next test may start its own. */
const gatewayGone = async () => {
  for (let i = 0; i < 60; i++) {
    const up = await fetch(`${GATEWAY}/health`).then(
      () => true,
      () => false,
    )
    if (!up) return
    await new Promise((r) => setTimeout(r, 250))
  }
}

const tts = (token: string, phoneNumbers: string) =>
  fetch(`${GATEWAY}/v1/tts/send`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ phoneNumbers, text: "Bonjour, ceci est un test." }),
  })

describe("pnpm dev", () => {
  it("serves both development clients, each its own events, verified by the receiver", async () => {
    const first = await tts("dev-token", "06 12 34 56 78")
    expect(first.status).toBe(200)
    const second = await tts("dev-token-2", "06 12 34 56 79")
    expect(second.status).toBe(200)
    const { campaignId } = (await first.json()) as { campaignId: string }
    // Each client sees its own send only.
    const own = await fetch(`${GATEWAY}/v1/campaigns/${campaignId}`, {
      headers: { authorization: "Bearer dev-token" },
    })
    expect(own.status).toBe(200)
    const other = await fetch(`${GATEWAY}/v1/campaigns/${campaignId}`, {
      headers: { authorization: "Bearer dev-token-2" },
    })
    expect(other.status).toBe(404)
    await eventually(
      () =>
        output.some((l) => l.startsWith("[webhook dev] ") && l.includes("verified")) &&
        output.some((l) => l.startsWith("[webhook dev2] ") && l.includes("verified")),
      20_000,
      "both clients' events verified by the receiver",
    )
  }, 60_000)

  it("leaves no development secret under .wrangler once stopped", async () => {
    const exited = new Promise((resolve) => dev.once("exit", resolve))
    dev.kill("SIGINT")
    await exited
    await gatewayGone()
    const leaks: Array<string> = []
    const walk = (dir: string) => {
      if (!existsSync(dir)) return
      for (const name of readdirSync(dir)) {
        const path = join(dir, name)
        if (statSync(path).isDirectory()) walk(path)
        else {
          const bytes = readFileSync(path).toString("latin1")
          for (const secret of DEV_SECRETS)
            if (bytes.includes(secret)) leaks.push(`${path}: ${secret}`)
          // Stored state only: bundles in .wrangler/tmp contain the route's literal.
          if (path.includes(`${join(".wrangler", "state")}`) && bytes.includes("/callbacks/"))
            leaks.push(`${path}: a callback URL`)
        }
      }
    }
    walk(join(workerDir, ".wrangler"))
    expect(leaks).toEqual([])
  }, 30_000)
})
