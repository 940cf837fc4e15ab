import { type ChildProcess, spawn, spawnSync } from "node:child_process"
import { chmodSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { bin, runIn, tempDir } from "./helpers.js"

const emulatorBin = join(import.meta.dirname, "../../emulator/dist/bin.js")
const dir = tempDir()
const port = 20_000 + Math.floor(Math.random() * 20_000)
const base = `http://127.0.0.1:${port}`
let emulator: ChildProcess

const run = runIn(dir)
const api = ["--base-url", `${base}/v1`]

beforeAll(async () => {
  emulator = spawn(
    "node",
    [
      emulatorBin,
      "--port",
      String(port),
      "--no-rate-limit",
      "--api-key",
      "dev-key",
      "--api-key",
      "bulk-key",
      "--api-key",
      "poor-key",
    ],
    { stdio: "ignore" },
  )
  for (let i = 0; i < 100; i++) {
    const up = await fetch(`${base}/__emulator/requests`).then(
      () => true,
      () => false,
    )
    if (up) return
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error("emulator did not start")
}, 20_000)
afterAll(() => {
  emulator?.kill("SIGTERM")
})

describe("voicepartner CLI (built binary against the emulator)", () => {
  it("--help shows examples; completions for bash, zsh, fish", () => {
    const help = run(["tts", "send", "--help"])
    expect(help.code).toBe(0)
    expect(help.stdout).toContain("EXAMPLES")
    for (const shell of ["bash", "zsh", "fish"]) {
      const c = run(["--completions", shell])
      expect(c.code).toBe(0)
      expect(c.stdout).toContain("voicepartner")
    }
  })

  it("--help and a Windows-1252 CSV dry run work under Bun and Deno", () => {
    const bins = join(import.meta.dirname, "../../core/node_modules/.bin")
    const csv = join(dir, "excel-runtimes.csv")
    writeFileSync(csv, Buffer.from('Nom;Téléphone;Société\nA;0612345678;"X; Y"\n', "latin1"))
    const dry = [bin, "tts", "send", "Hi", "--to-file", csv, "--dry-run", "--json"]
    for (const [cmd, prefix] of [
      [join(bins, "bun"), []],
      [join(bins, "deno"), ["run", "-A"]],
    ] as const) {
      const options = {
        encoding: "utf8",
        timeout: 20_000,
        env: { ...process.env, DENO_NO_UPDATE_CHECK: "1" },
      } as const
      expect(spawnSync(cmd, [...prefix, bin, "--help"], options).stdout).toContain("SUBCOMMANDS")
      const plan = JSON.parse(spawnSync(cmd, [...prefix, ...dry], options).stdout)
      expect(plan.numbers, cmd).toEqual(["+33612345678"])
      expect(plan.sources[0].encoding, cmd).toBe("windows-1252")
    }
  })

  it("dry-run: CSV with ; delimiter, kinds, landline warning, invalid with line, duplicates", () => {
    const file = join(dir, "list.csv")
    writeFileSync(file, "nom;telephone\nA;0612345678\nB;0112345678\nC;12\nD;06 12 34 56 78\n")
    const r = run([
      "vms",
      "send",
      "--audio",
      "dev-audio",
      "--email",
      "a@b.fr",
      "--to-file",
      file,
      "--dry-run",
      ...api,
    ])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain("4 rows read: 2 valid, 1 invalid, 1 duplicates, 0 empty")
    expect(r.stdout).toContain("1 mobile, 1 landline, 0 other")
    expect(r.stdout).toContain("rings landlines")
    expect(r.stdout).toContain("+33112345678  ") // the landline it would ring, with its line
    expect(r.stdout).toContain("list.csv:3")
    expect(r.stdout).toContain("list.csv:4")
    expect(r.stdout).toContain("1 duplicates removed")
    const json = JSON.parse(
      run([
        "vms",
        "send",
        "--audio",
        "dev-audio",
        "--email",
        "a@b.fr",
        "--to-file",
        file,
        "--dry-run",
        "--json",
        ...api,
      ]).stdout,
    )
    expect(json.numbers).toEqual(["+33612345678", "+33112345678"])
  })

  it("dry-run estimate comes from core's limiter: 1,200 voicemail drops = 3 requests", () => {
    const file = join(dir, "big.txt")
    writeFileSync(
      file,
      Array.from({ length: 1200 }, (_, i) => `06${String(10_000_000 + i).padStart(8, "0")}`).join(
        "\n",
      ),
    )
    const r = run(
      [
        "vms",
        "send",
        "--audio",
        "dev-audio",
        "--email",
        "a@b.fr",
        "--to-file",
        file,
        "--dry-run",
        "--json",
      ],
      { VOICEPARTNER_RATE_LIMIT: "" },
    )
    const plan = JSON.parse(r.stdout)
    expect(plan.requests).toBe(3)
    expect(plan.estimatedMs).toBe(0) // 3 ≤ 5 per minute: all admitted at once
  })

  it("1,200 recipients: 3 chunks in the emulator's log; a failed middle chunk gives exit 1 and a retry file", async () => {
    const file = join(dir, "big.txt")
    const faults = `${base}/__emulator/faults`
    // The second send answers 500: it may have been processed, so it is not retried.
    await fetch(faults, {
      method: "POST",
      body: JSON.stringify({ failSends: [2], failStatus: 500 }),
    })
    const r = run(["tts", "send", "Bonjour", "--to-file", file, "--json", "--progress", ...api], {
      VOICEPARTNER_API_KEY: "bulk-key",
    })
    await fetch(faults, { method: "POST", body: "{}" })
    const lines = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l))
    expect(lines.filter((l) => l.event === "ChunkSent").map((l) => l.chunk)).toEqual([0, 2])
    expect(lines.filter((l) => l.event === "ChunkFailed").map((l) => l.chunk)).toEqual([1])
    const summary = lines.at(-1)
    expect(summary.numbersSent).toBe(700)
    expect(summary.failed[0].numbers).toHaveLength(500)
    expect(r.code).toBe(1)
    const retry = readFileSync(join(dir, "voicepartner-not-sent.txt"), "utf8").trim().split("\n")
    expect(retry).toHaveLength(500)
    expect(retry[0]).toBe("+33610000500")
    const log = (await (await fetch(`${base}/__emulator/requests`)).json()) as Array<{
      endpoint: string
      status: number
    }>
    expect(
      log
        .filter((e) => e.endpoint === "tts/send")
        .map((e) => e.status)
        .slice(-3),
    ).toEqual([200, 500, 200])
  })

  it("Ctrl-C stops after the request in flight and reports what was not sent", async () => {
    const file = join(dir, "sixty.txt")
    writeFileSync(
      file,
      Array.from({ length: 60 }, (_, i) => `07${String(50_000_000 + i)}`).join("\n"),
    )
    // Real policy (5 voicemail drops/min): chunk 6 waits ~60 s, so the interrupt lands in that wait.
    const child = spawn(
      "node",
      [
        bin,
        "vms",
        "send",
        "--audio",
        "dev-audio",
        "--email",
        "a@b.fr",
        "--to-file",
        file,
        "--chunk-size",
        "10",
        "--json",
        "--progress",
        ...api,
      ],
      {
        env: { ...process.env, VOICEPARTNER_API_KEY: "dev-key", VOICEPARTNER_RATE_LIMIT: "" },
        cwd: dir,
      },
    )
    let stdout = ""
    let interrupted = false
    child.stdout.on("data", (d) => {
      stdout += d
      if (!interrupted && stdout.split('"ChunkSent"').length - 1 === 5) {
        interrupted = true // a second Ctrl-C would kill the process outright
        child.kill("SIGINT")
      }
    })
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000)
      child.on("exit", (c) => {
        clearTimeout(timer)
        resolve(c)
      })
    })
    const summary = JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}")
    expect(code).toBe(1)
    expect(summary.numbersSent).toBe(50)
    expect(summary.stopped).toBe(true)
    expect(summary.notAttempted).toHaveLength(10)
  })

  it("the message can come from --text-file or stdin (-)", async () => {
    const textFile = join(dir, "message.txt")
    writeFileSync(textFile, "\uFEFFBonjour depuis un fichier\n")
    const fromFile = run(["tts", "send", "--text-file", textFile, "--to", "0612345678", ...api])
    expect(fromFile.stderr).not.toContain("error")
    expect(fromFile.code).toBe(0)
    const fromStdin = run(
      ["tts", "send", "-", "--to", "0612345678", ...api],
      {},
      "Bonjour de stdin\n",
    )
    expect(fromStdin.code).toBe(0)
    const fromStdinFlag = run(
      ["tts", "send", "--text-file", "-", "--to", "0612345678", ...api],
      {},
      "Bonjour encore",
    )
    expect(fromStdinFlag.code).toBe(0)
    const log = (await (await fetch(`${base}/__emulator/requests`)).json()) as Array<{
      endpoint: string
      body?: { text?: string }
    }>
    expect(
      log
        .filter((e) => e.endpoint === "tts/send")
        .slice(-3)
        .map((e) => e.body?.text),
    ).toEqual(["Bonjour depuis un fichier", "Bonjour de stdin", "Bonjour encore"])
    // stdin cannot be both the text and the recipients; one text source only
    expect(run(["tts", "send", "-", "--to", "-", ...api], {}, "x").code).toBe(2)
    expect(
      run(["tts", "send", "Hi", "--text-file", textFile, "--to", "0612345678", ...api]).code,
    ).toBe(2)
    expect(
      run(["tts", "send", "--text-file", join(dir, "nope.txt"), "--to", "0612345678", ...api])
        .stderr,
    ).toContain("--text-file")
  })

  it("credits, audios list/rename, campaign cancel", () => {
    expect(run(["credits", "--json", ...api]).code).toBe(0)
    expect(run(["audios", "list", "--json", ...api]).code).toBe(0)
    const sent = JSON.parse(
      run(["tts", "send", "Hi", "--to", "0612345678", "--at", "2030-01-01 10:00", "--json", ...api])
        .stdout,
    )
    expect(sent.ok).toBe(true)
    const cancel = run(["campaign", "cancel", sent.campaignIds[0], "--json", ...api])
    expect(cancel.code).toBe(0)
    expect(run(["audios", "rename", "dev-audio", "accueil", ...api]).code).toBe(0)
  })

  it("bad input exits 2 with the field named, nothing sent", () => {
    expect(run(["tts", "send", "--to", "0612345678", ...api])).toMatchObject({ code: 2 })
    expect(run(["tts", "send", "--to", "0612345678", ...api]).stderr).toContain("text")
    const past = run([
      "tts",
      "send",
      "Hi",
      "--to",
      "0612345678",
      "--at",
      "2020-01-01 10:00",
      ...api,
    ])
    expect(past.code).toBe(2)
    expect(past.stderr).toContain("scheduledDate")
    const unreadable = run(["tts", "send", "Hi", "--to-file", join(dir, "missing.txt"), ...api])
    expect(unreadable.code).toBe(2)
    expect(unreadable.stderr).toContain("--to-file")
    expect(run(["tts", "send", "Hi", "--to", "12", ...api]).code).toBe(2)
    expect(
      run(["tts", "send", "Hi", "--to", "0612345678"], { VOICEPARTNER_API_KEY: "" }).code,
    ).toBe(2)
  })

  it("auth failure exits 3, writes the retry file, and never prints the key", () => {
    const secret = "sk-very-secret-key-123"
    const r = run(["tts", "send", "Hi", "--to", "0612345678,0752345678", ...api], {
      VOICEPARTNER_API_KEY: secret,
    })
    expect(r.code).toBe(3)
    expect(r.stdout + r.stderr).not.toContain(secret)
    expect(readFileSync(join(dir, "voicepartner-not-sent.txt"), "utf8").trim().split("\n")).toEqual(
      ["+33612345678", "+33752345678"],
    )
  })

  it("reads an optional config file, after flags and environment, and guards its secrets", () => {
    const file = join(dir, "config.json")
    const secret = "dev-key"
    writeFileSync(file, JSON.stringify({ apiKey: secret, baseUrl: `${base}/v1` }), { mode: 0o600 })
    chmodSync(file, 0o600)
    const ok = run(["credits", "--json"], { VOICEPARTNER_API_KEY: "", VOICEPARTNER_CONFIG: file })
    expect(ok.code).toBe(0)
    expect(JSON.parse(ok.stdout).credit).toBeDefined()
    chmodSync(file, 0o644)
    const exposed = run(["credits"], { VOICEPARTNER_API_KEY: "", VOICEPARTNER_CONFIG: file })
    expect(exposed.code).toBe(2)
    expect(exposed.stderr).toContain("chmod 600")
    expect(exposed.stdout + exposed.stderr).not.toContain(secret)
    writeFileSync(file, "{ not json")
    const broken = run(["credits"], { VOICEPARTNER_API_KEY: "", VOICEPARTNER_CONFIG: file })
    expect(broken.code).toBe(2)
    expect(broken.stderr).toContain("not valid JSON")
    writeFileSync(file, JSON.stringify({ apikey: "x" }))
    const unknown = run(["credits"], { VOICEPARTNER_API_KEY: "", VOICEPARTNER_CONFIG: file })
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('unknown key "apikey"')
  })

  describe("confirmation before a send that rings landlines or costs more than --max-cost", () => {
    const received = async (endpoint: string): Promise<number> => {
      // Once more if the emulator closed an idle keep-alive connection as it was reused.
      const log = await fetch(`${base}/__emulator/requests`).catch(() =>
        fetch(`${base}/__emulator/requests`),
      )
      return ((await log.json()) as Array<{ endpoint: string }>).filter(
        (e) => e.endpoint === endpoint,
      ).length
    }
    const drop = ["vms", "send", "--audio", "dev-audio", "--email", "a@b.fr", ...api]

    it("without a terminal: refused with exit 2 and nothing sent; --yes sends", async () => {
      const before = await received("campaign/send")
      const refused = run([...drop, "--to", "0612345678,0112345678"])
      expect(refused.code).toBe(2)
      expect(refused.stderr).toContain("1 landline would ring")
      expect(refused.stderr).toContain("--yes")
      expect(refused.stderr).toContain("Plan (campaign/send, voicemail drop)") // the plan first
      expect(await received("campaign/send")).toBe(before)
      const sent = run([...drop, "--to", "0612345678,0112345678", "--yes"])
      expect(sent.code).toBe(0)
      expect(await received("campaign/send")).toBe(before + 1)
      // Mobiles only, under the cost threshold: nothing to confirm.
      expect(run([...drop, "--to", "0612345678"]).code).toBe(0)
    })

    it("an estimate above --max-cost needs a confirmation too", async () => {
      const before = await received("tts/send")
      const tts = ["tts", "send", "Bonjour", "--to", "0612345678,0752345678", ...api]
      const refused = run([...tts, "--max-cost", "0.10"]) // 2 × 0.09 EUR
      expect(refused.code).toBe(2)
      expect(refused.stderr).toContain("the estimated cost, 0.18 EUR, is above --max-cost 0.10 EUR")
      expect(await received("tts/send")).toBe(before)
      expect(run([...tts, "--max-cost", "0.20"]).code).toBe(0)
      expect(run([...tts, "--max-cost", "0.10", "--yes"]).code).toBe(0)
      expect(await received("tts/send")).toBe(before + 2)
    })

    it("on a terminal it asks: y sends, anything else does not (a pseudo-terminal via script)", async () => {
      const hasScript = spawnSync("script", ["--version"]).status === 0
      if (!hasScript) return // util-linux's script is not on this machine
      const ask = (answer: string) =>
        spawnSync(
          "script",
          [
            "-q",
            "-e",
            "-c",
            [process.execPath, bin, ...drop, "--to", "0112345678"].map((a) => `'${a}'`).join(" "),
            "/dev/null",
          ],
          {
            cwd: dir,
            input: `${answer}\n`,
            encoding: "utf8",
            timeout: 20_000,
            env: {
              ...process.env,
              VOICEPARTNER_API_KEY: "dev-key",
              VOICEPARTNER_RATE_LIMIT: "off",
              NO_COLOR: "1",
            },
          },
        )
      const before = await received("campaign/send")
      const no = ask("n")
      expect(no.stdout).toContain("Send anyway? [y/N]")
      expect(no.stdout).toContain("not sent.")
      expect(no.status).toBe(2)
      expect(await received("campaign/send")).toBe(before)
      const yes = ask("y")
      expect(yes.stdout).toContain("Send anyway? [y/N]")
      expect(yes.stdout).toContain("sent 1 numbers in 1 request(s)")
      expect(yes.status).toBe(0)
      expect(await received("campaign/send")).toBe(before + 1)
    })
  })

  describe("a failure that will not get better", () => {
    const numbers = join(dir, "big.txt") // 1,200 numbers, written by an earlier test

    it("no credit: stops, says why once, writes what was not sent, exits 3", async () => {
      // 50 EUR: the first 500 voice SMS (45 EUR) go, the second request is refused.
      await fetch(`${base}/__emulator/credits`, {
        method: "POST",
        body: JSON.stringify({ apiKey: "poor-key", credit: 50 }),
      })
      const failedOut = join(dir, "poor-not-sent.txt")
      const r = run(
        ["tts", "send", "Bonjour", "--to-file", numbers, "--failed-out", failedOut, ...api],
        {
          VOICEPARTNER_API_KEY: "poor-key",
        },
      )
      expect(r.code).toBe(3)
      expect(r.stdout).toContain("sent 500 numbers in 1 request(s)")
      const why = "the Voice Partner account has no credit left for this send (NOT_CREDIT)"
      expect(r.stderr.split(why)).toHaveLength(2) // once
      expect(r.stderr).toContain("top up the account")
      expect(r.stderr).not.toContain("Insufficient credit") // not the upstream's raw answer
      expect(r.stderr).toContain(`700 numbers not sent, written to ${failedOut}`)
      const notSent = readFileSync(failedOut, "utf8").trim().split("\n")
      expect(notSent).toHaveLength(700)
      expect(notSent[0]).toBe("+33610000500")
      const log = (await (await fetch(`${base}/__emulator/requests`)).json()) as Array<{
        endpoint: string
        status: number
      }>
      // The third request was never made.
      expect(
        log
          .filter((e) => e.endpoint === "tts/send")
          .slice(-2)
          .map((e) => e.status),
      ).toEqual([200, 402])
      const json = JSON.parse(
        run(
          [
            "tts",
            "send",
            "Bonjour",
            "--to-file",
            numbers,
            "--json",
            "--failed-out",
            failedOut,
            ...api,
          ],
          {
            VOICEPARTNER_API_KEY: "poor-key",
          },
        ).stdout,
      )
      expect(json).toMatchObject({ ok: false, numbersSent: 0, stopped: true })
      expect(json.stopReason).toContain("no credit left")
      expect(json.notAttempted).toHaveLength(700)
    })

    it("an unknown audio file: stopped at the first request, with what to do", () => {
      const r = run([
        "vms",
        "send",
        "--audio",
        "nope",
        "--email",
        "a@b.fr",
        "--to-file",
        numbers,
        ...api,
      ])
      expect(r.code).toBe(3)
      expect(r.stderr).toContain(
        'the audio file "nope" is unknown to Voice Partner (AUDIO_FILE_NOT_FOUND)',
      )
      expect(r.stderr).toContain("voicepartner audios list")
      expect(r.stderr).toContain("1,200 numbers not sent")
    })
  })
})
