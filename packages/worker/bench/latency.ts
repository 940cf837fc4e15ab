// Gateway benchmarks (numbers and method in BENCHMARKS.md). Run: pnpm --filter @voicepartner/worker bench
// 1. Latency and CPU the gateway adds over calling the emulator directly: voice SMS sends
//    over loopback at 50 concurrent connections, paced (open loop) and saturated (closed
//    loop), with baselines in the same runtime and the same run: a bare proxy, the floor
//    of any exact gateway (one Durable Object SQLite write, then the fetch) and that floor
//    with a second write in another object (the client's ledger). Every Worker is served
//    by the workerd binary: Miniflare's and `wrangler dev`'s development layers cost more
//    than the gateway (see BENCHMARKS.md).
// 2. A flood of voicemail drops at 200 connections against an exhausted quota, against a
//    Worker that answers a fixed 429.
// Every run stops by itself (a fixed number of paced sends, a fixed duration); each lasts
// at least 10 s by default. Throughput is answers over wall time in ms, CPU per send the
// workerd process's CPU over the run (/proc) per answer. Ends with the two target ratios
// (per round, same run; their median) and the bundle size.
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { gzipSync } from "node:zlib"
import { startReceiver, TOKENS, UPSTREAM_KEY } from "../e2e/stack.ts"
import {
  COMPATIBILITY_DATE,
  DROP_BODY,
  exhaustDrops,
  gatewayOptions,
  startEmulatorProcess,
  TTS_BODY,
} from "./benchStack.ts"
import { closedLoop } from "./closedLoop.ts"
import { pacedLoad } from "./pacedLoad.ts"
import { serveOnWorkerd, type WorkerdServer } from "./workerd.ts"

const ROUNDS = Number(process.env.ROUNDS ?? 3)
/** Length of each saturated and flood run, in seconds. */
const RUN_SECONDS = Number(process.env.RUN_SECONDS ?? 10)
const PACED_RATE = Number(process.env.PACED_RATE ?? 100)
/** Paced sends per path and round: 10 s at the paced rate by default. */
const PACED_TOTAL = Number(process.env.PACED_TOTAL ?? PACED_RATE * 10)
/** Which parts to run (comma-separated): paced, saturated, flood. */
const PHASES = new Set((process.env.PHASES ?? "paced,saturated,flood").split(","))
// The gateway's build (default: `dist/index.js`, what `pnpm build` writes), and another
// one to measure in the same run, e.g. the main branch's.
const BUNDLE = process.env.BUNDLE
const COMPARE_BUNDLE = process.env.COMPARE_BUNDLE
/** More bindings for the compared gateway (JSON), e.g. `{"REQUEST_LOG":"off"}`: an A/B of a setting. */
const COMPARE_VARS =
  process.env.COMPARE_VARS === undefined
    ? undefined
    : (JSON.parse(process.env.COMPARE_VARS) as Record<string, string>)
/**
 * Slices each run is cut into, the slices of the paths taking turns (for A/Bs on a busy
 * machine); 1: one run per path and round.
 */
const SLICES = Number(process.env.SLICES ?? 1)
/**
 * `1`: the paths' runs (or slices) at the same time instead of in turns, so that both
 * sides of an A/B share every spell of the machine's load (and each other's).
 */
const TOGETHER = process.env.TOGETHER === "1"
/** `off`: only the gateway and COMPARE_BUNDLE (an A/B), without the baselines. */
const BASELINES = process.env.BASELINES !== "off"
const FLOOD_CONNECTIONS = 200
/** Fewest over-quota sends a flood must answer (5,000 in the issue's terms). */
const FLOOD_MIN = 5_000

const sorted = (xs: ReadonlyArray<number>) => [...xs].sort((a, b) => a - b)
const median = (xs: ReadonlyArray<number>) => {
  const s = sorted(xs)
  const mid = Math.floor(s.length / 2)
  return (s.length % 2 === 1 ? s[mid] : ((s[mid - 1] as number) + (s[mid] as number)) / 2) as number
}
const round2 = (n: number) => Math.round(n * 100) / 100
/** "median [min–max]" of the rounds. */
const spread = (xs: ReadonlyArray<number>, unit = "") => {
  const s = sorted(xs)
  return s.length === 1
    ? `${round2(s[0] as number)}${unit}`
    : `${round2(median(s))}${unit} [${round2(s[0] as number)}–${round2(s[s.length - 1] as number)}]`
}
/** The order of the paths in a round: rotated, so that no path always runs first or last. */
const rotated = <A>(xs: ReadonlyArray<A>, round: number): ReadonlyArray<A> => {
  const k = (round - 1) % xs.length
  return [...xs.slice(k), ...xs.slice(0, k)]
}

const bundleSize = (path: string) => {
  const bundle = readFileSync(path)
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`
  return `${kb(bundle.length)} minified, ${kb(gzipSync(bundle, { level: 9 }).length)} gzip`
}

const emulator = await startEmulatorProcess()
const receiver = await startReceiver(() => 204)
const worker = (name: string) => fileURLToPath(new URL(name, import.meta.url))
const servers: Array<WorkerdServer> = []
const serve = async (options: Parameters<typeof serveOnWorkerd>[0]) => {
  const server = await serveOnWorkerd(options)
  servers.push(server)
  return server
}
const benchStarted = performance.now()

try {
  const ttsUrl = `${emulator.url}/v1/tts/send`
  const gatewayBundle = BUNDLE ?? worker("../dist/index.js")
  const serveGateway = (module: string, vars?: Record<string, string>) =>
    serve(gatewayOptions(module, emulator.url, receiver.url, vars))
  const gateway = await serveGateway(gatewayBundle)
  const compared =
    COMPARE_BUNDLE === undefined && COMPARE_VARS === undefined
      ? undefined
      : await serveGateway(COMPARE_BUNDLE ?? gatewayBundle, COMPARE_VARS)
  const proxy = await serve({
    module: worker("./proxyWorker.js"),
    compatibilityDate: COMPATIBILITY_DATE,
    bindings: { TARGET: ttsUrl },
  })
  const floor = await serve({
    module: worker("./floorWorker.js"),
    compatibilityDate: COMPATIBILITY_DATE,
    durableObjects: { SLOTS: "Slots" },
    bindings: { TARGET: ttsUrl },
  })
  const floor2 = await serve({
    module: worker("./floorWorker.js"),
    compatibilityDate: COMPATIBILITY_DATE,
    durableObjects: { SLOTS: "Slots", RECORDS: "Records" },
    bindings: { TARGET: ttsUrl },
  })
  const refuse = await serve({
    module: worker("./refuseWorker.js"),
    compatibilityDate: COMPATIBILITY_DATE,
    bindings: {},
  })

  const direct = JSON.stringify({
    apiKey: UPSTREAM_KEY,
    phoneNumbers: "+33612345678",
    text: "Bonjour",
    lang: "fr",
  })
  interface Path {
    readonly name: string
    readonly url: string
    readonly headers: Readonly<Record<string, string>>
    readonly body: string
    readonly server?: WorkerdServer
  }
  const GATEWAY = "gateway"
  const COMPARED = "gateway (COMPARE_BUNDLE)"
  const FLOOR = "floor (1 DO write)"
  const FLOOR2 = "floor (2 DO writes)"
  const gatewayPath = (name: string, server: WorkerdServer): Path => ({
    name,
    url: `${server.url}/v1/tts/send`,
    headers: { authorization: `Bearer ${TOKENS[0]}` },
    body: TTS_BODY,
    server,
  })
  const paths: ReadonlyArray<Path> = [
    ...(BASELINES
      ? [
          { name: "direct", url: ttsUrl, headers: {}, body: direct },
          { name: "workerd proxy", url: proxy.url, headers: {}, body: direct, server: proxy },
          { name: FLOOR, url: floor.url, headers: {}, body: direct, server: floor },
          { name: FLOOR2, url: floor2.url, headers: {}, body: direct, server: floor2 },
        ]
      : []),
    gatewayPath(GATEWAY, gateway),
    ...(compared === undefined ? [] : [gatewayPath(COMPARED, compared)]),
  ]
  const cpuOf = (p: { readonly server?: WorkerdServer | undefined }) =>
    p.server?.cpuMs() ?? Number.NaN
  // Warm every path (JIT, Durable Objects).
  for (const p of paths)
    await closedLoop({
      url: p.url,
      connections: 50,
      amount: 1_000,
      headers: p.headers,
      body: p.body,
    })

  interface Row {
    readonly round: number
    readonly path: string
    readonly p50: number
    readonly p99: number
    /** workerd CPU per answer, ms. */
    readonly cpu: number
    readonly rps?: number
  }
  const of = (rows: ReadonlyArray<Row>, path: string, key: "p50" | "p99" | "cpu" | "rps") =>
    rows.filter((r) => r.path === path).map((r) => r[key] ?? Number.NaN)
  /** Per round, `a`'s value over `b`'s: ratios of the same round. */
  const ratios = (rows: ReadonlyArray<Row>, a: string, b: string, key: "cpu" | "rps") =>
    rows
      .filter((r) => r.path === a)
      .map((r) => {
        const other = rows.find((o) => o.round === r.round && o.path === b)
        return (r[key] ?? Number.NaN) / (other?.[key] ?? Number.NaN)
      })

  /** One run (or slice of a run) against one path. */
  interface Sample {
    readonly answered: number
    readonly elapsedMs: number
    readonly cpuMs: number
    readonly p50: number
    readonly p99: number
  }
  /**
   * A round: each target's run, or with SLICES > 1 its run cut into slices, the slices of
   * all targets taking turns (A B A B…), so that an A/B sees the same spells of load from
   * the machine's other users. A target's figures are its slices' sums (answers, wall
   * time, CPU) and the medians of their percentiles.
   */
  const runRound = async <T extends { readonly name: string }>(
    targets: ReadonlyArray<T>,
    round: number,
    slice: (target: T, slicesLeft: number) => Promise<Sample>,
  ): Promise<ReadonlyArray<{ readonly name: string } & Sample>> => {
    const samples = new Map<string, Array<Sample>>(targets.map((t) => [t.name, []]))
    let left = SLICES * targets.length
    for (let i = 0; i < SLICES; i++)
      if (TOGETHER) {
        const results = await Promise.all(targets.map((t) => slice(t, SLICES - i)))
        targets.forEach((t, k) => {
          samples.get(t.name)?.push(results[k] as Sample)
        })
      } else
        for (const t of rotated(targets, round + i))
          samples.get(t.name)?.push(await slice(t, left--))
    return targets.map((t) => {
      const xs = samples.get(t.name) ?? []
      const sum = (k: "answered" | "elapsedMs" | "cpuMs") => xs.reduce((n, x) => n + x[k], 0)
      return {
        name: t.name,
        answered: sum("answered"),
        elapsedMs: sum("elapsedMs"),
        cpuMs: sum("cpuMs"),
        p50: median(xs.map((x) => x.p50)),
        p99: median(xs.map((x) => x.p99)),
      }
    })
  }
  const rowOf = (round: number, r: { readonly name: string } & Sample): Row => ({
    round,
    path: r.name,
    p50: r.p50,
    p99: r.p99,
    rps: Math.round((r.answered * 1000) / r.elapsedMs),
    cpu: round2(r.cpuMs / r.answered),
  })
  const sliced = `${SLICES > 1 ? ` in ${SLICES} slices` : ""}${TOGETHER ? ", all paths at the same time" : SLICES > 1 ? " taking turns" : ""}`

  // First, on a fresh system: every path at a fixed offered load below its capacity.
  const paced: Array<Row> = []
  if (PHASES.has("paced")) {
    for (let round = 1; round <= ROUNDS; round++) {
      const results = await runRound(paths, round, async (p) => {
        const cpuBefore = cpuOf(p)
        const started = performance.now()
        const r = await pacedLoad({
          url: p.url,
          headers: p.headers,
          body: p.body,
          connections: 50,
          rate: PACED_RATE,
          total: Math.round(PACED_TOTAL / SLICES),
        })
        if (r.failed > 0) throw new Error(`${p.name}: ${r.failed} of ${r.sent} sends failed`)
        return {
          answered: r.sent,
          elapsedMs: performance.now() - started,
          cpuMs: cpuOf(p) - cpuBefore,
          p50: r.p50,
          p99: r.p99,
        }
      })
      for (const r of results) paced.push(rowOf(round, r))
    }
    console.table(paced.map(({ rps: _, ...row }) => row))
    console.log(
      `paced: ${PACED_RATE} req/s offered over 50 connections, ${PACED_TOTAL} sends per path and round${sliced}; median [range] of ${ROUNDS} rounds`,
    )
    const directP50 = median(of(paced, "direct", "p50"))
    for (const p of paths)
      console.log(
        `  ${p.name}: p50 ${spread(of(paced, p.name, "p50"), " ms")}, p99 ${spread(of(paced, p.name, "p99"), " ms")}` +
          (p.name === "direct"
            ? ""
            : `${BASELINES ? `, p50 added ${round2(median(of(paced, p.name, "p50")) - directP50)} ms` : ""}, workerd CPU per send ${spread(of(paced, p.name, "cpu"), " ms")}`),
      )
  }

  const saturated: Array<Row> = []
  if (PHASES.has("saturated")) {
    for (let round = 1; round <= ROUNDS; round++) {
      const results = await runRound(paths, round, async (p) => {
        const cpuBefore = cpuOf(p)
        const r = await closedLoop({
          url: p.url,
          connections: 50,
          seconds: RUN_SECONDS / SLICES,
          headers: p.headers,
          body: p.body,
        })
        const failed = r.errors + r.timeouts + r.answered - (r.statuses["200"] ?? 0)
        if (failed > 0) throw new Error(`${p.name}: ${failed} failed (${JSON.stringify(r)})`)
        return { ...r, cpuMs: cpuOf(p) - cpuBefore }
      })
      for (const r of results) saturated.push(rowOf(round, r))
    }
    console.table(saturated)
    console.log(
      `saturated: closed loop, 50 connections, ${RUN_SECONDS} s per path and round${sliced}, throughput = answers / wall time to the last answer; median [range] of ${ROUNDS} rounds`,
    )
    for (const p of paths)
      console.log(
        `  ${p.name}: p50 ${spread(of(saturated, p.name, "p50"), " ms")}, p99 ${spread(of(saturated, p.name, "p99"), " ms")}, ` +
          `${spread(of(saturated, p.name, "rps"), " req/s")}` +
          (p.name === "direct"
            ? ""
            : `, workerd CPU per send ${spread(of(saturated, p.name, "cpu"), " ms")}`),
      )
  }

  // Exhaust the voicemail drop quota (5/min), then flood the gateway and the baseline.
  const drop = DROP_BODY
  const dropper = { authorization: `Bearer ${TOKENS[1]}` }
  const REFUSE = "fixed-429 Worker"
  const floodTargets: ReadonlyArray<
    Path & { readonly server: WorkerdServer; readonly gw: boolean }
  > = [
    {
      name: GATEWAY,
      url: `${gateway.url}/v1/campaign/send`,
      headers: dropper,
      body: drop,
      server: gateway,
      gw: true,
    },
    ...(compared === undefined
      ? []
      : [
          {
            name: COMPARED,
            url: `${compared.url}/v1/campaign/send`,
            headers: dropper,
            body: drop,
            server: compared,
            gw: true,
          },
        ]),
    ...(BASELINES
      ? [{ name: REFUSE, url: refuse.url, headers: {}, body: drop, server: refuse, gw: false }]
      : []),
  ]
  const flood: Array<Row> = []
  const floodAnswers: Array<number> = []
  if (PHASES.has("flood")) {
    const sliceSeconds = RUN_SECONDS / SLICES
    for (let round = 1; round <= ROUNDS; round++) {
      const results = await runRound(floodTargets, round, async (t, slicesLeft) => {
        // Refused for longer than what is left of the round: every answer is a 429.
        if (t.gw)
          await exhaustDrops(
            t.server.url,
            TOKENS[1] as string,
            slicesLeft * (sliceSeconds + 2) * 1000 + 5_000,
          )
        const cpuBefore = cpuOf(t)
        const r = await closedLoop({
          url: t.url,
          connections: FLOOD_CONNECTIONS,
          seconds: sliceSeconds,
          headers: t.headers,
          body: t.body,
        })
        const limited = r.statuses["429"] ?? 0
        if (r.errors + r.timeouts > 0 || limited !== r.answered)
          throw new Error(`flood of ${t.name}: ${JSON.stringify(r)}`)
        return { ...r, cpuMs: cpuOf(t) - cpuBefore }
      })
      for (const r of results) {
        if (r.answered < FLOOD_MIN)
          throw new Error(`flood of ${r.name}: ${r.answered} answers, fewer than ${FLOOD_MIN}`)
        flood.push(rowOf(round, r))
        floodAnswers.push(r.answered)
      }
    }
    console.table(flood.map((row, i) => ({ ...row, answered: floodAnswers[i] })))
    console.log(
      `flood: voicemail drops over quota, closed loop, ${FLOOD_CONNECTIONS} connections, ${RUN_SECONDS} s per target and round${sliced}; every answer a 429, 0 errors, 0 timeouts; median [range] of ${ROUNDS} rounds`,
    )
    for (const t of floodTargets)
      console.log(
        `  ${t.name}: p50 ${spread(of(flood, t.name, "p50"), " ms")}, p99 ${spread(of(flood, t.name, "p99"), " ms")}, ` +
          `${spread(of(flood, t.name, "rps"), " req/s")}, workerd CPU per 429 ${spread(of(flood, t.name, "cpu"), " ms")}`,
      )
  }

  console.log(`\nbench took ${Math.round((performance.now() - benchStarted) / 1000)} s`)
  const targets = (name: string) => {
    if (PHASES.has("paced")) {
      const r = ratios(paced, name, FLOOR, "cpu")
      console.log(
        `${name === GATEWAY ? "gateway" : name} CPU per send / floor CPU per send = ${median(r).toFixed(2)}   (paced; per round ${r.map((x) => x.toFixed(2)).join(", ")}; target ≤ 1.3)`,
      )
      const r2 = ratios(paced, name, FLOOR2, "cpu")
      console.log(
        `  (over the floor with a second Durable Object write, the ledger's: ${median(r2).toFixed(2)}; per round ${r2.map((x) => x.toFixed(2)).join(", ")})`,
      )
    }
    if (PHASES.has("flood")) {
      const r = ratios(flood, name, REFUSE, "rps")
      console.log(
        `flood throughput ${name === GATEWAY ? "gateway" : name} / 429-only worker = ${median(r).toFixed(2)}   (per round ${r.map((x) => x.toFixed(2)).join(", ")}; target ≥ 0.8)`,
      )
    }
  }
  if (BASELINES) targets(GATEWAY)
  console.log(`bundle size: ${bundleSize(gatewayBundle)}`)
  if (compared !== undefined) {
    if (BASELINES) targets(COMPARED)
    if (COMPARE_BUNDLE !== undefined)
      console.log(`COMPARE_BUNDLE size: ${bundleSize(COMPARE_BUNDLE)}`)
    const ab = (rows: ReadonlyArray<Row>, key: "cpu" | "rps", what: string) => {
      const r = ratios(rows, GATEWAY, COMPARED, key)
      if (r.length > 0)
        console.log(
          `A/B gateway / COMPARE_BUNDLE, ${what} = ${median(r).toFixed(2)}   (per round ${r.map((x) => x.toFixed(2)).join(", ")})`,
        )
    }
    ab(paced, "cpu", "paced CPU per send")
    ab(saturated, "rps", "saturated throughput")
    ab(saturated, "cpu", "saturated CPU per send")
    ab(flood, "rps", "flood throughput")
    ab(flood, "cpu", "flood CPU per 429")
  }
} finally {
  for (const server of servers) await server.close()
  await receiver.close()
  emulator.child.kill("SIGTERM")
}
