// Serves a Worker on 127.0.0.1 with the `workerd` binary itself, the runtime Cloudflare
// deploys to, without Miniflare's development layers (its entry Worker and the services
// it routes through Node), which add milliseconds and long tails of their own (see
// BENCHMARKS.md). Outbound fetches may reach loopback only.
import { type ChildProcess, spawn } from "node:child_process"
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
// @ts-expect-error workerd ships no types: a CommonJS module whose `default` is the binary's path
import workerdModule from "workerd"
import { freePort } from "../e2e/stack.ts"

export interface WorkerdOptions {
  /** Path of the Worker's ES module (a bundle: it may import only `cloudflare:` modules). */
  readonly module: string
  readonly compatibilityDate: string
  /** As in `wrangler.jsonc` (the gateway needs `enable_request_signal`). */
  readonly compatibilityFlags?: ReadonlyArray<string>
  /** Text bindings (vars and secrets). */
  readonly bindings: Readonly<Record<string, string>>
  /** Durable Object bindings, name → class, each with SQLite storage on disk. */
  readonly durableObjects?: Readonly<Record<string, string>>
  /** Opens workerd's inspector (Chrome DevTools protocol) on 127.0.0.1 at this port. */
  readonly inspectorPort?: number
}

export interface WorkerdServer {
  readonly url: string
  /** CPU time (user + system) the workerd process has used so far, in ms; NaN off Linux. */
  cpuMs(): number
  close(): Promise<void>
}

// Fields 14 and 15 of /proc/<pid>/stat (after the command's closing parenthesis), in ticks.
const TICK_MS = 10
const cpuMsOf = (pid: number | undefined): number => {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? []
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS
  } catch {
    return Number.NaN
  }
}

// Node's own loader gives the CommonJS exports object, vitest's gives its `default`.
const workerdBinary: string =
  typeof workerdModule === "string" ? workerdModule : (workerdModule as { default: string }).default
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

/** Starts workerd and resolves once the Worker answers; `close()` stops it and deletes its state. */
export const serveOnWorkerd = async (options: WorkerdOptions): Promise<WorkerdServer> => {
  const dir = mkdtempSync(join(tmpdir(), "vp-workerd-"))
  mkdirSync(join(dir, "bindings"))
  mkdirSync(join(dir, "state"))
  copyFileSync(options.module, join(dir, "worker.js"))
  const objects = Object.entries(options.durableObjects ?? {})
  const bindings = Object.entries(options.bindings).map(([name, value]) => {
    if (!NAME.test(name)) throw new Error(`binding name ${JSON.stringify(name)} is not valid`)
    // Embedded files: no value needs escaping for Cap'n Proto's text format.
    writeFileSync(join(dir, "bindings", name), value)
    return `(name = "${name}", text = embed "bindings/${name}")`
  })
  for (const [name, className] of objects) {
    if (!NAME.test(name) || !NAME.test(className))
      throw new Error(`Durable Object binding ${name} → ${className} is not valid`)
    bindings.push(`(name = "${name}", durableObjectNamespace = "${className}")`)
  }
  const port = await freePort()
  writeFileSync(
    join(dir, "config.capnp"),
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = (
      modules = [(name = "worker.js", esModule = embed "worker.js")],
      compatibilityDate = "${options.compatibilityDate}",
      compatibilityFlags = [${(options.compatibilityFlags ?? []).map((f) => JSON.stringify(f)).join(", ")}],
      bindings = [${bindings.join(", ")}],
      durableObjectNamespaces = [${objects
        .map(([, c]) => `(className = "${c}", uniqueKey = "bench-${c}", enableSql = true)`)
        .join(", ")}],
      ${objects.length > 0 ? `durableObjectStorage = (localDisk = "state"),` : ""}
      globalOutbound = "loopback",
    )),
    (name = "loopback", network = (allow = ["local"])),
    (name = "state", disk = (path = "${join(dir, "state")}", writable = true)),
  ],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "main")],
);
`,
  )
  const child: ChildProcess = spawn(
    workerdBinary,
    [
      "serve",
      "config.capnp",
      "--experimental",
      ...(options.inspectorPort === undefined
        ? []
        : ["--inspector-addr", `127.0.0.1:${options.inspectorPort}`]),
    ],
    {
      cwd: dir,
      // The gateway logs a line per request: drained, so that the report stays readable.
      stdio: ["ignore", "ignore", "pipe"],
    },
  )
  let stderr = ""
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4_000)
  })
  const url = `http://127.0.0.1:${port}`
  const close = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve))
      child.kill("SIGTERM")
      await exited
    }
    rmSync(dir, { recursive: true, force: true })
  }
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) break
    const up = await fetch(url, { method: "HEAD" }).then(
      () => true,
      () => false,
    )
    if (up) return { url, cpuMs: () => cpuMsOf(child.pid), close }
    await new Promise((r) => setTimeout(r, 100))
  }
  await close()
  throw new Error(`workerd did not start:\n${stderr}`)
}
