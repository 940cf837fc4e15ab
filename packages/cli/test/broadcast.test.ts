// `voicepartner broadcast …` (the built binary) against a stand-in gateway: what it sends
// (the CSV's bytes as they are, the message as query parameters, an Idempotency-Key on
// creation only) and how `watch` ends. The real gateway: packages/worker/e2e/broadcastCli.e2e.test.ts.
import { spawn } from "node:child_process"
import { writeFileSync } from "node:fs"
import { createServer, type IncomingMessage } from "node:http"
import type { AddressInfo } from "node:net"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { bin, tempDir } from "./helpers.js"

interface Received {
  readonly method: string
  readonly url: string
  readonly headers: IncomingMessage["headers"]
  readonly body: Buffer
}

const ID = "bc_0123456789abcdef01234567"
const received: Array<Received> = []
/** What the stand-in answers to a request: status and JSON. */
let answer: (r: Received) => { status: number; json: unknown } = () => ({ status: 404, json: {} })
let url = ""
const server = createServer(async (req, res) => {
  const parts: Array<Buffer> = []
  for await (const part of req) parts.push(part as Buffer)
  const r = {
    method: req.method ?? "",
    url: req.url ?? "",
    headers: req.headers,
    body: Buffer.concat(parts),
  }
  received.push(r)
  const { status, json } = answer(r)
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(json))
})
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

const dir = tempDir("vp-cli-broadcast-")
const run = (
  args: ReadonlyArray<string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: {
        ...process.env,
        VOICEPARTNER_GATEWAY: url,
        VOICEPARTNER_TOKEN: "t0k3n",
        NO_COLOR: "1",
      },
      stdio: ["ignore", "pipe", "pipe"],
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString()
    })
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString()
    })
    child.on("close", (code) => resolve({ code, stdout, stderr }))
  })

const plan = {
  recipients: {
    total: 3,
    valid: 2,
    duplicates: 0,
    empty: 0,
    mobile: 2,
    landline: 0,
    other: 0,
    invalid: [{ row: 4, input: "12", reason: "too short" }],
    invalidCount: 1,
  },
  requests: 1,
  estimatedEndAt: new Date().toISOString(),
  estimatedCost: { amount: 0.12, currency: "EUR", estimate: true, secondsPerMessage: null },
  warnings: [],
}
const summary = (status: string, chunks: Record<string, number>, extra: object = {}) => ({
  success: true,
  id: ID,
  name: null,
  type: "voicemail",
  status,
  createdAt: new Date().toISOString(),
  startAt: null,
  recipients: 2,
  chunks: { total: 1, pending: 0, inFlight: 0, sent: 0, failed: 0, unknown: 0, ...chunks },
  pauseReason: null,
  recipientCounts: { sent: 0, failed: 0, unknown: 0, pending: 0, inFlight: 0 },
  estimatedEndAt: null,
  plan,
  ...extra,
})

describe("broadcast create", () => {
  it("uploads the CSV's bytes as they are, the message as query parameters; a key on creation only", async () => {
    received.length = 0
    const bytes = Buffer.from(
      "Nom;Téléphone\r\nHélène;0612345678\r\nZoé;0752345678\r\nX;12\r\n",
      "latin1",
    )
    const path = join(dir, "crm.csv")
    writeFileSync(path, bytes)
    answer = (r) =>
      r.url.includes("dryRun=true")
        ? { status: 200, json: { success: true, dryRun: true, plan } }
        : { status: 201, json: { success: true, id: ID, status: "running", plan } }
    const r = await run([
      "broadcast",
      "create",
      "--to-file",
      path,
      "--audio",
      "dev-audio",
      "--email",
      "ops@example.com",
      "--column",
      "Téléphone",
      "--start-at",
      "2026-12-01 09:30",
      "--yes",
    ])
    expect(r.stderr).toContain('row 4: "12" — too short')
    expect(r.stderr).toContain("estimated cost: 0.12 EUR")
    expect(r.code).toBe(0)
    expect(r.stdout).toContain(`created: ${ID} (running)`)
    expect(received).toHaveLength(2)
    const [dry, real] = received as [Received, Received]
    for (const req of [dry, real]) {
      expect(req.method).toBe("POST")
      expect(req.headers["content-type"]).toBe("text/csv")
      expect(req.headers.authorization).toBe("Bearer t0k3n")
      expect(req.body.equals(bytes)).toBe(true)
    }
    const query = new URL(real.url, url).searchParams
    expect(Object.fromEntries(query)).toEqual({
      type: "voicemail",
      tokenAudio: "dev-audio",
      emailForNotification: "ops@example.com",
      column: "Téléphone",
      startAt: "2026-12-01 09:30",
    })
    expect(new URL(dry.url, url).searchParams.get("dryRun")).toBe("true")
    expect(dry.headers["idempotency-key"]).toBeUndefined()
    expect(real.headers["idempotency-key"]).toMatch(/^vpcli-bc1-[\w-]{43}$/)
  })

  it("--to sends the JSON form; --text makes it a voice SMS; a 400 names the flag", async () => {
    received.length = 0
    answer = () => ({
      status: 400,
      json: {
        success: false,
        error: {
          code: "VALIDATION_ERROR",
          message: "message.text: is empty",
          field: "message.text",
        },
      },
    })
    const r = await run([
      "broadcast",
      "create",
      "--to",
      "0612345678,0752345678",
      "--text",
      " ",
      "--dry-run",
    ])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain("VALIDATION_ERROR message.text: is empty (--text)")
    expect(JSON.parse(received[0]?.body.toString() ?? "")).toEqual({
      type: "tts",
      message: { text: " " },
      recipients: ["0612345678", "0752345678"],
      dryRun: true,
    })
  })
})

describe("broadcast watch", () => {
  const watchUntil = async (final: object) => {
    let polls = 0
    answer = () => {
      polls++
      if (polls === 1) return { status: 503, json: {} } // a gateway restarting: polled again
      if (polls === 2) return { status: 200, json: summary("running", { pending: 1 }) }
      return { status: 200, json: final }
    }
    return run(["broadcast", "watch", ID, "--json", "--interval", "0.2"])
  }

  it("NDJSON lines until the end; the exit code says how it ended", async () => {
    const done = await watchUntil(summary("completed", { sent: 1 }))
    expect(done.code).toBe(0)
    const lines = done.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l))
    expect(lines.map((l) => [l.event, l.status])).toEqual([
      ["progress", "running"],
      ["completed", "completed"],
    ])
    expect((await watchUntil(summary("completed", { unknown: 1 }))).code).toBe(1)
    const paused = await watchUntil(
      summary(
        "paused",
        { pending: 1 },
        { pauseReason: { code: "NOT_CREDIT", message: "no credit", at: "" } },
      ),
    )
    expect(paused.code).toBe(4)
    expect(JSON.parse(paused.stdout.trim().split("\n").at(-1) ?? "")).toMatchObject({
      event: "paused",
      exitCode: 4,
      pauseReason: { code: "NOT_CREDIT" },
    })
    expect((await watchUntil(summary("cancelled", { pending: 1 }))).code).toBe(5)
  })

  it("without --json: a line per change, then the summary; a broadcast of another client is exit 2", async () => {
    const text = await (async () => {
      answer = () => ({ status: 200, json: summary("completed", { sent: 1 }) })
      return run(["broadcast", "watch", ID])
    })()
    expect(text.code).toBe(0)
    expect(text.stderr).toContain(`${ID} completed: 1/1 chunks (1 sent, 0 failed, 0 unknown)`)
    expect(text.stdout).toContain("chunks: 1/1 done — 1 sent")
    answer = () => ({
      status: 404,
      json: { success: false, error: { code: "NOT_FOUND", message: "no such broadcast" } },
    })
    const missing = await run(["broadcast", "watch", ID])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain("404 NOT_FOUND no such broadcast")
  })

  it("a gateway that cannot be reached is exit 3", async () => {
    const r = await run(["broadcast", "status", ID, "--gateway", "http://127.0.0.1:9"])
    expect(r.code).toBe(3)
    expect(r.stderr).toContain("cannot reach the gateway")
  })
})
