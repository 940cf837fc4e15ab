// Every shell block of every README, run as a newcomer runs it on a fresh clone.
//
// A ```sh (or bash, shell) block is preceded by a marker, an HTML comment that GitHub and
// npm do not show and that biome's Markdown formatting keeps:
//
//   <!-- readme-test: setup [serves=URL] [cwd=DIR] [node20] -->   a set-up step: run
//   <!-- readme-test: example [serves=URL] [cwd=DIR] -->          an example: run too
//   <!-- readme-test: not-runnable: REASON -->                    not run; REASON says why
//
// A block without a marker fails the test, so that nothing is skipped silently.
// - Blocks run in README order, in bash (`-e -o pipefail`: any failing command fails the
//   block), from the repository root of the copy or from `cwd=DIR`, each within a time
//   limit. Exports, aliases and functions carry over to the README's next blocks, as in
//   one terminal; plain shell variables do not.
// - `serves=URL`: the block (or, when it has a `# in another terminal` line, the part
//   before it) is a server. It runs in its own terminal (process group) and must answer
//   `URL` with a 2xx; the rest of the block then runs in the README's terminal. It keeps
//   running for the next blocks, until the README's next server or its end: then it gets
//   Ctrl-C (SIGINT to its group) and must be gone — the URL no longer answers, no process
//   of the group is left.
// - `node20`: only the system's directories on PATH (this machine's Node 20 and npm), as
//   on a machine without Node 24 or pnpm.
// - `curl` gets `--fail-with-body`: a README's request answered 4xx/5xx fails its block.
//
// The fresh clone: the repository's files as a clone would have them once committed
// (`git ls-files --cached --others --exclude-standard`: tracked and new files, no ignored
// ones — no node_modules, dist or .wrangler) copied to a temporary directory, where the
// root README's own `pnpm install` installs the workspace from pnpm's store. Nothing
// reaches the network: the npm registry is set to a closed port on 127.0.0.1 (pnpm,
// wrangler's update check and scripts/toolchain.sh's npm would fail on it), Cloudflare's
// `Request.cf` download and all telemetry are off, and every server is on 127.0.0.1. HOME
// is a temporary directory (completions and wrangler's settings go there), with pnpm's
// store and the toolchain cache (~/.cache/voicepartner-ci) of this machine.
//
// Ports 8787-8789 are `pnpm dev`'s: like e2e/dev.e2e.test.ts this test needs them free,
// and a server that answers before its block started fails the block.
import { type ChildProcess, spawn, spawnSync } from "node:child_process"
import {
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
} from "node:fs"
import { homedir, tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

const repo = fileURLToPath(new URL("../../..", import.meta.url))
const SHELL_LANGUAGES = new Set(["sh", "bash", "shell", "zsh"])
const RUN_LIMIT_MS = 240_000
const SERVER_LIMIT_MS = 240_000
const STOP_LIMIT_MS = 20_000
const ANOTHER_TERMINAL = /^#\s*in another terminal\b/i
const SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

type Marker =
  | {
      readonly kind: "setup" | "example"
      readonly serves?: string
      readonly cwd: string
      readonly node20: boolean
    }
  | { readonly kind: "not-runnable"; readonly reason: string }
  | { readonly kind: "unmarked" }
  | { readonly kind: "invalid"; readonly problem: string }

interface Block {
  readonly readme: string
  readonly line: number
  readonly body: string
  readonly marker: Marker
}

const parseMarker = (comment: string | undefined): Marker => {
  const m = comment?.match(/^<!--\s*readme-test:\s*(.*?)\s*-->$/)
  if (m === undefined || m === null) return { kind: "unmarked" }
  const text = m[1] ?? ""
  const notRunnable = text.match(/^not-runnable\s*:\s*(.*)$/)
  if (notRunnable !== null) {
    const reason = notRunnable[1]?.trim() ?? ""
    return reason.length < 10
      ? { kind: "invalid", problem: "not-runnable needs a reason" }
      : { kind: "not-runnable", reason }
  }
  const [kind, ...attributes] = text.split(/\s+/)
  if (kind !== "setup" && kind !== "example")
    return { kind: "invalid", problem: `unknown kind ${JSON.stringify(kind)}` }
  let serves: string | undefined
  let cwd = "."
  let node20 = false
  for (const attribute of attributes) {
    if (attribute.startsWith("serves=")) serves = attribute.slice("serves=".length)
    else if (attribute.startsWith("cwd=")) cwd = attribute.slice("cwd=".length)
    else if (attribute === "node20") node20 = true
    else return { kind: "invalid", problem: `unknown attribute ${JSON.stringify(attribute)}` }
  }
  if (serves !== undefined && !/^http:\/\/127\.0\.0\.1:\d+\//.test(serves))
    return { kind: "invalid", problem: `serves= must be an http://127.0.0.1:PORT/ URL` }
  return { kind, ...(serves !== undefined && { serves }), cwd, node20 }
}

/** The shell blocks of a Markdown file, each with the marker on the line before it. */
const shellBlocks = (readme: string): Array<Block> => {
  const lines = readFileSync(join(repo, readme), "utf8").split("\n")
  const blocks: Array<Block> = []
  for (let i = 0; i < lines.length; i++) {
    const open = lines[i]?.match(/^(\s*)(`{3,}|~{3,})\s*([\w-]*)/)
    if (open === null || open === undefined) continue
    const [, indent = "", fence = "```", lang = ""] = open
    const start = i
    const body: Array<string> = []
    for (i++; i < lines.length; i++) {
      const line = lines[i] ?? ""
      if (line.trim().startsWith(fence) && line.trim().replace(/[`~]/g, "") === "") break
      body.push(line.startsWith(indent) ? line.slice(indent.length) : line)
    }
    if (!SHELL_LANGUAGES.has(lang)) continue
    let before = start - 1
    while (before >= 0 && lines[before]?.trim() === "") before--
    blocks.push({
      readme,
      line: start + 1,
      body: body.join("\n"),
      marker: parseMarker(before >= 0 ? lines[before]?.trim() : undefined),
    })
  }
  return blocks
}

const READMES = [
  "README.md",
  ...readdirSync(join(repo, "packages"))
    .sort()
    .map((name) => `packages/${name}/README.md`)
    .filter((path) => existsSync(join(repo, path))),
]
const BLOCKS = READMES.map((readme) => ({ readme, blocks: shellBlocks(readme) }))

// ---------------------------------------------------------------------------------------
// The fresh clone, its environment, the terminals.

let scratch = ""
let clone = ""
let home = ""
let baseEnv: Record<string, string> = {}
const spawned = new Set<ChildProcess>()

const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`

/** The commands' environment: this one, minus what the test runner and pnpm put in it. */
const freshEnvironment = (): Record<string, string> => {
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined) continue
    if (/^(npm_|pnpm_|PNPM_|VITEST|TURBO_|TINYPOOL|XDG_)/i.test(key)) continue
    if (
      ["INIT_CWD", "NODE_OPTIONS", "NODE_ENV", "TEST", "MODE", "PROD", "DEV", "SSR"].includes(key)
    )
      continue
    env[key] = value
  }
  // None of the directories pnpm puts on PATH for its scripts (node_modules/.bin, its
  // node-gyp shim), nor any inside this repository.
  env.PATH = (process.env.PATH ?? SYSTEM_PATH)
    .split(":")
    .filter(
      (dir) =>
        dir !== "" &&
        !dir.includes("/node_modules/.bin") &&
        !dir.includes("node-gyp-bin") &&
        !`${dir}/`.startsWith(repo),
    )
    .join(":")
  const store = spawnSync("pnpm", ["store", "path"], { cwd: repo, encoding: "utf8" })
  if (store.status !== 0) throw new Error(`pnpm store path failed: ${store.stderr}`)
  return {
    ...env,
    HOME: home,
    // The machine's pnpm store and toolchain cache: installs are local, nothing downloaded.
    npm_config_store_dir: dirname(store.stdout.trim()),
    VOICEPARTNER_CI_TOOLS:
      process.env.VOICEPARTNER_CI_TOOLS ?? join(homedir(), ".cache", "voicepartner-ci"),
    // Any registry request fails at once (connection refused on 127.0.0.1).
    npm_config_registry: "http://127.0.0.1:9/",
    CLOUDFLARE_CF_FETCH_ENABLED: "false",
    WRANGLER_SEND_METRICS: "false",
    TURBO_TELEMETRY_DISABLED: "1",
    DO_NOT_TRACK: "1",
    NO_UPDATE_NOTIFIER: "1",
    NO_COLOR: "1",
  }
}

/** Copies what `git clone` of the working tree would hold (tracked and new files). */
const copyWorkingTree = (to: string) => {
  const listed = spawnSync(
    "git",
    ["ls-files", "-z", "--cached", "--others", "--exclude-standard"],
    {
      cwd: repo,
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    },
  )
  if (listed.status !== 0) throw new Error(`git ls-files failed: ${listed.stderr}`)
  let copied = 0
  for (const path of new Set(listed.stdout.split("\0").filter(Boolean))) {
    const from = join(repo, path)
    if (!existsSync(from)) continue // deleted in the working tree
    const target = join(to, path)
    mkdirSync(dirname(target), { recursive: true })
    const stat = lstatSync(from)
    if (stat.isSymbolicLink()) symlinkSync(readlinkSync(from), target)
    else if (stat.isFile()) copyFileSync(from, target)
    else continue
    copied++
  }
  return copied
}

interface Run {
  readonly code: number | null
  readonly output: string
}

const tail = (output: string, lines = 80) => output.split("\n").slice(-lines).join("\n")

const spawnShell = (script: string, cwd: string, node20: boolean) => {
  const child = spawn("bash", ["-O", "expand_aliases", "-e", "-o", "pipefail", "-c", script], {
    cwd,
    env: { ...baseEnv, ...(node20 && { PATH: SYSTEM_PATH }) },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true, // its own process group: a terminal, stopped as one
  })
  // Kept after it exits: afterAll kills every group still holding a process.
  spawned.add(child)
  const output: Array<string> = []
  child.stdout?.on("data", (chunk: Buffer) => output.push(chunk.toString()))
  child.stderr?.on("data", (chunk: Buffer) => output.push(chunk.toString()))
  return { child, output: () => output.join("") }
}

const killGroup = (child: ChildProcess, signal: NodeJS.Signals) => {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal)
  } catch {
    // already gone
  }
}

const groupAlive = (child: ChildProcess) => {
  try {
    if (child.pid === undefined) return false
    process.kill(-child.pid, 0)
    return true
  } catch {
    return false
  }
}

const answers = (url: string) =>
  fetch(url, { signal: AbortSignal.timeout(3_000) }).then(
    (r) => r.ok,
    () => false,
  )

const answersAtAll = (url: string) =>
  fetch(url, { signal: AbortSignal.timeout(3_000) }).then(
    () => true,
    () => false,
  )

/** One README's terminal: its exports, aliases and functions, kept between blocks. */
class Terminal {
  private readonly name: string
  constructor(name: string) {
    this.name = name
  }

  /** Where its state is kept between blocks (in the scratch directory, made by beforeAll). */
  private get state() {
    return join(scratch, `${this.name.replaceAll("/", "_")}.state.sh`)
  }

  async run(body: string, cwd: string, node20: boolean): Promise<Run> {
    const script = [
      existsSync(this.state) ? `source ${quote(this.state)}` : "",
      // A README's request must get a 2xx: curl's exit status says so.
      'curl() { command curl --fail-with-body "$@"; }',
      `cd ${quote(join(clone, cwd))}`,
      body,
      `{ alias -p; declare -f; export -p; } > ${quote(this.state)}`,
    ].join("\n")
    const { child, output } = spawnShell(script, join(clone, cwd), node20)
    const timer = setTimeout(() => killGroup(child, "SIGKILL"), RUN_LIMIT_MS)
    const code = await new Promise<number | null>((resolve) =>
      child.once("exit", (c) => resolve(c)),
    )
    clearTimeout(timer)
    // Nothing it started may outlive it (a server belongs in a `serves=` block).
    killGroup(child, "SIGKILL")
    return { code, output: output() }
  }
}

interface Server {
  readonly where: string
  readonly url: string
  readonly child: ChildProcess
  readonly output: () => string
}

const startServer = async (block: Block, part: string, cwd: string, node20: boolean) => {
  const url = (block.marker as { serves: string }).serves
  if (node20) {
    const system = spawnSync(
      "bash",
      ["-c", "command -v node && command -v npm && node --version"],
      {
        env: { PATH: SYSTEM_PATH },
        encoding: "utf8",
      },
    )
    if (system.status !== 0)
      throw new Error(
        `${block.readme}:${block.line} needs the system's node and npm in ${SYSTEM_PATH}`,
      )
  }
  if (await answersAtAll(url))
    throw new Error(`${url} answers before ${block.readme}:${block.line} started: port in use`)
  const { child, output } = spawnShell(part, join(clone, cwd), node20)
  const server: Server = { where: `${block.readme}:${block.line}`, url, child, output }
  const deadline = Date.now() + SERVER_LIMIT_MS
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(
        `the server exited (${child.exitCode}) before answering ${url}:\n${tail(output())}`,
      )
    if (await answers(url)) return server
    if (Date.now() > deadline)
      throw new Error(
        `no answer from ${url} within ${SERVER_LIMIT_MS / 1000} s:\n${tail(output())}`,
      )
    await new Promise((r) => setTimeout(r, 500))
  }
}

/** Ctrl-C, as in its terminal: the whole group gets SIGINT and must be gone. */
const stopServer = async (server: Server) => {
  const { child } = server
  const exited = new Promise<void>((resolve) =>
    child.exitCode !== null || child.signalCode !== null
      ? resolve()
      : child.once("exit", () => resolve()),
  )
  killGroup(child, "SIGINT")
  const deadline = Date.now() + STOP_LIMIT_MS
  await Promise.race([exited, new Promise((r) => setTimeout(r, STOP_LIMIT_MS))])
  while (groupAlive(child) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200))
  const leftOver = groupAlive(child)
  killGroup(child, "SIGKILL")
  let stillAnswering = await answersAtAll(server.url)
  while (stillAnswering && Date.now() < deadline + 5_000) {
    await new Promise((r) => setTimeout(r, 250))
    stillAnswering = await answersAtAll(server.url)
  }
  return { leftOver, stillAnswering }
}

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), "vp-readme-"))
  clone = join(scratch, "clone")
  home = join(scratch, "home")
  mkdirSync(home, { recursive: true })
  const copied = copyWorkingTree(clone)
  expect(copied).toBeGreaterThan(50)
  expect(existsSync(join(clone, "node_modules"))).toBe(false)
  baseEnv = freshEnvironment()
}, 60_000)

afterAll(() => {
  for (const child of spawned) killGroup(child, "SIGKILL")
  if (scratch !== "") rmSync(scratch, { recursive: true, force: true })
}, 60_000)

// ---------------------------------------------------------------------------------------

describe("README shell blocks", () => {
  it("each carries a readme-test marker (setup, example or not-runnable with its reason)", () => {
    const problems = BLOCKS.flatMap(({ blocks }) =>
      blocks.flatMap((block) =>
        block.marker.kind === "unmarked"
          ? [`${block.readme}:${block.line}: no <!-- readme-test: … --> marker before the block`]
          : block.marker.kind === "invalid"
            ? [`${block.readme}:${block.line}: ${block.marker.problem}`]
            : [],
      ),
    )
    expect(problems).toEqual([])
    // Every README with shell blocks sets something up (or says why it cannot).
    expect(BLOCKS.reduce((n, { blocks }) => n + blocks.length, 0)).toBeGreaterThan(10)
  })
})

for (const { readme, blocks } of BLOCKS) {
  describe(readme, () => {
    const terminal = new Terminal(readme)
    let server: Server | undefined
    const stop = (what: string) =>
      it(
        `stops ${what} on Ctrl-C`,
        async () => {
          const current = server
          server = undefined
          expect(current, `${what} was not running`).toBeDefined()
          if (current === undefined) return
          const { leftOver, stillAnswering } = await stopServer(current)
          expect(leftOver, `processes of ${current.where} left after Ctrl-C`).toBe(false)
          expect(stillAnswering, `${current.url} still answers`).toBe(false)
        },
        STOP_LIMIT_MS + 15_000,
      )

    let serving: string | undefined
    for (const block of blocks) {
      const { marker } = block
      const where = `${readme}:${block.line}`
      if (marker.kind === "not-runnable") {
        it.skip(`${where} is not runnable: ${marker.reason}`, () => {})
        continue
      }
      if (marker.kind !== "setup" && marker.kind !== "example") continue // the marker test fails
      if (marker.serves !== undefined && serving !== undefined) stop(serving)
      if (marker.serves !== undefined) serving = `the server of ${where} (${marker.serves})`
      const title = `${where} ${marker.kind}${marker.serves === undefined ? "" : ` serving ${marker.serves}`}${marker.cwd === "." ? "" : ` in ${marker.cwd}`}${marker.node20 ? " with only Node 20 on PATH" : ""}`
      it(
        title,
        async () => {
          const lines = block.body.split("\n")
          const split = lines.findIndex((line) => ANOTHER_TERMINAL.test(line.trim()))
          const serverPart =
            marker.serves === undefined
              ? ""
              : (split < 0 ? lines : lines.slice(0, split)).join("\n")
          const rest =
            marker.serves === undefined
              ? block.body
              : split < 0
                ? ""
                : lines.slice(split + 1).join("\n")
          if (marker.serves !== undefined)
            server = await startServer(block, serverPart, marker.cwd, marker.node20)
          if (rest.trim() !== "") {
            const run = await terminal.run(rest, marker.cwd, marker.node20)
            expect(run.code, `${where} failed:\n${tail(run.output)}`).toBe(0)
          }
          if (server !== undefined)
            expect(
              server.child.exitCode,
              `the server of ${server.where} exited:\n${tail(server.output())}`,
            ).toBeNull()
        },
        RUN_LIMIT_MS + SERVER_LIMIT_MS + 10_000,
      )
    }
    if (serving !== undefined) stop(serving)
  })
}
