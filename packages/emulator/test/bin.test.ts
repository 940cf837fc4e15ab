import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import { existsSync, readdirSync, statSync } from "node:fs"
import { createServer } from "node:net"
import { fileURLToPath } from "node:url"
import { afterEach, beforeAll, describe, expect, it } from "vitest"

// The built command line, as `pnpm --filter @voicepartner/emulator start -- …` runs it.
const root = fileURLToPath(new URL("..", import.meta.url))
const bin = fileURLToPath(new URL("../dist/bin.js", import.meta.url))

beforeAll(() => {
  // Build when dist/ is missing or older than a source file (turbo builds before `test`).
  const newestSource = Math.max(
    ...readdirSync(new URL("../src", import.meta.url)).map(
      (f) => statSync(new URL(`../src/${f}`, import.meta.url)).mtimeMs,
    ),
  )
  if (!existsSync(bin) || statSync(bin).mtimeMs < newestSource) {
    execFileSync(process.execPath, [tsc(), "-p", "tsconfig.build.json"], {
      cwd: root,
      stdio: "inherit",
    })
  }
}, 60_000)

const tsc = () => fileURLToPath(new URL("../node_modules/typescript/bin/tsc", import.meta.url))

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const probe = createServer()
    probe.once("error", reject)
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address()
      probe.close(() => resolve(typeof address === "object" && address ? address.port : 0))
    })
  })

const running: Array<ChildProcess> = []
afterEach(async () => {
  for (const child of running.splice(0)) {
    if (child.exitCode !== null || child.signalCode !== null) continue
    const exited = new Promise((resolve) => child.once("exit", resolve))
    child.kill("SIGTERM")
    const timer = setTimeout(() => child.kill("SIGKILL"), 3_000)
    await exited
    clearTimeout(timer)
  }
})

/** Starts the bin and resolves with its base URL once it listens (10 s at most). */
const start = (args: ReadonlyArray<string>, env: Record<string, string> = {}) => {
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  })
  running.push(child)
  let output = ""
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening" in 10 s:\n${output}`)), 10_000)
    const read = (chunk: Buffer) => {
      output += chunk
      const m = /listening on (http:\/\/\S+)\/v1/.exec(output)
      if (m !== null) {
        clearTimeout(timer)
        resolve(m[1] as string)
      }
    }
    child.stdout?.on("data", read)
    child.stderr?.on("data", read)
    child.once("exit", (code) => {
      clearTimeout(timer)
      reject(new Error(`exited with ${code}:\n${output}`))
    })
  })
}

/** Runs the bin to completion (it must exit by itself within 10 s). */
const run = (args: ReadonlyArray<string>, env: Record<string, string> = {}) =>
  new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    })
    running.push(child)
    let output = ""
    child.stdout?.on("data", (chunk: Buffer) => (output += chunk))
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk))
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000)
    child.once("exit", (code) => {
      clearTimeout(timer)
      resolve({ code, output })
    })
  })

const sendTts = async (origin: string) => {
  const answer = await fetch(`${origin}/v1/tts/send`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ apiKey: "dev-key", phoneNumbers: "0612345678", text: "Bonjour" }),
  })
  return ((await answer.json()) as { campaignId: string }).campaignId
}

describe("voicepartner-emulator bin", () => {
  it("accepts the `--` that `pnpm start -- --port N` passes through", async () => {
    const port = await freePort()
    const origin = await start(["--", "--port", String(port)])
    expect(origin).toBe(`http://127.0.0.1:${port}`)
    const answer = await fetch(`${origin}/v1/me/dev-key`)
    expect(answer.status).toBe(200)
    expect(await answer.json()).toMatchObject({ success: true, credit: "100.00" })
  })

  it("starts each key with VOICEPARTNER_EMULATOR_CREDITS, and --credits wins over it", async () => {
    const fromEnv = await start(["--port", "0"], { VOICEPARTNER_EMULATOR_CREDITS: "5000" })
    const me = await fetch(`${fromEnv}/v1/me/dev-key`)
    expect(await me.json()).toMatchObject({ credit: "5000.00" })
    const fromFlag = await start(["--port", "0", "--credits", "12.5"], {
      VOICEPARTNER_EMULATOR_CREDITS: "5000",
    })
    expect(await (await fetch(`${fromFlag}/v1/me/dev-key`)).json()).toMatchObject({
      credit: "12.50",
    })
  })

  it("refuses a credit that is not an amount, naming the variable", async () => {
    const bad = await run(["--port", "0"], { VOICEPARTNER_EMULATOR_CREDITS: "lots" })
    expect(bad.code).toBe(2)
    expect(bad.output).toContain("VOICEPARTNER_EMULATOR_CREDITS")
  })

  it("never hands out a campaign id again after a restart", async () => {
    const ids: Array<string> = []
    for (let restart = 0; restart < 2; restart++) {
      const origin = await start(["--port", "0"])
      for (let i = 0; i < 3; i++) ids.push(await sendTts(origin))
      const child = running.pop() as ChildProcess
      const exited = new Promise((resolve) => child.once("exit", resolve))
      child.kill("SIGTERM")
      await exited
    }
    expect(ids.every((id) => /^NDA_\d{8}_\d{10}$/.test(id))).toBe(true)
    expect(new Set(ids).size).toBe(6)
  })
})
