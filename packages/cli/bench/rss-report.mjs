// Preloaded with `node --import ./bench/rss-report.mjs …`: when the process exits, appends
// its own peak resident set size (process.resourceUsage().maxRSS, KiB) to $BENCH_RSS_FILE.
import { appendFileSync } from "node:fs"

const file = process.env.BENCH_RSS_FILE
if (file !== undefined && file !== "")
  process.on("exit", () => appendFileSync(file, `${process.resourceUsage().maxRSS}\n`))
