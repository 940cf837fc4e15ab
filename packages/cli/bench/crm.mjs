// A dry run of a 1,000,000-row CRM export vs a plain newline count of the same file, same run.
// Usage: node bench/crm.mjs [runs=5] [rows=1000000] [utf-8|windows-1252]   (build first)
// Prints the medians of wall time and peak RSS (process.resourceUsage().maxRSS of each child,
// reported by bench/rss-report.mjs).
import { spawnSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

const runs = Number(process.argv[2] ?? 5)
const rowCount = Number(process.argv[3] ?? 1_000_000)
const encoding = process.argv[4] ?? "utf-8"
const here = import.meta.dirname
const bin = join(here, "../dist/voicepartner.mjs")
const preload = join(here, "rss-report.mjs")
// BENCH_KEEP=1 keeps the generated file (its path is printed) for profiling.
const dir = mkdtempSync(join(tmpdir(), "vp-bench-"))
const big = join(dir, "big.csv")

// A French CRM export: `;`, quoted fields holding `;` and line breaks, accents, numbers in the
// forms people type; 1% invalid, 2% duplicates, 1% empty, a quarter landlines.
const villes = ["Paris", "Lyon", "Marseille", "Saint-Étienne", "Besançon", "Nîmes"]
const spaced = (d) => d.replace(/(\d\d)(?=\d)/g, "$1 ")
const phoneOf = (i) => {
  const n = String(i).padStart(8, "0")
  const r = i % 100
  if (r === 0) return "12 34" // invalid
  if (r === 1) return "" // empty
  if (r < 4 && i > 100) return phoneOf(i - 50) // the same person twice
  if (r < 29) return spaced(`01${n}`) // landline, 01 23 45 67 89
  if (r < 60) return `06${n}` // mobile
  return `+33 7 ${spaced(`5${n.slice(1)}`)}` // mobile, international form
}
const lines = ["Id;Civilité;Nom;Prénom;Société;Adresse;Code postal;Ville;E-mail;Téléphone"]
for (let i = 0; i < rowCount; i++) {
  const societe =
    i % 7 === 0 ? `"Dupont; et fils"` : i % 11 === 0 ? `"Bâtiment ""Les Pins"""` : "SARL Martin"
  const adresse = i % 13 === 0 ? `"${i} rue de la Paix\nBâtiment B"` : `${i} avenue Jean Jaurès`
  lines.push(
    `${i};M.;Dupont${i};Hélène;${societe};${adresse};75${String(i % 1000).padStart(3, "0")};${villes[i % villes.length]};client${i}@example.fr;${phoneOf(i)}`,
  )
}
// Every accented letter used is in Latin-1, where Windows-1252 and ISO-8859-1 agree.
writeFileSync(big, `${lines.join("\n")}\n`, encoding === "windows-1252" ? "latin1" : "utf8")
lines.length = 0
const size = statSync(big).size

const rssFile = join(dir, "rss.txt")
const measure = (args) => {
  writeFileSync(rssFile, "")
  const t = performance.now()
  const r = spawnSync(process.execPath, ["--import", preload, ...args], {
    env: { ...process.env, BENCH_RSS_FILE: rssFile, VOICEPARTNER_RATE_LIMIT: "" },
    encoding: "utf8",
    maxBuffer: 1 << 30,
  })
  const ms = performance.now() - t
  if (r.status !== 0) throw new Error(`exit ${r.status}: ${r.stderr}`)
  const kib = Number(readFileSync(rssFile, "utf8").trim().split("\n").at(-1))
  return { ms, mb: (kib * 1024) / 1e6, stdout: r.stdout }
}
const count = [
  "-e",
  `let n=0;require("node:fs").createReadStream(process.argv[1]).on("data",b=>{for(let i=b.indexOf(10);i!==-1;i=b.indexOf(10,i+1))n++}).on("end",()=>console.log(n))`,
  big,
]
const dry = [
  bin,
  "vms",
  "send",
  "--dry-run",
  "--to-file",
  big,
  "--audio",
  "dev-audio",
  "--email",
  "ops@example.fr",
]

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const samples = { count: [], dry: [] }
let summary = ""
for (let i = 0; i < runs; i++) {
  samples.count.push(measure(count))
  const d = measure(dry)
  samples.dry.push(d)
  summary = d.stdout
}
const row = (name, xs) =>
  `${name.padEnd(34)} ${median(xs.map((x) => x.ms))
    .toFixed(0)
    .padStart(6)} ms  ${median(xs.map((x) => x.mb))
    .toFixed(0)
    .padStart(
      4,
    )} MB   (min ${Math.min(...xs.map((x) => x.ms)).toFixed(0)} ms, max ${Math.max(...xs.map((x) => x.ms)).toFixed(0)} ms)`
console.log(
  `${rowCount} rows, ${(size / 1e6).toFixed(1)} MB ${encoding}, ${runs} runs each, medians (wall, peak RSS):`,
)
console.log(row("newline count (node stream)", samples.count))
console.log(row("voicepartner vms send --dry-run", samples.dry))
console.log(`\n${summary.split("\n").slice(0, 8).join("\n")}`)
if (process.env.BENCH_KEEP === "1") console.log(`kept ${big}`)
else rmSync(dir, { recursive: true, force: true })
