// A closed loop (autocannon): each connection sends again as soon as it has an answer, for
// a fixed time, so latency is mostly queueing at the server's maximum throughput.
//
// Throughput is the answers counted over the wall time from the start to the last answer,
// in milliseconds. autocannon's own `requests.average` is a mean of per-second samples and
// a run with `amount` only ends at the next whole-second tick: every figure came out as
// amount / n seconds (4,000 / 2 = 2,000 req/s, 4,000 / 3 = 1,333 req/s…).
// @ts-expect-error autocannon ships no types
import autocannon from "autocannon"

export interface ClosedLoopResult {
  /** Answers received (any status). */
  readonly answered: number
  /** From the start to the last answer, in ms. */
  readonly elapsedMs: number
  /** `answered` over `elapsedMs`, in answers per second. */
  readonly rps: number
  readonly p50: number
  readonly p99: number
  readonly errors: number
  readonly timeouts: number
  /** Answers by status code. */
  readonly statuses: Readonly<Record<string, number>>
}

export const closedLoop = async (options: {
  readonly url: string
  readonly connections: number
  /** Stops by itself after this long (autocannon's `duration`)… */
  readonly seconds?: number
  /** …or after this many answers (autocannon's `amount`). */
  readonly amount?: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}): Promise<ClosedLoopResult> => {
  let answered = 0
  let last = Number.NaN
  const started = performance.now()
  const instance = autocannon({
    url: options.url,
    connections: options.connections,
    ...(options.amount === undefined
      ? { duration: options.seconds ?? 10 }
      : { amount: options.amount }),
    method: "POST",
    headers: { "content-type": "application/json", ...options.headers },
    body: options.body,
  })
  instance.on("response", () => {
    answered++
    last = performance.now()
  })
  const r = await instance
  const elapsedMs = last - started
  const statuses: Record<string, number> = {}
  for (const [code, stat] of Object.entries(r.statusCodeStats as Record<string, { count: number }>))
    statuses[code] = stat.count
  return {
    answered,
    elapsedMs: Math.round(elapsedMs),
    rps: Math.round((answered * 1000) / elapsedMs),
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors,
    timeouts: r.timeouts,
    statuses,
  }
}
