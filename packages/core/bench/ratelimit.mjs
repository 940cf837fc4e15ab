#!/usr/bin/env node
// Rate-limiter admission decision: median time of one `earliestAdmission` call on a
// campaign/send log near its hourly limit, against a baseline of reading the log's last
// entry, measured in the same run. Needs the built dist (`pnpm build`).
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
const ns = (x) => `${x.toFixed(1)} ns`
console.log(`baseline (read last entry):        median ${ns(baseline)} per call`)
console.log(
  `earliestAdmission, 2 windows:      median ${ns(decision)} per call (${(decision / baseline).toFixed(1)}x baseline)`,
)
console.log(`prune + earliestAdmission:         median ${ns(withPrune)} per call`)
if (sink === 0.5) console.log(sink)
