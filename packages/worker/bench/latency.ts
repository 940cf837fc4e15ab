// Gateway benchmarks (numbers in BENCHMARKS.md). Run: pnpm --filter @voicepartner/worker bench
// 1. Latency the gateway adds over calling the emulator directly: voice SMS sends over
//    loopback at 50 concurrent connections, direct and through the gateway, alternated.
//    The gateway is the deployed bundle (dist/index.js) served by workerd through
//    Miniflare: `wrangler dev` puts a development proxy in front that alone costs more
//    than the gateway (see BENCHMARKS.md).
// 2. A flood of 5,000 voicemail drops at 200 connections against an exhausted quota.
import { type ChildProcess, spawn } from "node:child_process"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
// @ts-expect-error autocannon ships no types
import autocannon from "autocannon"
import { convertV4MiniflareOptions, Miniflare } from "miniflare"
import { freePort, gatewayBindings, startReceiver, TOKENS, UPSTREAM_KEY } from "../e2e/stack.ts"
import { pacedLoad } from "./pacedLoad.ts"

const ROUNDS = Number(process.env.ROUNDS ?? 3)
const REQUESTS = Number(process.env.REQUESTS ?? 4_000)
const PACED_RATE = Number(process.env.PACED_RATE ?? 100)
const PACED_TOTAL = Number(process.env.PACED_TOTAL ?? 2_000)

const median = (xs: ReadonlyArray<number>) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] as number
}

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

const run = (
  url: string,
  connections: number,
  amount: number,
  headers: Record<string, string>,
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
const gatewayPort = await freePort()
const miniflare = new Miniflare(
  convertV4MiniflareOptions({
    modules: true,
    script: readFileSync(fileURLToPath(new URL("../dist/index.js", import.meta.url)), "utf8"),
    compatibilityDate: "2026-10-01",
    host: "127.0.0.1",
    port: gatewayPort,
    // The gateway logs a line per request; drained here so the report stays readable.
    handleRuntimeStdio: (stdout: NodeJS.ReadableStream, stderr: NodeJS.ReadableStream) => {
      stdout.resume()
      stderr.resume()
    },
    durableObjects: {
      QUOTA: { className: "QuotaObject", useSQLite: true },
      LEDGER: { className: "ClientLedger", useSQLite: true },
    },
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
  }),
)
await miniflare.ready
const gateway = { url: `http://127.0.0.1:${gatewayPort}` }
// Baseline in the same runtime: a Worker that only forwards the body to the emulator.
const proxyPort = await freePort()
const proxy = new Miniflare(
  convertV4MiniflareOptions({
    modules: true,
    script: `export default { async fetch(request) {
      return fetch(${JSON.stringify(`${emulator.url}/v1/tts/send`)}, { method: "POST", headers: { "content-type": "application/json" }, body: await request.text() })
    } }`,
    compatibilityDate: "2026-10-01",
    host: "127.0.0.1",
    port: proxyPort,
  }),
)
await proxy.ready

try {
  const tts = JSON.stringify({ phoneNumbers: "0612345678", text: "Bonjour" })
  const direct = JSON.stringify({
    apiKey: UPSTREAM_KEY,
    phoneNumbers: "+33612345678",
    text: "Bonjour",
    lang: "fr",
  })
  // Warm both paths (JIT, Durable Objects).
  await run(`${emulator.url}/v1/tts/send`, 50, 1_000, {}, direct)
  await run(`${gateway.url}/v1/tts/send`, 50, 1_000, { authorization: `Bearer ${TOKENS[0]}` }, tts)
  await run(`http://127.0.0.1:${proxyPort}/`, 50, 1_000, {}, direct)
  // First, on a fresh system: the three paths at a fixed offered load below every path's
  // capacity (workerd paths slow down as a run goes on, see BENCHMARKS.md).
  const paced: Array<{
    round: number
    path: string
    p50: number
    p99: number
    sent: number
    failed: number
  }> = []
  for (let round = 1; round <= ROUNDS; round++) {
    for (const [path, url, headers, body] of [
      ["direct", `${emulator.url}/v1/tts/send`, {}, direct],
      ["workerd proxy", `http://127.0.0.1:${proxyPort}/`, {}, direct],
      ["gateway", `${gateway.url}/v1/tts/send`, { authorization: `Bearer ${TOKENS[0]}` }, tts],
    ] as const) {
      const r = await pacedLoad({
        url,
        headers,
        body,
        connections: 50,
        rate: PACED_RATE,
        total: PACED_TOTAL,
      })
      paced.push({ round, path, ...r })
    }
  }
  console.table(paced)
  const pacedOf = (path: string, key: "p50" | "p99") =>
    median(paced.filter((r) => r.path === path).map((r) => r[key]))
  const added = (key: "p50" | "p99") =>
    Math.round((pacedOf("gateway", key) - pacedOf("direct", key)) * 100) / 100
  console.log(
    `paced at ${PACED_RATE} req/s over 50 connections (${PACED_TOTAL} sends per path and round, medians of ${ROUNDS} rounds): ` +
      `gateway adds p50 ${added("p50")} ms, p99 ${added("p99")} ms ` +
      `(direct ${pacedOf("direct", "p50")}/${pacedOf("direct", "p99")} ms, bare workerd proxy ${pacedOf("workerd proxy", "p50")}/${pacedOf("workerd proxy", "p99")} ms, gateway ${pacedOf("gateway", "p50")}/${pacedOf("gateway", "p99")} ms)`,
  )

  const rows: Array<{
    round: number
    path: string
    p50: number
    p99: number
    rps: number
    errors: number
  }> = []
  for (let round = 1; round <= ROUNDS; round++) {
    const d = await run(`${emulator.url}/v1/tts/send`, 50, REQUESTS, {}, direct)
    const p = await run(`http://127.0.0.1:${proxyPort}/`, 50, REQUESTS, {}, direct)
    const auth = { authorization: `Bearer ${TOKENS[0]}` }
    const g = await run(`${gateway.url}/v1/tts/send`, 50, REQUESTS, auth, tts)
    for (const [path, r] of [
      ["direct", d],
      ["workerd proxy", p],
      ["gateway", g],
    ] as const) {
      const { p50, p99 } = r.latency
      rows.push({
        round,
        path,
        p50,
        p99,
        rps: Math.round(r.requests.average),
        errors: r.errors + r.non2xx,
      })
    }
  }
  console.table(rows)
  const of = (path: string, key: "p50" | "p99") =>
    median(rows.filter((r) => r.path === path).map((r) => r[key]))
  console.log(
    `latency added by the gateway (medians of ${ROUNDS} rounds, ${REQUESTS} sends each, 50 connections): ` +
      `p50 ${of("gateway", "p50") - of("direct", "p50")} ms (direct ${of("direct", "p50")} ms, gateway ${of("gateway", "p50")} ms), ` +
      `p99 ${of("gateway", "p99") - of("direct", "p99")} ms (direct ${of("direct", "p99")} ms, gateway ${of("gateway", "p99")} ms); ` +
      `a bare workerd proxy: p50 ${of("workerd proxy", "p50")} ms, p99 ${of("workerd proxy", "p99")} ms`,
  )

  // Exhaust the voicemail drop quota (5/min), then flood.
  const drop = JSON.stringify({
    phoneNumbers: "0612345678",
    tokenAudio: "dev-audio",
    emailForNotification: "ops@example.com",
  })
  for (let i = 0; i < 5; i++)
    await fetch(`${gateway.url}/v1/campaign/send`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKENS[1]}`, "content-type": "application/json" },
      body: drop,
    })
  const flood = await run(
    `${gateway.url}/v1/campaign/send`,
    200,
    5_000,
    { authorization: `Bearer ${TOKENS[1]}` },
    drop,
  )
  const limited = flood.statusCodeStats["429"]?.count ?? 0
  console.log(
    `flood of 5,000 voicemail drops at 200 connections against an exhausted quota: ${limited} answered 429, ` +
      `${flood.errors} errors, ${flood.timeouts} timeouts; p50 ${flood.latency.p50} ms, p99 ${flood.latency.p99} ms, ` +
      `${Math.round(flood.requests.average)} req/s`,
  )
} finally {
  await miniflare.dispose()
  await proxy.dispose()
  await receiver.close()
  emulator.child.kill("SIGTERM")
}
