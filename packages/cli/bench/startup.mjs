// Startup time of `voicepartner --help` vs `node -e 0`, measured in the same run.
// Usage: node bench/startup.mjs [runs=20]
import { spawnSync } from "node:child_process"
import { join } from "node:path"

const runs = Number(process.argv[2] ?? 20)
const bin = join(import.meta.dirname, "../dist/voicepartner.mjs")
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const time = (args) => {
  const samples = []
  for (let i = 0; i < runs; i++) {
    const t = performance.now()
    spawnSync(process.execPath, args, { stdio: "ignore" })
    samples.push(performance.now() - t)
  }
  return median(samples)
}
const baseline = time(["-e", "0"])
const help = time([bin, "--help"])
console.log(
  `runs=${runs} node -e 0: ${baseline.toFixed(1)} ms median; voicepartner --help: ${help.toFixed(1)} ms median (${(help / baseline).toFixed(2)}x baseline, +${(help - baseline).toFixed(1)} ms)`,
)
