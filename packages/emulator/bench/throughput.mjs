#!/usr/bin/env node
// Throughput of the emulator as a Node server: accepted voice SMS sends per second with
// rate limits off, against a bare Hono "hello" server as the baseline, in the same run.
// Loopback only; each run lasts DURATION seconds. Needs the built dist (`pnpm build`).
import { serve } from "@hono/node-server"
import autocannon from "autocannon"
import { Hono } from "hono"
import { startEmulatorServer } from "../dist/node.js"

const DURATION = Number(process.env.BENCH_SECONDS ?? 10)
const CONNECTIONS = 50

const load = (url, options = {}) =>
  new Promise((resolve, reject) => {
    autocannon(
      { url, connections: CONNECTIONS, duration: DURATION, ...options },
      (error, result) => (error ? reject(error) : resolve(result)),
    )
  })

const baseline = new Hono().post("/v1/tts/send", (c) => c.json({ success: true }))
const bare = await new Promise((resolve) => {
  const server = serve({ fetch: baseline.fetch, port: 0, hostname: "127.0.0.1" }, (info) =>
    resolve({ server, port: info.port }),
  )
})
const emulator = await startEmulatorServer({
  port: 0,
  rateLimits: false,
  credits: 1e12,
  requestLogLimit: 1_000,
})

const body = JSON.stringify({
  apiKey: "dev-key",
  phoneNumbers: "0612345678",
  text: "Bonjour, ceci est un test.",
})
const request = { method: "POST", headers: { "content-type": "application/json" }, body }

const base = await load(`http://127.0.0.1:${bare.port}/v1/tts/send`, request)
const emu = await load(`${emulator.baseUrl}/tts/send`, request)
bare.server.close()
await emulator.close()

const row = (name, r) =>
  `| ${name} | ${Math.round(r.requests.mean)} | ${Math.round(r.requests.p50)} | ${r.latency.p50} | ${r.latency.p99} | ${r.non2xx} | ${r.errors} |`
console.log(`${DURATION} s at ${CONNECTIONS} connections, Node ${process.version}`)
console.log(
  "| server | req/s mean | req/s median (per-second samples) | latency p50 ms | p99 ms | non-2xx | errors |",
)
console.log("|---|---|---|---|---|---|---|")
console.log(row("bare Hono (baseline)", base))
console.log(row("emulator, accepted tts/send", emu))
console.log(`emulator / baseline: ${(emu.requests.p50 / base.requests.p50).toFixed(2)}`)
if (emu.non2xx > 0 || emu.errors > 0) process.exitCode = 1
