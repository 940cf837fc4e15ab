// `voicepartner broadcast …`: the built CLI (`pnpm --filter @voicepartner/cli build`)
// against real `wrangler dev` and the Node emulator, under a sped-up policy (5 voicemail
// drops a second, no reserve) so that a broadcast takes a second or two. Every wait is
// bounded; every process is stopped.
import { spawn, spawnSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
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

const cli = fileURLToPath(new URL("../../cli/dist/voicepartner.mjs", import.meta.url))
const dir = mkdtempSync(join(tmpdir(), "vp-broadcast-cli-"))

let emulator: EmulatorServer
let gateway: Gateway
let receiver: Awaited<ReturnType<typeof startReceiver>>

beforeAll(async () => {
  emulator = await startEmulator({
    // The provider's limit, a little looser than the gateway's (arrival times jitter).
    rateLimits: { "campaign/send": [{ limit: 5, windowMs: 800 }] } as never,
  })
  emulator.emulator.setCredit(100_000, UPSTREAM_KEY)
  receiver = await startReceiver(() => 204)
  gateway = await startGateway({
    upstreamBaseUrl: emulator.baseUrl,
    webhookUrl: receiver.url,
    retrySchedule: "1",
    vars: {
      RATE_LIMIT_POLICY: JSON.stringify({ "campaign/send": [{ limit: 5, windowMs: 1_000 }] }),
      BROADCAST_RESERVE: JSON.stringify({ "campaign/send": [0] }),
    },
  })
}, 120_000)

afterAll(async () => {
  await gateway?.close()
  await receiver?.close()
  await emulator?.close()
  rmSync(dir, { recursive: true, force: true })
})

interface Run {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** The CLI as a user runs it (no terminal), with the gateway's URL and token in the environment. */
const run = (args: ReadonlyArray<string>, input?: string): Promise<Run> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {
      env: {
        ...process.env,
        VOICEPARTNER_GATEWAY: gateway.url,
        VOICEPARTNER_TOKEN: TOKENS[0] as string,
        NO_COLOR: "1",
      },
      stdio: ["pipe", "pipe", "pipe"],
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString()
    })
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString()
    })
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000)
    child.on("error", reject)
    child.on("close", (code) => {
      clearTimeout(timer)
      for (const secret of SECRETS.filter((s) => s !== TOKENS[0]))
        expect(stdout + stderr).not.toContain(secret)
      resolve({ code, stdout, stderr })
    })
    child.stdin.end(input ?? "")
  })

/** The CLI on a pseudo-terminal (util-linux's `script`), `input` typed in; output merged. */
const runOnTerminal = (args: ReadonlyArray<string>, input: string): Promise<Run> =>
  new Promise((resolve, reject) => {
    const command = [process.execPath, cli, ...args].map((a) => `'${a}'`).join(" ")
    const child = spawn("script", ["-q", "-e", "-c", command, "/dev/null"], {
      env: {
        ...process.env,
        VOICEPARTNER_GATEWAY: gateway.url,
        VOICEPARTNER_TOKEN: TOKENS[0] as string,
        NO_COLOR: "1",
      },
    })
    let stdout = ""
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString()
    })
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000)
    child.on("error", reject)
    child.on("close", (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr: "" })
    })
    // Typed once the question is on the screen.
    const typeWhenAsked = setInterval(() => {
      if (stdout.includes("[y/N]")) {
        clearInterval(typeWhenAsked)
        child.stdin.write(input)
      }
    }, 50)
    child.on("close", () => clearInterval(typeWhenAsked))
  })
const hasScript = spawnSync("script", ["--version"]).status === 0

const drops = () => emulator.emulator.requests().filter((r) => r.path.endsWith("/campaign/send"))
const sentNumbers = () =>
  drops()
    .filter((r) => r.status === 200)
    .flatMap((r) => String((r.body as { phoneNumbers: string }).phoneNumbers).split(","))

/**
 * A French Excel export (Windows-1252, `;`, CRLF): `n` clients with a quoted company name
 * holding the delimiter, every 50th row blank, every 100th an unreadable number.
 */
const crmFile = (name: string, n: number, first = 0) => {
  const lines = ["Nom;Prénom;Société;Téléphone portable;Ville"]
  const counts = { valid: 0, empty: 0, invalid: 0 }
  for (let i = 0; i < n; i++) {
    if (i % 50 === 49) {
      lines.push(";;;;")
      counts.empty++
    } else if (i % 100 === 10) {
      lines.push(`Client${i};Zoé;"SARL ${i}; fils";12;Paris`)
      counts.invalid++
    } else {
      const national = `06${String(first + i).padStart(8, "0")}`.replace(/(\d\d)(?=\d)/g, "$1 ")
      lines.push(`Client${i};Hélène;"SARL ${i}; fils";${national};Paris`)
      counts.valid++
    }
  }
  const path = join(dir, name)
  writeFileSync(path, Buffer.from(`${lines.join("\r\n")}\r\n`, "latin1"))
  return { path, ...counts, requests: Math.ceil(counts.valid / 500) }
}

const thousands = (n: number) => n.toLocaleString("en-US")

const voicemail = ["--audio", "dev-audio", "--email", "ops@example.com"]

describe("voicepartner broadcast (built CLI, wrangler dev, emulator)", () => {
  it("create: plans a CRM export, refuses without a terminal or --yes, creates with --yes; watch follows it to the end", async () => {
    emulator.emulator.reset()
    emulator.emulator.setCredit(100_000, UPSTREAM_KEY)
    const { path, valid, empty, invalid } = crmFile("crm.csv", 2_400)
    expect({ valid, empty, invalid }).toEqual({ valid: 2_328, empty: 48, invalid: 24 })

    const planned = await run(["broadcast", "create", "--to-file", path, ...voicemail, "--dry-run"])
    expect(planned.stderr).toBe("")
    expect(planned.code).toBe(0)
    expect(planned.stdout).toContain("Broadcast plan (voicemail drop) — nothing sent")
    expect(planned.stdout).toContain("2,400 rows: 2,328 valid, 24 invalid, 0 duplicates, 48 empty")
    // Rows are the file's lines: the header is line 1, the 11th client is on line 12.
    expect(planned.stdout).toContain('row 12: "12"')
    expect(planned.stdout).toContain("requests: 5")
    // 2,328 French mobiles at 0.06 EUR, from core's price table.
    expect(planned.stdout).toMatch(/estimated cost: 139\.68 EUR \(an estimate/)

    const refused = await run(["broadcast", "create", "--to-file", path, ...voicemail])
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain("Broadcast plan (voicemail drop)")
    expect(refused.stderr).toContain("pass --yes")
    expect(JSON.parse((await run(["broadcast", "list", "--json"])).stdout).broadcasts).toEqual([])
    expect(drops()).toHaveLength(0)

    const created = await run([
      "broadcast",
      "create",
      "--to-file",
      path,
      ...voicemail,
      "--name",
      "Relance CRM",
      "--yes",
      "--json",
    ])
    expect(created.code).toBe(0)
    const answer = JSON.parse(created.stdout)
    expect(answer).toMatchObject({
      success: true,
      status: "running",
      replayed: false,
      plan: { requests: 5, estimatedCost: { amount: 139.68, currency: "EUR", estimate: true } },
    })
    const id = answer.id as string

    const watched = await run(["broadcast", "watch", id, "--json", "--interval", "0.2"])
    expect(watched.code).toBe(0)
    const events = watched.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l))
    expect(events.at(-1)).toMatchObject({
      event: "completed",
      exitCode: 0,
      chunks: { total: 5, sent: 5, failed: 0, unknown: 0 },
    })
    const progress = events.map((e) => e.chunks.sent as number)
    expect(progress).toEqual([...progress].sort((a, b) => a - b))
    expect(drops()).toHaveLength(5)
    expect(new Set(sentNumbers()).size).toBe(2_328)
    expect(sentNumbers()).toHaveLength(2_328)

    // The same command again: the gateway answers the broadcast it created, nothing more.
    const again = await run([
      "broadcast",
      "create",
      "--to-file",
      path,
      ...voicemail,
      "--name",
      "Relance CRM",
      "--yes",
    ])
    expect(again.code).toBe(0)
    expect(again.stdout).toContain(`already created`)
    expect(again.stdout).toContain(id)

    const status = await run(["broadcast", "status", id])
    expect(status.code).toBe(0)
    expect(status.stdout).toContain(`${id} "Relance CRM" — voicemail drop, completed`)
    expect(status.stdout).toContain("chunks: 5/5 done — 5 sent, 0 failed, 0 unknown")
    const listed = await run(["broadcast", "list"])
    expect(listed.stdout).toContain(id)

    const reportFile = join(dir, "report.csv")
    const report = await run(["broadcast", "report", id, "--out", reportFile])
    expect(report.code).toBe(0)
    const rows = readFileSync(reportFile, "utf8").trim().split("\r\n")
    expect(rows[0]).toBe("row,phone_number,kind,chunk,outcome,campaign_id,delivery,error")
    expect(rows).toHaveLength(2_329)
    // Rows are the file's lines: the header is line 1.
    expect(rows[1]).toMatch(/^2,\+33600000000,mobile,0,sent,/)
    const toStdout = await run(["broadcast", "report", id])
    expect(toStdout.stdout.trim().split("\r\n")).toEqual(rows)
    expect(drops()).toHaveLength(5)
  }, 120_000)

  it("watch ends with an exit code saying how: paused 4, cancelled 5, completed with unknown chunks 1; retry", async () => {
    const later = new Date(Date.now() + 3_600_000).toISOString()
    const { path } = crmFile("later.csv", 600, 10_000)
    const created = JSON.parse(
      (
        await run([
          "broadcast",
          "create",
          "--to-file",
          path,
          ...voicemail,
          "--start-at",
          later,
          "--yes",
          "--json",
        ])
      ).stdout,
    )
    expect(created.status).toBe("scheduled")
    const id = created.id as string
    expect((await run(["broadcast", "pause", id])).stdout).toContain(`${id}: paused`)
    const paused = await run(["broadcast", "watch", id])
    expect(paused.code).toBe(4)
    expect(paused.stdout).toContain("paused (PAUSED_BY_CLIENT")
    expect((await run(["broadcast", "resume", id])).stdout).toContain(`${id}: scheduled`)
    expect((await run(["broadcast", "cancel", id])).stdout).toContain(`${id}: cancelled`)
    expect((await run(["broadcast", "watch", id])).code).toBe(5)
    const again = await run(["broadcast", "resume", id])
    expect(again.code).toBe(2)
    expect(again.stderr).toContain("BROADCAST_FINISHED")

    // The second request answers 500: its chunk is unknown (it may have gone out).
    emulator.emulator.reset()
    emulator.emulator.setCredit(100_000, UPSTREAM_KEY)
    emulator.emulator.setFaults({ failSends: [2], failStatus: 500 })
    const { path: third } = crmFile("third.csv", 1_100, 20_000)
    const withUnknown = JSON.parse(
      (await run(["broadcast", "create", "--to-file", third, ...voicemail, "--yes", "--json"]))
        .stdout,
    ).id as string
    const partial = await run(["broadcast", "watch", withUnknown, "--interval", "0.2"])
    expect(partial.code).toBe(1)
    expect(partial.stdout).toContain("1 chunk(s) unknown: they may have been sent")
    emulator.emulator.setFaults({})
    const nothing = await run(["broadcast", "retry", withUnknown])
    expect(nothing.code).toBe(2)
    expect(nothing.stderr).toContain("NOTHING_TO_RETRY")
    const retried = await run(["broadcast", "retry", withUnknown, "--include-unknown", "--json"])
    expect(retried.code).toBe(0)
    const retryId = JSON.parse(retried.stdout).id as string
    expect((await run(["broadcast", "watch", retryId, "--interval", "0.2"])).code).toBe(0)
  }, 120_000)

  it("on a terminal: asks before creating (n: nothing; y: created), and watch draws a progress bar with the ETA", async () => {
    if (!hasScript) return // util-linux's script is not on this machine
    const { path, valid, requests } = crmFile("tty.csv", 6_000, 40_000)
    const before = (
      JSON.parse((await run(["broadcast", "list", "--json"])).stdout).broadcasts as Array<unknown>
    ).length
    const no = await runOnTerminal(["broadcast", "create", "--to-file", path, ...voicemail], "n\n")
    expect(no.stdout).toContain(
      `Create this broadcast: ${thousands(valid)} recipients in ${requests} requests? [y/N]`,
    )
    expect(no.stdout).toContain("not sent.")
    expect(no.code).toBe(2)
    expect(
      (JSON.parse((await run(["broadcast", "list", "--json"])).stdout).broadcasts as Array<unknown>)
        .length,
    ).toBe(before)
    const yes = await runOnTerminal(["broadcast", "create", "--to-file", path, ...voicemail], "y\n")
    expect(yes.code).toBe(0)
    const id = /created: (bc_[0-9a-f]{24})/.exec(yes.stdout)?.[1] as string
    expect(id).toBeDefined()
    const watched = await runOnTerminal(["broadcast", "watch", id, "--interval", "0.2"], "")
    expect(watched.code).toBe(0)
    expect(watched.stdout).toMatch(
      new RegExp(
        `█*░+ \\d+/${requests} chunks · [\\d,]+/${thousands(valid)} recipients sent · running · ETA \\d+ s`,
      ),
    )
    expect(watched.stdout).toContain(`chunks: ${requests}/${requests} done — ${requests} sent`)
  }, 120_000)

  it("usage errors and refused fields exit 2, naming the flag", async () => {
    const both = await run([
      "broadcast",
      "create",
      "--to",
      "0612345678",
      "--to-file",
      "x.csv",
      ...voicemail,
    ])
    expect(both.code).toBe(2)
    expect(both.stderr).toContain("give the recipients once")
    const missing = await run([
      "broadcast",
      "create",
      "--to-file",
      join(dir, "missing.csv"),
      ...voicemail,
    ])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain("cannot read")
    const badId = await run(["broadcast", "status", "42"])
    expect(badId.code).toBe(2)
    const field = await run([
      "broadcast",
      "create",
      "--to",
      "0612345678",
      "--audio",
      "dev-audio",
      "--dry-run",
    ])
    expect(field.code).toBe(2)
    expect(field.stderr).toContain("(--email)")
  }, 60_000)
})
