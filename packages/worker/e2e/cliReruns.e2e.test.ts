// Re-running a CLI send through the gateway never sends twice: each request carries an
// Idempotency-Key derived from what it sends, and the gateway replays what it has seen.
// Real `wrangler dev`, the Node emulator, and the built CLI (`pnpm --filter @voicepartner/cli build`).
import { execFile } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { seededRandom } from "@voicepartner/emulator/faults"
import type { EmulatorServer } from "@voicepartner/emulator/node"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  type Gateway,
  SECRETS,
  startEmulator,
  startGateway,
  startReceiver,
  TOKENS,
  UPSTREAM_KEY,
} from "./stack.js"

const execFileAsync = promisify(execFile)
const cli = fileURLToPath(new URL("../../cli/dist/voicepartner.mjs", import.meta.url))

let emulator: EmulatorServer
let gateway: Gateway
let receiver: Awaited<ReturnType<typeof startReceiver>>
const dir = mkdtempSync(join(tmpdir(), "vp-cli-reruns-"))
const numbersFile = join(dir, "clients.txt")
const notSentFile = join(dir, "not-sent.txt")
const NUMBERS = Array.from({ length: 1_200 }, (_, i) => `+3361${String(i).padStart(7, "0")}`)

beforeAll(async () => {
  emulator = await startEmulator()
  // 1,200 voice SMS cost 108 EUR a run; the default 100 EUR would refuse the last chunk.
  emulator.emulator.setCredit(10_000, UPSTREAM_KEY)
  receiver = await startReceiver(() => 204)
  gateway = await startGateway({
    upstreamBaseUrl: emulator.baseUrl,
    webhookUrl: receiver.url,
    retrySchedule: "1,2",
  })
  writeFileSync(numbersFile, `${NUMBERS.map((n) => `0${n.slice(3)}`).join("\n")}\n`)
}, 120_000)

afterAll(async () => {
  await gateway?.close()
  await receiver?.close()
  await emulator?.close()
  rmSync(dir, { recursive: true, force: true })
})

interface Summary {
  readonly ok: boolean
  readonly numbersSent: number
  readonly replayed: number
  readonly failed: ReadonlyArray<{ chunk: number; mayHaveBeenSent: boolean }>
}

/** The same command every time (a user pressing ↑ Enter), plus `extra`. */
const send = async (...extra: Array<string>) => {
  const args = [
    cli,
    "tts",
    "send",
    "Rappel : votre rendez-vous est demain à 10 heures",
    "--to-file",
    numbersFile,
    "--gateway",
    gateway.url,
    "--failed-out",
    notSentFile,
    "--json",
    ...extra,
  ]
  const env = { ...process.env, VOICEPARTNER_TOKEN: TOKENS[0] as string, NO_COLOR: "1" }
  const r = await execFileAsync(process.execPath, args, { env, timeout: 60_000 }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  )
  for (const secret of SECRETS) expect(r.stdout + r.stderr).not.toContain(secret)
  return { code: r.code, stderr: r.stderr, summary: JSON.parse(r.stdout) as Summary }
}

/** How many times the emulator received each number, over every voice SMS request. */
const receivedPerNumber = () => {
  const counts = new Map<string, number>()
  for (const r of emulator.emulator.requests())
    if (r.endpoint === "tts/send")
      for (const n of String((r.body as { phoneNumbers?: string }).phoneNumbers ?? "").split(","))
        counts.set(n, (counts.get(n) ?? 0) + 1)
  return counts
}

/**
 * A seed for `dropAfterRate: 0.5` under which the emulator processes the 1st and 3rd
 * requests normally and processes then drops the 2nd (one random draw per request).
 */
const seedDroppingSecond = (): number => {
  for (let seed = 1; ; seed++) {
    const random = seededRandom(seed)
    const [a, b, c] = [random(), random(), random()] as [number, number, number]
    if (a >= 0.5 && b < 0.5 && c >= 0.5) return seed
  }
}

describe("CLI re-runs through the gateway (wrangler dev + emulator)", () => {
  it("a re-run replays what went out, even a chunk whose answer was lost; --resend sends again", async () => {
    // Run 1: the second request is processed upstream (sent, charged) and its answer lost.
    emulator.emulator.setFaults({ dropAfterRate: 0.5, seed: seedDroppingSecond() })
    const first = await send()
    emulator.emulator.setFaults({})
    expect(first.code).toBe(1)
    expect(first.summary.numbersSent).toBe(700)
    expect(first.summary.failed).toEqual([
      expect.objectContaining({ chunk: 1, mayHaveBeenSent: true }),
    ])
    expect(readFileSync(notSentFile, "utf8").trim().split("\n")).toHaveLength(500)
    const afterFirst = receivedPerNumber()
    expect(afterFirst.size).toBe(1_200)
    expect([...afterFirst.values()].every((n) => n === 1)).toBe(true)
    const requestsAfterFirst = emulator.emulator.requests().length

    // Run 2, the same command: every request is answered from the gateway's store.
    const second = await send()
    expect(second.summary.replayed).toBe(3)
    expect(second.code).toBe(1) // the lost answer is replayed as it was: outcome unknown
    expect(emulator.emulator.requests().length).toBe(requestsAfterFirst) // nothing reached upstream
    const afterSecond = receivedPerNumber()
    expect(NUMBERS.every((n) => afterSecond.get(n) === 1)).toBe(true) // each number exactly once

    // Run 3: --resend is a deliberate send again: new keys, every number once more.
    const third = await send("--resend")
    expect(third.code).toBe(0)
    expect(third.summary).toMatchObject({ ok: true, numbersSent: 1_200, replayed: 0 })
    const afterThird = receivedPerNumber()
    expect(NUMBERS.every((n) => afterThird.get(n) === 2)).toBe(true)
  }, 120_000)

  it("the human report says what was replayed and how to send again", async () => {
    const env = { ...process.env, VOICEPARTNER_TOKEN: TOKENS[0] as string, NO_COLOR: "1" }
    const before = emulator.emulator.requests().length
    // Without --resend, the same command finds run 1's keys again.
    const r = await execFileAsync(
      process.execPath,
      [
        cli,
        "tts",
        "send",
        "Rappel : votre rendez-vous est demain à 10 heures",
        "--to-file",
        numbersFile,
        "--gateway",
        gateway.url,
        "--failed-out",
        notSentFile,
      ],
      { env, timeout: 60_000 },
    ).catch((e: { stdout: string; stderr: string }) => e)
    expect(r.stderr).toContain("Idempotency-Key")
    expect(r.stderr).toContain(
      "3 requests were answered by the gateway from an earlier run of this command",
    )
    expect(r.stderr).toContain("--resend")
    expect(emulator.emulator.requests().length).toBe(before)
  }, 60_000)
})
