// An open-loop load: `connections` clients, each sending one request every
// `connections / rate` seconds (staggered), so the offered load is `rate` req/s whatever
// the answers' latency. Below a server's capacity, latency is its service time; a closed
// loop (autocannon) measures the queue at saturation instead.
import { Agent, request } from "node:http"

export interface PacedResult {
  readonly p50: number
  readonly p99: number
  readonly sent: number
  readonly failed: number
}

const percentile = (sorted: ReadonlyArray<number>, q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN

export const pacedLoad = async (options: {
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
  readonly connections: number
  readonly rate: number
  readonly total: number
}): Promise<PacedResult> => {
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections })
  const target = new URL(options.url)
  const interval = (1000 * options.connections) / options.rate
  const perClient = Math.ceil(options.total / options.connections)
  const latencies: Array<number> = []
  let failed = 0
  const once = () =>
    new Promise<void>((resolve) => {
      const started = performance.now()
      const req = request(
        target,
        {
          agent,
          method: "POST",
          headers: { "content-type": "application/json", ...options.headers },
        },
        (res) => {
          res.resume()
          res.on("end", () => {
            latencies.push(performance.now() - started)
            if ((res.statusCode ?? 0) >= 300) failed++
            resolve()
          })
        },
      )
      req.on("error", () => {
        failed++
        resolve()
      })
      req.end(options.body)
    })
  const client = async (index: number) => {
    const start = performance.now() + (index * interval) / options.connections
    for (let i = 0; i < perClient; i++) {
      const due = start + i * interval
      const wait = due - performance.now()
      if (wait > 0) await new Promise((r) => setTimeout(r, wait))
      await once()
    }
  }
  await Promise.all(Array.from({ length: options.connections }, (_, i) => client(i)))
  agent.destroy()
  const sorted = latencies.sort((a, b) => a - b)
  const round = (n: number) => Math.round(n * 100) / 100
  return {
    p50: round(percentile(sorted, 0.5)),
    p99: round(percentile(sorted, 0.99)),
    sent: sorted.length,
    failed,
  }
}
