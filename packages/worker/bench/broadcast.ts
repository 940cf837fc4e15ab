// Broadcast benchmarks (numbers in BENCHMARKS.md, "Broadcasts"). Run:
//   pnpm --filter @voicepartner/worker bench:broadcast   (builds, then node bench/broadcast.ts)
// The gateway's deployed bundle (dist/index.js) is served by the workerd binary
// (bench/workerd.ts: SQLite Durable Objects on a temp disk, alarms, loopback only), the
// emulator runs in this process, every wait is bounded. Two parts, figures of the same run:
// 1. A 100,000-recipient voicemail broadcast, uploaded as a CSV, under a sped-up policy
//    (5 drops a second, no reserve: the theoretical minimum from the first request to the
//    last is the sliding log's, 5 at once and 5 more a second later: (200 / 5 − 1) s = 39 s), with the emulator enforcing the same 5 a second: the
//    upstream requests, their 429s, the time first → last request and its ratio to the
//    minimum; then the Durable Object's SQLite size per recipient. Three providers: counting
//    exactly, with 100 ms of tolerance, and exactly with arrivals 0–100 ms late at random.
// 2. A 1,000,000-row CRM-like CSV (50 MB) uploaded: planned (dry run) and created
//    (stored, scheduled an hour ahead so nothing is sent), each answer timed; workerd's
//    RSS sampled from /proc during the uploads; the broadcast object's SQLite size per
//    recipient. Then the same million numbers as a JSON body (16.2 MB, a dry run; read as
//    a stream like the CSV), with Content-Length and without (chunked), each timed with
//    the isolate's heap peak, each on a gateway of its own (a fresh isolate: what the
//    CSV uploads left is not counted).
// PART=big runs part 2 only; PART=json only its JSON dry runs (JSON_RUNS=n repeats them,
// default 1). BUNDLE=path/to/index.js serves another build (e.g. an older one, to compare
// in the same session).
import { spawn } from "node:child_process"
import { readdirSync, readFileSync, readlinkSync, statSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { planAdmissions } from "@voicepartner/core/ratelimit/slidingLog"
import { freePort, gatewayBindings, startReceiver, TOKENS, UPSTREAM_KEY } from "../e2e/stack.ts"
import { COMPATIBILITY_DATE, sleep } from "./benchStack.ts"
import { serveOnWorkerd, type WorkerdServer } from "./workerd.ts"

const BUNDLE = process.env.BUNDLE ?? fileURLToPath(new URL("../dist/index.js", import.meta.url))
const RECIPIENTS = Number(process.env.RECIPIENTS ?? 100_000)
const BIG = Number(process.env.BIG ?? 1_000_000)
/** Which parts run: all (unset), `big` (part 2), `json` (part 2's JSON dry runs only). */
const PART = process.env.PART
if (PART !== undefined && PART !== "big" && PART !== "json")
  throw new Error(`PART=${PART}: expected big or json`)
const JSON_RUNS = Number(process.env.JSON_RUNS ?? 1)
const LIMIT = 5
const WINDOW_MS = 1_000
/** The whole run stops past this (a broadcast that does not finish is a failure, not a wait). */
const DEADLINE = Date.now() + Number(process.env.BENCH_TIMEOUT_S ?? 300) * 1000

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits
const mb = (bytes: number) => `${round(bytes / 1024 / 1024, 1)} MB`

/** The workerd process this process started last: its pid and working directory. */
const workerdChild = (): { pid: number; dir: string } => {
  const found: Array<number> = []
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8")
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"))
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1])
      if (ppid === process.pid && comm.startsWith("workerd")) found.push(Number(entry))
    } catch {
      // a process that ended meanwhile
    }
  }
  const pid = Math.max(...found)
  if (!Number.isFinite(pid)) throw new Error("no workerd child process found")
  return { pid, dir: readlinkSync(`/proc/${pid}/cwd`) }
}

/** VmRSS and VmHWM (peak) of a process, in bytes. */
const memoryOf = (pid: number): { rss: number; hwm: number } => {
  const status = readFileSync(`/proc/${pid}/status`, "utf8")
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN)
  return { rss: kb("VmRSS") * 1024, hwm: kb("VmHWM") * 1024 }
}

/** Samples a process's RSS every 20 ms until `stop()`: the peak seen. */
const sampleRss = (pid: number) => {
  let peak = 0
  const timer = setInterval(() => {
    peak = Math.max(peak, memoryOf(pid).rss)
  }, 20)
  return {
    stop: () => {
      clearInterval(timer)
      return Math.max(peak, memoryOf(pid).rss)
    },
  }
}

/** SQLite files (with their -wal and -shm) under a directory, largest first. */
const sqliteFiles = (dir: string): Array<{ path: string; bytes: number }> => {
  const out: Array<{ path: string; bytes: number }> = []
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name)
      const s = statSync(path)
      if (s.isDirectory()) walk(path)
      else if (name.endsWith(".sqlite")) {
        let bytes = s.size
        for (const suffix of ["-wal", "-shm"])
          try {
            bytes += statSync(`${path}${suffix}`).size
          } catch {
            // no such file
          }
        out.push({ path, bytes })
      }
    }
  }
  walk(dir)
  return out.sort((a, b) => b.bytes - a.bytes)
}

const serveGateway = (
  upstreamBaseUrl: string,
  webhookUrl: string,
  vars: Record<string, string>,
  inspectorPort?: number,
) =>
  serveOnWorkerd({
    module: BUNDLE,
    compatibilityDate: COMPATIBILITY_DATE,
    compatibilityFlags: ["enable_request_signal"],
    durableObjects: { QUOTA: "QuotaObject", LEDGER: "ClientLedger", BROADCASTS: "BroadcastObject" },
    bindings: gatewayBindings({ upstreamBaseUrl, webhookUrl, retrySchedule: "60", vars }),
    ...(inspectorPort !== undefined && { inspectorPort }),
  })

/**
 * The Worker's isolate heap through workerd's inspector (Chrome DevTools protocol,
 * `Runtime.getHeapUsage`): V8's used heap and the ArrayBuffers' backing stores (typed
 * arrays live there), sampled every 20 ms while `sample` runs (answers come when the
 * isolate yields, which the streamed upload does between chunks). In workerd the
 * Durable Objects of the Worker share its isolate: their memory is in the figure too.
 */
const isolateHeap = async (inspectorPort: number) => {
  const ws = new WebSocket(`ws://127.0.0.1:${inspectorPort}/main`)
  await new Promise((resolve, reject) => {
    ws.addEventListener("open", resolve)
    ws.addEventListener("error", reject)
  })
  let next = 0
  const waiting = new Map<
    number,
    (result: { usedSize: number; backingStorageSize: number }) => void
  >()
  ws.addEventListener("message", (event) => {
    const message = JSON.parse(String(event.data)) as { id?: number; result?: never }
    if (message.id !== undefined) waiting.get(message.id)?.(message.result as never)
    if (message.id !== undefined) waiting.delete(message.id)
  })
  const usage = () =>
    new Promise<{ usedSize: number; backingStorageSize: number }>((resolve) => {
      const id = ++next
      waiting.set(id, resolve)
      ws.send(JSON.stringify({ id, method: "Runtime.getHeapUsage" }))
    })
  return {
    usage,
    /** Peaks (bytes) of used heap, backing stores and their sum while `run` runs. */
    sample: async <A>(run: () => Promise<A>) => {
      let running = true
      const peak = { used: 0, backing: 0, total: 0, samples: 0 }
      const loop = (async () => {
        while (running) {
          const u = await usage()
          peak.used = Math.max(peak.used, u.usedSize)
          peak.backing = Math.max(peak.backing, u.backingStorageSize)
          peak.total = Math.max(peak.total, u.usedSize + u.backingStorageSize)
          peak.samples++
          await sleep(20)
        }
      })()
      const result = await run()
      running = false
      await loop
      return { result, peak }
    },
    close: () => ws.close(),
  }
}

const call = async (server: WorkerdServer, path: string, init: RequestInit = {}) => {
  const response = await fetch(`${server.url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${TOKENS[0]}`, ...init.headers },
  })
  const text = await response.text()
  return { status: response.status, json: JSON.parse(text) }
}

/** A CRM-like export: `n` rows of id, name, a quoted company holding the delimiter, phone, e-mail. */
const crmCsv = (n: number, first: number): Buffer => {
  const parts: Array<string> = ["id;nom;societe;telephone;email\r\n"]
  let batch = ""
  for (let i = 0; i < n; i++) {
    const k = first + i
    batch += `${i};Client ${i};"SARL ${i}; et fils";06 ${String(k)
      .padStart(8, "0")
      .replace(/(\d\d)(?=\d)/g, "$1 ")};c${i}@example.fr\r\n`
    if (i % 10_000 === 9_999) {
      parts.push(batch)
      batch = ""
    }
  }
  parts.push(batch)
  return Buffer.from(parts.join(""), "latin1")
}

const results: Array<[string, string]> = []
const report = (label: string, value: string) => {
  results.push([label, value])
  console.log(`${label}: ${value}`)
}

/**
 * The emulator in its own Node process (as the provider is another machine): its clock
 * reads arrivals without this process's pauses (its garbage collection, JSON parsing).
 * It enforces 5 drops per `providerWindowMs` (429 past it); callbacks come an hour later
 * (none during the run). `requests()` reads its log over `GET /__emulator/requests`.
 */
const startEmulator = async (providerWindowMs: number) => {
  const port = await freePort()
  const node = fileURLToPath(new URL("../../emulator/dist/node.js", import.meta.url))
  const options = {
    port,
    apiKeys: [UPSTREAM_KEY],
    credits: 100_000_000,
    callbackDelayMs: 3_600_000,
    rateLimits: { "campaign/send": [{ limit: LIMIT, windowMs: providerWindowMs }] },
  }
  const child = spawn(
    process.execPath,
    [
      "--input-type=module",
      "-e",
      `const { startEmulatorServer } = await import(${JSON.stringify(pathToFileURL(node).href)}); await startEmulatorServer(${JSON.stringify(options)})`,
    ],
    { stdio: "ignore" },
  )
  const url = `http://127.0.0.1:${port}`
  for (let i = 0; i < 100; i++) {
    if (
      await fetch(`${url}/__emulator/requests`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break
    await sleep(100)
  }
  return {
    baseUrl: `${url}/v1`,
    requests: async () =>
      (await (await fetch(`${url}/__emulator/requests`)).json()) as ReadonlyArray<{
        readonly at: number
        readonly endpoint: string
        readonly status: number
        readonly body?: unknown
      }>,
    setFaults: async (faults: Record<string, number>) => {
      const set = await fetch(`${url}/__emulator/faults`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(faults),
      })
      if (!set.ok) throw new Error(`the emulator refused its faults: ${set.status}`)
    },
    close: async () => {
      const exited = new Promise((resolve) => child.once("exit", resolve))
      child.kill("SIGTERM")
      await exited
    },
  }
}

const receiver = await startReceiver(() => 204)
const servers: Array<WorkerdServer> = []
const emulators: Array<Awaited<ReturnType<typeof startEmulator>>> = []

/**
 * Part 1 against a provider counting 5 per `providerWindowMs` by arrival: a fresh gateway
 * (policy 5 per second, no reserve), a warm-up broadcast, then the measured one.
 */
const paced = async (
  label: string,
  providerWindowMs: number,
  faults: Record<string, number> = {},
) => {
  const emulator = await startEmulator(providerWindowMs)
  emulators.push(emulator)
  await emulator.setFaults(faults)
  const sped = await serveGateway(emulator.baseUrl, receiver.url, {
    RATE_LIMIT_POLICY: JSON.stringify({ "campaign/send": [{ limit: LIMIT, windowMs: WINDOW_MS }] }),
    BROADCAST_RESERVE: JSON.stringify({ "campaign/send": [0] }),
  })
  servers.push(sped)
  const spedWorkerd = workerdChild()
  const query = new URLSearchParams({
    type: "voicemail",
    tokenAudio: "dev-audio",
    emailForNotification: "ops@example.com",
  })
  /** Uploads a CSV of `n` recipients and waits (bounded) until the broadcast has run. */
  const broadcast = async (n: number, first: number) => {
    const created = await call(sped, `/v1/broadcasts?${query}`, {
      method: "POST",
      headers: { "content-type": "text/csv" },
      body: crmCsv(n, first),
    })
    if (created.status !== 201)
      throw new Error(`create answered ${created.status}: ${JSON.stringify(created.json)}`)
    const id = created.json.id as string
    let summary: { status: string; chunks: Record<string, number> } = { status: "?", chunks: {} }
    for (;;) {
      if (Date.now() > DEADLINE)
        throw new Error(`the broadcast is still ${summary.status} at the deadline`)
      summary = (await call(sped, `/v1/broadcasts/${id}`)).json
      if (summary.status !== "running" && summary.status !== "scheduled") break
      await sleep(200)
    }
    return { id, requests: created.json.plan.requests as number, summary }
  }
  // Warm-up, as every benchmark here does (JIT of both sides, the Durable Objects, the
  // connections): a broadcast of 5 chunks, then the window left to empty.
  await broadcast(2_500, 90_000_000)
  await sleep(2 * WINDOW_MS)
  const measuredFrom = Date.now()
  const { id, requests, summary } = await broadcast(RECIPIENTS, 0)
  // The sliding log's earliest instant for the last request (core's planner, the quota's):
  // 5 at once, then 5 a window later, … — (200 / 5 − 1) windows = 39 s for 200.
  const minimumMs =
    planAdmissions([], [{ limit: LIMIT, windowMs: WINDOW_MS }], 0, requests).at(-1) ?? 0
  console.log(`${label}: broadcast ${id}, ${requests} requests; minimum ${minimumMs / 1000} s`)
  const drops = (await emulator.requests()).filter(
    (r) => r.endpoint === "campaign/send" && r.at >= measuredFrom,
  )
  const refused = drops.filter((r) => r.status === 429).length
  const sent = drops.filter((r) => r.status === 200)
  const numbers = sent.flatMap((r) =>
    String((r.body as { phoneNumbers: string }).phoneNumbers).split(","),
  )
  const spanMs = (drops.at(-1)?.at ?? 0) - (drops[0]?.at ?? 0)
  if (process.env.TIMELINE === "1") {
    // When each chunk left the gateway (its `started_at`) and the emulator logged it.
    const { DatabaseSync } = await import("node:sqlite")
    const file = sqliteFiles(join(spedWorkerd.dir, "state"))[0]
    if (file !== undefined) {
      const db = new DatabaseSync(file.path, { readOnly: true })
      const chunks = db
        .prepare("SELECT idx, started_at, finished_at FROM chunks ORDER BY started_at")
        .all() as Array<{ idx: number; started_at: number; finished_at: number }>
      db.close()
      const t0 = chunks[0]?.started_at ?? 0
      for (const c of chunks)
        console.log(`chunk ${c.idx} left +${c.started_at - t0} answered +${c.finished_at - t0}`)
      for (const r of drops) console.log(`emulator logged +${r.at - t0} ${r.status}`)
    }
  }
  report(`${label}: final status`, `${summary.status} (chunks ${JSON.stringify(summary.chunks)})`)
  report(
    `${label}: upstream requests`,
    `${drops.length} (${sent.length} answered 200, ${refused} answered 429)`,
  )
  report(`${label}: numbers sent`, `${numbers.length} (${new Set(numbers).size} distinct)`)
  report(
    `${label}: first → last upstream request`,
    `${round(spanMs / 1000, 3)} s; theoretical minimum ${minimumMs / 1000} s; ratio ${round(spanMs / minimumMs, 4)}`,
  )
  const spedObject = sqliteFiles(join(spedWorkerd.dir, "state"))[0]
  if (spedObject !== undefined)
    report(
      `${label}: broadcast object's SQLite (with WAL)`,
      `${mb(spedObject.bytes)}, ${round(spedObject.bytes / RECIPIENTS, 1)} bytes per recipient`,
    )
  await sped.close()
  servers.splice(servers.indexOf(sped), 1)
  await emulator.close()
  emulators.splice(emulators.indexOf(emulator), 1)
}

try {
  // ---- 1. 100,000 recipients under 5 drops a second -------------------------------------
  // The provider counting exactly the gateway's policy, then with 100 ms of tolerance for
  // arrival jitter (what the end-to-end tests give it too): on a shared machine a request
  // can wait that long for the emulator's process to be scheduled.
  if (PART === undefined) {
    await paced("100k, provider 5/1000 ms", WINDOW_MS)
    await paced("100k, provider 5/900 ms", WINDOW_MS - 100)
    // The provider counting exactly, its arrivals 0–100 ms late at random (a network that
    // jitters): the broadcast paces itself by answers, so no window is ever over-full.
    await paced("100k, provider 5/1000 ms, arrivals 0–100 ms late", WINDOW_MS, {
      latencyJitterMs: 100,
      seed: 11,
    })
  }
  const emulator = await startEmulator(WINDOW_MS)
  emulators.push(emulator)

  // ---- 2. A 1,000,000-row CSV upload ------------------------------------------------------
  const inspectorPort = await freePort()
  const big = await serveGateway(emulator.baseUrl, receiver.url, {}, inspectorPort)
  servers.push(big)
  const bigWorkerd = workerdChild()
  const heap = await isolateHeap(inspectorPort)
  const file = crmCsv(BIG, 0)
  const idle = memoryOf(bigWorkerd.pid)
  const idleHeap = await heap.usage()
  const bigQuery = new URLSearchParams({
    type: "voicemail",
    tokenAudio: "dev-audio",
    emailForNotification: "ops@example.com",
    startAt: new Date(Date.now() + 3_600_000).toISOString(),
  })
  const upload = async (dryRun: boolean) => {
    const sampler = sampleRss(bigWorkerd.pid)
    const started = performance.now()
    const { result: answer, peak } = await heap.sample(() =>
      call(big, `/v1/broadcasts?${bigQuery}${dryRun ? "&dryRun=true" : ""}`, {
        method: "POST",
        headers: { "content-type": "text/csv" },
        body: file,
      }),
    )
    const ms = performance.now() - started
    return { answer, ms, peak, rss: sampler.stop() }
  }
  const csv = PART !== "json"
  const planned = csv ? await upload(true) : undefined
  if (planned !== undefined && planned.answer.status !== 200)
    throw new Error(`dry run answered ${planned.answer.status}`)
  const stored = csv ? await upload(false) : undefined
  if (stored !== undefined && stored.answer.status !== 201)
    throw new Error(`create answered ${stored.answer.status}`)
  // The same numbers as the JSON form's `recipients` (a dry run), for comparison: read as
  // a stream too (broadcast/jsonUpload.ts), the heap holds a piece of the text and the plan.
  const json = JSON.stringify({
    type: "voicemail",
    message: { tokenAudio: "dev-audio", emailForNotification: "ops@example.com" },
    recipients: Array.from(
      { length: BIG },
      (_, i) =>
        `06 ${String(i)
          .padStart(8, "0")
          .replace(/(\d\d)(?=\d)/g, "$1 ")}`,
    ),
    dryRun: true,
  })
  const jsonBytes = Buffer.from(json)
  /**
   * The JSON dry run, with Content-Length or without (the body as a stream of 64 KB
   * pieces), on a gateway of its own: a fresh isolate, which no earlier upload left
   * garbage in.
   */
  const jsonDryRun = async (chunked: boolean) => {
    const port = await freePort()
    const gateway = await serveGateway(emulator.baseUrl, receiver.url, {}, port)
    servers.push(gateway)
    const isolate = await isolateHeap(port)
    const before = await isolate.usage()
    const started = performance.now()
    const { result, peak } = await isolate.sample(() =>
      call(gateway, "/v1/broadcasts", {
        method: "POST",
        headers: { "content-type": "application/json" },
        ...(chunked
          ? {
              body: new ReadableStream<Uint8Array>({
                start: (controller) => {
                  for (let at = 0; at < jsonBytes.length; at += 65_536)
                    controller.enqueue(jsonBytes.subarray(at, at + 65_536))
                  controller.close()
                },
              }),
              duplex: "half",
            }
          : { body: jsonBytes }),
      } as RequestInit),
    )
    const ms = performance.now() - started
    isolate.close()
    await gateway.close()
    servers.splice(servers.indexOf(gateway), 1)
    if (result.status !== 200)
      throw new Error(`JSON dry run answered ${result.status}: ${JSON.stringify(result.json)}`)
    return { result, peak, before, ms }
  }
  const jsonRuns: Array<{
    chunked: boolean
    run: number
    dry: Awaited<ReturnType<typeof jsonDryRun>>
  }> = []
  for (let run = 1; run <= JSON_RUNS; run++)
    for (const chunked of [false, true])
      jsonRuns.push({ chunked, run, dry: await jsonDryRun(chunked) })
  heap.close()
  if (planned !== undefined && stored !== undefined) {
    const valid = stored.answer.json.plan.recipients.valid as number
    report(
      "1M CSV: upload",
      `${mb(file.length)}, ${BIG.toLocaleString("en")} rows, ${valid.toLocaleString("en")} valid`,
    )
    report("1M CSV: planned (dry run) and answered", `${round(planned.ms / 1000, 2)} s`)
    report("1M CSV: planned, stored and answered (201)", `${round(stored.ms / 1000, 2)} s`)
    for (const [what, run] of [
      ["dry run", planned],
      ["creation", stored],
    ] as const)
      report(
        `1M CSV: isolate heap during the ${what} (peak, ${run.peak.samples} samples)`,
        `${mb(run.peak.total)} (V8 heap ${mb(run.peak.used)}, ArrayBuffers ${mb(run.peak.backing)}); idle ${mb(idleHeap.usedSize + idleHeap.backingStorageSize)}`,
      )
  }
  for (const { chunked, run, dry } of jsonRuns)
    report(
      `1M as JSON (${mb(json.length)}, dry run${chunked ? ", without Content-Length" : ""}${JSON_RUNS > 1 ? `, run ${run}` : ""}): isolate heap (peak, ${dry.peak.samples} samples)`,
      `${mb(dry.peak.total)} (V8 heap ${mb(dry.peak.used)}, ArrayBuffers ${mb(dry.peak.backing)}; ${mb(dry.before.usedSize + dry.before.backingStorageSize)} before it); answered ${dry.result.status} in ${round(dry.ms / 1000, 2)} s`,
    )
  if (planned !== undefined && stored !== undefined) {
    const valid = stored.answer.json.plan.recipients.valid as number
    report(
      "1M CSV: workerd RSS (the whole process)",
      `${mb(idle.rss)} idle; peak ${mb(planned.rss)} during the dry run, ${mb(stored.rss)} during the creation`,
    )
    const bigObject = sqliteFiles(join(bigWorkerd.dir, "state"))[0]
    if (bigObject !== undefined)
      report(
        "1M CSV: broadcast object's SQLite (with WAL)",
        `${mb(bigObject.bytes)}, ${round(bigObject.bytes / valid, 1)} bytes per recipient`,
      )
    const shown = await call(big, `/v1/broadcasts/${stored.answer.json.id}`)
    report(
      "1M CSV: status",
      `${shown.json.status}, ${shown.json.chunks.total} chunks, estimated cost ${shown.json.plan.estimatedCost.amount} ${shown.json.plan.estimatedCost.currency}`,
    )
  }
} finally {
  for (const server of servers) await server.close()
  for (const emulator of emulators) await emulator.close()
  await receiver.close()
}

console.log("\n| measure | value |\n|---|---|")
for (const [label, value] of results) console.log(`| ${label} | ${value} |`)
