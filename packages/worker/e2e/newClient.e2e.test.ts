// scripts/new-client.mjs: what it prints (the token once, the CLIENTS entry, where the entry
// goes and how the gateway picks it up), what `--env-file` writes, and that a running
// `wrangler dev` takes the new client when restarted — not before, as the script says.
import { type ChildProcess, spawn, spawnSync } from "node:child_process"
import { createHash } from "node:crypto"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { freePort } from "./stack.js"

const workerDir = fileURLToPath(new URL("..", import.meta.url))
const repo = fileURLToPath(new URL("../../..", import.meta.url))
const script = join(workerDir, "scripts/new-client.mjs")
const devEnv = readFileSync(join(workerDir, "dev.env"), "utf8")

interface Client {
  readonly id: string
  readonly tokenSha256: string
  readonly operations: ReadonlyArray<string>
  readonly webhookUrl?: string
  readonly webhookSecret?: string
}

const newClient = (args: ReadonlyArray<string>, cwd = workerDir) => {
  const run = spawnSync(process.execPath, [script, ...args], { cwd, encoding: "utf8" })
  const token = run.stdout.match(
    /^token \(give it to the application; it is not stored\): (vpg_\S+)$/m,
  )?.[1]
  const entry = run.stdout.match(/^CLIENTS entry: (.+)$/m)?.[1]
  return {
    status: run.status,
    stdout: run.stdout,
    stderr: run.stderr,
    token,
    entry: entry === undefined ? undefined : (JSON.parse(entry) as Client),
  }
}

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex")

/** The CLIENTS array of an env file's CLIENTS='…' line. */
const clientsOf = (text: string): Array<Client> => {
  const line = text.split("\n").find((l) => l.startsWith("CLIENTS="))
  if (line === undefined) throw new Error("no CLIENTS line")
  return JSON.parse(line.slice("CLIENTS='".length, -1)) as Array<Client>
}

let dir = ""
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "vp-new-client-"))
})
afterAll(() => {
  if (dir !== "") rmSync(dir, { recursive: true, force: true })
})

describe("new-client", () => {
  it("prints the token once, the CLIENTS entry, and where the entry goes", () => {
    const run = newClient(["billing", "https://billing.example.com/hooks/voice"])
    expect(run.status).toBe(0)
    expect(run.token).toMatch(/^vpg_[A-Za-z0-9_-]{43}$/)
    const token = run.token ?? ""
    expect(run.entry).toMatchObject({
      id: "billing",
      tokenSha256: sha256(token),
      operations: ["*"],
      webhookUrl: "https://billing.example.com/hooks/voice",
    })
    expect(run.entry?.webhookSecret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/)
    // Shown once, and only the hash in the entry.
    expect(`${run.stdout}${run.stderr}`.split(token).length - 1).toBe(1)
    expect(run.stdout).toContain("Nothing was written")
    expect(run.stdout).toContain("the CLIENTS line of packages/worker/dev.env")
    expect(run.stdout).toContain(
      "pnpm --filter @voicepartner/worker new-client -- billing … --env-file dev.env",
    )
    expect(run.stdout).toMatch(
      /restart pnpm dev \(wrangler dev reads its env file only when it starts\)/,
    )
    expect(run.stdout).toMatch(/npx wrangler secret put CLIENTS with the whole array/)
  })

  it("--env-file adds the entry to the file's CLIENTS line; the same id again replaces it", () => {
    const file = join(dir, "dev.env")
    writeFileSync(file, devEnv)
    const first = newClient(["local-app", "--env-file", file])
    expect(first.status, first.stderr).toBe(0)
    const after = readFileSync(file, "utf8")
    // Every other line as it was.
    const others = (text: string) => text.split("\n").filter((l) => !l.startsWith("CLIENTS="))
    expect(others(after)).toEqual(others(devEnv))
    expect(clientsOf(after).map((c) => c.id)).toEqual(["dev", "dev2", "local-app"])
    expect(clientsOf(after)[2]).toEqual(first.entry)
    expect(clientsOf(after).slice(0, 2)).toEqual(clientsOf(devEnv))
    expect(first.stdout).toContain(`added this entry to the CLIENTS line of ${file}`)
    expect(first.stdout).toContain("The running gateway does not have it yet: restart pnpm dev")
    expect(first.stdout).toContain("clients now: dev, dev2, local-app")

    const again = newClient([
      "local-app",
      "https://app.example.com/hooks",
      "tts/send,campaigns",
      `--env-file=${file}`,
    ])
    expect(again.status, again.stderr).toBe(0)
    const clients = clientsOf(readFileSync(file, "utf8"))
    expect(clients.map((c) => c.id)).toEqual(["dev", "dev2", "local-app"])
    expect(clients[2]).toEqual(again.entry)
    expect(clients[2]).toMatchObject({
      id: "local-app",
      tokenSha256: sha256(again.token ?? ""),
      operations: ["tts/send", "campaigns"],
      webhookUrl: "https://app.example.com/hooks",
    })
    expect(again.stdout).toContain('replaced the client "local-app"')
  })

  it("adds a CLIENTS line to a file without one, and leaves a malformed one alone", () => {
    const bare = join(dir, "bare.env")
    writeFileSync(bare, "PUBLIC_URL=http://127.0.0.1:8787\n")
    const added = newClient(["solo", "--env-file", bare])
    expect(added.status, added.stderr).toBe(0)
    const text = readFileSync(bare, "utf8")
    expect(text.startsWith("PUBLIC_URL=http://127.0.0.1:8787\nCLIENTS='")).toBe(true)
    expect(text.endsWith("'\n")).toBe(true)
    expect(clientsOf(text)).toEqual([added.entry])
    expect(added.stdout).toContain(`added a CLIENTS line, with this entry, to ${bare}`)

    const broken = join(dir, "broken.env")
    const content = "CLIENTS='[{\"id\":'\nOTHER=1\n"
    writeFileSync(broken, content)
    const refused = newClient(["solo", "--env-file", broken])
    expect(refused.status).toBe(2)
    expect(refused.stderr).toContain("not a JSON array")
    expect(refused.stdout).toBe("") // no token was made
    expect(readFileSync(broken, "utf8")).toBe(content)
  })

  it("refuses a missing file, an unknown option and a bad id", () => {
    const missing = newClient(["solo", "--env-file", join(dir, "missing.env")])
    // Node itself reads a later --env-file as its own and stops (exit 9) when the file is
    // missing (nodejs/node#54232); otherwise the script says so (exit 2). Nothing is made.
    expect([2, 9]).toContain(missing.status)
    expect(missing.stderr).toContain(join(dir, "missing.env"))
    expect(missing.stdout).toBe("")
    expect(newClient(["solo", "--env"]).status).toBe(2)
    expect(newClient(["not an id"]).status).toBe(2)
    expect(newClient([]).stderr).toContain("usage:")
  })

  it("runs as the README says, through pnpm from the repository root (after --)", () => {
    const file = join(dir, "through-pnpm.env")
    writeFileSync(file, devEnv)
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([key]) => !key.startsWith("npm_")),
    )
    const run = spawnSync(
      "pnpm",
      ["--filter", "@voicepartner/worker", "new-client", "--", "from-root", "--env-file", file],
      { cwd: repo, encoding: "utf8", env },
    )
    expect(run.status, run.stderr).toBe(0)
    expect(clientsOf(readFileSync(file, "utf8")).map((c) => c.id)).toEqual([
      "dev",
      "dev2",
      "from-root",
    ])
  })
})

describe("a running gateway and new-client --env-file", () => {
  let child: ChildProcess | undefined
  let url = ""
  let envFile = ""
  const logs: Array<string> = []

  const start = async () => {
    const port = await freePort()
    const inspector = await freePort()
    url = `http://127.0.0.1:${port}`
    child = spawn(
      process.execPath,
      [
        join(workerDir, "node_modules/wrangler/bin/wrangler.js"),
        "dev",
        "--port",
        String(port),
        "--ip",
        "127.0.0.1",
        "--inspector-port",
        String(inspector),
        "--env-file",
        envFile,
        "--persist-to",
        join(dir, "state"),
        "--show-interactive-dev-session=false",
      ],
      {
        cwd: workerDir,
        stdio: ["ignore", "pipe", "pipe"],
        env: {
          ...process.env,
          CLOUDFLARE_CF_FETCH_ENABLED: "false",
          X_LOCAL_OBSERVABILITY: "false",
          WRANGLER_SEND_METRICS: "false",
          NO_COLOR: "1",
        },
      },
    )
    for (const stream of [child.stdout, child.stderr])
      stream?.on("data", (chunk: Buffer) => logs.push(chunk.toString()))
    const deadline = Date.now() + 90_000
    for (;;) {
      if (Date.now() > deadline) throw new Error(`wrangler dev did not start:\n${logs.join("")}`)
      const up = await fetch(`${url}/health`).then(
        (r) => r.ok,
        () => false,
      )
      if (up) return
      await new Promise((r) => setTimeout(r, 250))
    }
  }
  const stop = async () => {
    const running = child
    child = undefined
    if (running === undefined || running.exitCode !== null) return
    const exited = new Promise<void>((resolve) => running.once("exit", () => resolve()))
    running.kill("SIGINT")
    const timer = setTimeout(() => running.kill("SIGKILL"), 10_000)
    await exited
    clearTimeout(timer)
  }

  beforeAll(async () => {
    envFile = join(dir, "gateway.env")
    writeFileSync(envFile, devEnv)
    await start()
  }, 120_000)
  afterAll(stop, 30_000)

  // An authenticated client gets 404 for a campaign it did not send; an unknown token 401.
  const statusFor = (token: string) =>
    fetch(`${url}/v1/campaigns/NDA_20260101_0000000001`, {
      headers: { authorization: `Bearer ${token}` },
    }).then((r) => r.status)

  it("takes the new client once restarted, not before", async () => {
    const run = newClient(["restarted", "--env-file", envFile])
    expect(run.status, run.stderr).toBe(0)
    const token = run.token ?? ""
    expect(await statusFor("dev-token")).toBe(404)
    // The file changed under a running wrangler dev: the token is still unknown.
    await new Promise((r) => setTimeout(r, 3_000))
    expect(await statusFor(token)).toBe(401)
    await stop()
    await start()
    expect(await statusFor(token)).toBe(404)
    expect(await statusFor("dev-token")).toBe(404)
  }, 150_000)
})
