// Gateway benchmarks (numbers in BENCHMARKS.md). Run: pnpm --filter @voicepartner/worker bench
// 1. Latency the gateway adds over calling the emulator directly: voice SMS sends over
//    loopback at 50 concurrent connections, paced (open loop) and saturated (closed loop),
//    with two baselines in the same runtime: a bare proxy and the floor of any exact
//    gateway (one Durable Object SQLite write, then the fetch). Every Worker is served by
//    the workerd binary: Miniflare's and `wrangler dev`'s development layers cost more
//    than the gateway (see BENCHMARKS.md).
// 2. A flood of 5,000 voicemail drops at 200 connections against an exhausted quota,
//    against a Worker that answers a fixed 429.
import { type ChildProcess, spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
// @ts-expect-error autocannon ships no types
import autocannon from "autocannon"
import { freePort, gatewayBindings, startReceiver, TOKENS, UPSTREAM_KEY } from "../e2e/stack.ts"
import { pacedLoad } from "./pacedLoad.ts"
import { serveOnWorkerd, type WorkerdServer } from "./workerd.ts"

const ROUNDS = Number(process.env.ROUNDS ?? 3)
const REQUESTS = Number(process.env.REQUESTS ?? 4_000)
const PACED_RATE = Number(process.env.PACED_RATE ?? 100)
const PACED_TOTAL = Number(process.env.PACED_TOTAL ?? 2_000)
const COMPATIBILITY_DATE = "2026-10-01"
// Another build of the gateway to measure in the same run, e.g. the main branch's.
const COMPARE_BUNDLE = process.env.COMPARE_BUNDLE

const median = (xs: ReadonlyArray<number>) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] as number
}
const round2 = (n: number) => Math.round(n * 100) / 100

const startEmulatorProcess = async (): Promise<{ url: string; child: ChildProcess }> => {
  const port = await freePort()
  const bin = fileURLToPath(new URL("../../emulator/dist/bin.js", import.meta.url))
  const child = spawn(
    process.execPath,
    [
      bin,
      "--port",
      String(port),
      "--api-key",
      UPSTREAM_KEY,
      "--no-rate-limit",
      "--callback-delay",
      "3600000",
      "--credits",
      "100000000",
    ],
    { stdio: "ignore" },
  )
  const url = `http://127.0.0.1:${port}`
  let up = false
  for (let i = 0; i < 100 && !up; i++) {
    up = await fetch(`${url}/v1/me/${UPSTREAM_KEY}`).then(
      (r) => r.status < 500,
      () => false,
    )
    if (!up) await new Promise((r) => setTimeout(r, 100))
  }
  return { url, child }
}

const closedLoop = (
  url: string,
  connections: number,
  amount: number,
  headers: Readonly<Record<string, string>>,
  body: string,
) =>
  autocannon({
    url,
    connections,
    amount,
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  })

const emulator = await startEmulatorProcess()
const receiver = await startReceiver(() => 204)
const worker = (name: string) => fileURLToPath(new URL(name, import.meta.url))
const servers: Array<WorkerdServer> = []
const serve = async (options: Parameters<typeof serveOnWorkerd>[0]) => {
  const server = await serveOnWorkerd(options)
  servers.push(server)
  return server
}

try {
  const ttsUrl = `${emulator.url}/v1/tts/send`
  const serveGateway = (module: string) =>
    serve({
      module,
      compatibilityDate: COMPATIBILITY_DATE,
      compatibilityFlags: ["enable_request_signal"],
      durableObjects: { QUOTA: "QuotaObject", LEDGER: "ClientLedger" },
      bindings: gatewayBindings({
        upstreamBaseUrl: `${emulator.url}/v1`,
        webhookUrl: receiver.url,
        retrySchedule: "60",
        // Voice SMS quota raised for the latency run; voicemail drops keep the documented 5/min.
        vars: {
          RATE_LIMIT_POLICY: JSON.stringify({
            "tts/send": [{ limit: 10_000_000, windowMs: 3_600_000 }],
          }),
        },
      }),
    })
  const gateway = await serveGateway(worker("../dist/index.js"))
  const compared = COMPARE_BUNDLE === undefined ? undefined : await serveGateway(COMPARE_BUNDLE)
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
  const gatewayPath = (name: string, server: WorkerdServer): Path => ({
    name,
    url: `${server.url}/v1/tts/send`,
    headers: { authorization: `Bearer ${TOKENS[0]}` },
    body: JSON.stringify({ phoneNumbers: "0612345678", text: "Bonjour" }),
    server,
  })
  const paths: ReadonlyArray<Path> = [
    { name: "direct", url: ttsUrl, headers: {}, body: direct },
    { name: "workerd proxy", url: proxy.url, headers: {}, body: direct, server: proxy },
    { name: "floor (1 DO write)", url: floor.url, headers: {}, body: direct, server: floor },
    gatewayPath("gateway", gateway),
    ...(compared === undefined ? [] : [gatewayPath("gateway (COMPARE_BUNDLE)", compared)]),
  ]
  // Warm every path (JIT, Durable Objects).
  for (const p of paths) await closedLoop(p.url, 50, 1_000, p.headers, p.body)

  // First, on a fresh system: every path at a fixed offered load below its capacity.
  const paced: Array<{ round: number; path: string; p50: number; p99: number; cpu: number }> = []
  for (let round = 1; round <= ROUNDS; round++) {
    for (const p of paths) {
      const cpuBefore = p.server?.cpuMs() ?? Number.NaN
      const r = await pacedLoad({
        url: p.url,
        headers: p.headers,
        body: p.body,
        connections: 50,
        rate: PACED_RATE,
        total: PACED_TOTAL,
      })
      if (r.failed > 0) throw new Error(`${p.name}: ${r.failed} of ${r.sent} sends failed`)
      const cpu = round2(((p.server?.cpuMs() ?? Number.NaN) - cpuBefore) / r.sent)
      paced.push({ round, path: p.name, p50: r.p50, p99: r.p99, cpu })
    }
  }
  console.table(paced)
  const pacedOf = (path: string, key: "p50" | "p99" | "cpu") =>
    median(paced.filter((r) => r.path === path).map((r) => r[key]))
  const summary = (path: string) =>
    `${path} ${pacedOf(path, "p50")}/${pacedOf(path, "p99")} ms (adds ${round2(pacedOf(path, "p50") - pacedOf("direct", "p50"))}/${round2(pacedOf(path, "p99") - pacedOf("direct", "p99"))}, workerd CPU ${pacedOf(path, "cpu")} ms per send)`
  console.log(
    `paced at ${PACED_RATE} req/s over 50 connections (${PACED_TOTAL} sends per path and round, medians of ${ROUNDS} rounds), p50/p99: ` +
      paths
        .map((p) =>
          p.name === "direct"
            ? `direct ${pacedOf("direct", "p50")}/${pacedOf("direct", "p99")} ms`
            : summary(p.name),
        )
        .join("; "),
  )

  const saturated: Array<{ round: number; path: string; p50: number; p99: number; rps: number }> =
    []
  for (let round = 1; round <= ROUNDS; round++) {
    for (const p of paths) {
      const r = await closedLoop(p.url, 50, REQUESTS, p.headers, p.body)
      if (r.errors + r.non2xx > 0) throw new Error(`${p.name}: ${r.errors + r.non2xx} failed`)
      saturated.push({
        round,
        path: p.name,
        p50: r.latency.p50,
        p99: r.latency.p99,
        rps: Math.round(r.requests.average),
      })
    }
  }
  console.table(saturated)
  const saturatedOf = (path: string, key: "p50" | "p99" | "rps") =>
    median(saturated.filter((r) => r.path === path).map((r) => r[key]))
  console.log(
    `saturated (closed loop, 50 connections, ${REQUESTS} sends per path and round, medians of ${ROUNDS} rounds), p50/p99 and throughput: ` +
      paths
        .map(
          (p) =>
            `${p.name} ${saturatedOf(p.name, "p50")}/${saturatedOf(p.name, "p99")} ms ${saturatedOf(p.name, "rps")} req/s`,
        )
        .join("; "),
  )

  // Exhaust the voicemail drop quota (5/min), then flood the gateway and the baseline.
  const drop = JSON.stringify({
    phoneNumbers: "0612345678",
    tokenAudio: "dev-audio",
    emailForNotification: "ops@example.com",
  })
  const dropper = { authorization: `Bearer ${TOKENS[1]}` }
  for (let i = 0; i < 5; i++)
    await fetch(`${gateway.url}/v1/campaign/send`, {
      method: "POST",
      headers: { ...dropper, "content-type": "application/json" },
      body: drop,
    })
  for (const [name, url, headers] of [
    ["gateway", `${gateway.url}/v1/campaign/send`, dropper],
    ["fixed-429 Worker", refuse.url, {}],
  ] as const) {
    const flood = await closedLoop(url, 200, 5_000, headers, drop)
    const limited = flood.statusCodeStats["429"]?.count ?? 0
    console.log(
      `flood of 5,000 voicemail drops at 200 connections, ${name}: ${limited} answered 429, ` +
        `${flood.errors} errors, ${flood.timeouts} timeouts; p50 ${flood.latency.p50} ms, p99 ${flood.latency.p99} ms, ` +
        `${Math.round(flood.requests.average)} req/s`,
    )
  }
} finally {
  for (const server of servers) await server.close()
  await receiver.close()
  emulator.child.kill("SIGTERM")
}
