#!/usr/bin/env node
// Rate-limiter admission decision: median time of one `earliestAdmission` call on a
// campaign/send log near its hourly limit, and of the QuotaMachine's whole answer (the
// decision and the state it reports) that both limiters run, against a baseline of
// reading the log's last entry, measured in the same run. Needs the built dist
// (`pnpm build`).
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import { QuotaMachine } from "../dist/ratelimit/QuotaMachine.js"
import { makeMemoryRateLimiter } from "../dist/ratelimit/RateLimiter.js"
import { defaultPolicy } from "../dist/ratelimit/RateLimitPolicy.js"
import { earliestAdmission, prune } from "../dist/ratelimit/slidingLog.js"

const windows = [
  { limit: 5, windowMs: 60_000 },
  { limit: 2000, windowMs: 3_600_000 },
]
const now = 10_000_000
const log = Array.from({ length: 1999 }, (_, i) => now - 3_599_000 + i * 1_800)

const BATCH = 10_000
const SAMPLES = 101
let sink = 0
const median = (fn) => {
  const times = []
  for (let s = 0; s < SAMPLES; s++) {
    const start = process.hrtime.bigint()
    for (let i = 0; i < BATCH; i++) sink += fn(i)
    times.push(Number(process.hrtime.bigint() - start) / BATCH)
  }
  times.sort((a, b) => a - b)
  return times[(SAMPLES - 1) / 2]
}

const baseline = median((i) => log[log.length - 1] + i)
const decision = median((i) => earliestAdmission(log, windows, now + i))
const withPrune = median((i) => earliestAdmission(prune(log, windows, now + i), windows, now + i))
// The machine on the same log (restored from rows as the Durable Object does): the 5/min
// window is full, so each answer is a refusal with its state and the log stays as it is.
const machine = new QuotaMachine(
  { ...defaultPolicy, "campaign/send": windows },
  { rows: { admissions: log.map((at) => ({ endpoint: "campaign/send", at })) } },
)
const answer = median((i) => machine.acquire("campaign/send", now + i, 0).retryAfterMs)
// The in-memory service as the client calls it: `acquire` through Effect.runSync, on a
// voice SMS log that grows from empty to ~1M admissions (limit raised so all are admitted).
const limiter = Effect.runSync(
  makeMemoryRateLimiter({
    ...defaultPolicy,
    "tts/send": [{ limit: 10_000_000, windowMs: 3_600_000 }],
  }),
)
const acquire = limiter.acquire("tts/send")
const trivial = Effect.succeed(1)
const runtime = median(() => Effect.runSync(trivial))
// The same shape as acquire without the limiter: read the clock, answer.
const clocked = Effect.flatMap(Clock.currentTimeMillis, (now) =>
  Effect.suspend(() => Effect.succeed(now)),
)
const fiber = median(() => Effect.runSync(clocked))
const service = median(() => Effect.runSync(acquire).at)
// …and on a full campaign/send log (2,000 in the hour): every call is a refusal.
const full = Effect.runSync(makeMemoryRateLimiter(defaultPolicy))
for (let i = 0; i < 5; i++) Effect.runSync(full.acquire("campaign/send"))
const refuse = Effect.exit(full.acquire("campaign/send", { maxWaitMs: 0 }))
const refusal = median(() => (Effect.runSync(refuse)._tag === "Failure" ? 1 : 0))
const ns = (x) => `${x.toFixed(1)} ns`
console.log(`baseline (read last entry):        median ${ns(baseline)} per call`)
console.log(
  `earliestAdmission, 2 windows:      median ${ns(decision)} per call (${(decision / baseline).toFixed(1)}x baseline)`,
)
console.log(
  `QuotaMachine.acquire (+ state):    median ${ns(answer)} per call (${(answer / baseline).toFixed(1)}x baseline)`,
)
console.log(
  `prune + earliestAdmission:         median ${ns(withPrune)} per call (what the limiter did per call before compaction)`,
)
console.log(
  `Effect.runSync(Effect.succeed(1)):  median ${ns(runtime)} per call (the runtime's own cost)`,
)
console.log(
  `runSync(clock, then succeed):       median ${ns(fiber)} per call (acquire's shape, no limiter)`,
)
console.log(
  `memory limiter acquire (admitted): median ${ns(service)} per call, Effect.runSync included`,
)
console.log(
  `memory limiter acquire (refused):  median ${ns(refusal)} per call, Effect.runSync included`,
)
if (sink === 0.5) console.log(sink)
