import type { BulkEvent } from "@voicepartner/core/bulk/BulkEvent"
import type { RateLimitWindow } from "@voicepartner/core/ratelimit/RateLimitPolicy"
import { originOf } from "../input/readRecipients.js"
import { numbersOfKind, type SendPlan } from "../plan/sendPlan.js"

/** Human duration: `39 min`, `12 s`. */
export const formatDuration = (ms: number): string => {
  if (ms < 60_000) return `${Math.ceil(ms / 1000)} s`
  const minutes = Math.ceil(ms / 60_000)
  return minutes < 120 ? `${minutes} min` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`
}

const costText = (cost: Readonly<Record<string, number>>): string =>
  Object.entries(cost)
    .map(([currency, amount]) => `${amount.toFixed(2)} ${currency}`)
    .join(" + ") || "0"

/** How many lines of a list a summary shows before "and N more". */
export const SHOWN = 20

const thousands = (n: number): string => n.toLocaleString("en-US")

/** `5 requests/min and 2000/h`: a policy's windows, for people. */
export const describeWindows = (windows: ReadonlyArray<RateLimitWindow>): string =>
  windows
    .map(({ limit, windowMs }, i) => {
      const per =
        windowMs === 3_600_000
          ? "h"
          : windowMs === 60_000
            ? "min"
            : windowMs === 1_000
              ? "s"
              : `${windowMs / 1000} s`
      return `${limit}${i === 0 ? " requests" : ""}/${per}`
    })
    .join(" and ")

const KIND_OF: Record<string, string> = {
  "campaign/send": "voicemail drop",
  "tts/send": "voice SMS",
}

/** The invalid rows, first {@link SHOWN}, then how many more: for a dry run and a send. */
export const invalidLines = (plan: SendPlan, prefix: string): Array<string> => {
  const lines = plan.invalid
    .slice(0, SHOWN)
    .map((i) => `${prefix}${i.origin}: "${i.input}" — ${i.reason}`)
  if (plan.invalid.length > SHOWN)
    lines.push(
      `${prefix}… and ${thousands(plan.invalid.length - SHOWN)} more invalid (--json lists them all)`,
    )
  return lines
}

const sourceLine = (s: SendPlan["rows"]["sources"][number]): string | undefined => {
  if (s.columnNumber === undefined) return undefined
  const column =
    s.column === null || s.column === undefined
      ? `column ${s.columnNumber} (no header row)`
      : `column "${s.column}" (${s.columnNumber})`
  const delimiter =
    s.delimiter === null || s.delimiter === undefined
      ? "one value per line"
      : `delimiter ${s.delimiter === "\t" ? "tab" : `"${s.delimiter}"`}`
  const encoding =
    s.mixed === true
      ? "UTF-8 and Windows-1252 lines mixed (each decoded as what it is)"
      : s.encoding === "windows-1252"
        ? "Windows-1252"
        : (s.encoding ?? "utf-8").toUpperCase()
  return `  ${s.name}: ${column}, ${delimiter}, ${encoding}`
}

/** The dry-run report, for a human: a summary, not every number (`--list` adds them). */
export const renderPlan = (
  plan: SendPlan,
  options: { readonly list?: boolean | undefined } = {},
): string => {
  const r = plan.recipients
  const c = plan.counts
  const lines = [`Plan (${plan.endpoint}, ${KIND_OF[plan.endpoint] ?? "send"}) — nothing sent`]
  for (const s of plan.rows.sources) {
    const line = sourceLine(s)
    if (line !== undefined) lines.push(line)
  }
  lines.push(
    `  ${thousands(c.read)} rows read: ${thousands(c.valid)} valid, ${thousands(c.invalid)} invalid, ${thousands(c.duplicates)} duplicates, ${thousands(c.empty)} empty`,
    `  valid numbers: ${thousands(r.counts.mobile)} mobile, ${thousands(r.counts.landline)} landline, ${thousands(r.counts.other)} other`,
  )
  if (plan.invalid.length > 0) {
    lines.push(`  invalid rows (skipped):`)
    lines.push(...invalidLines(plan, "    "))
  }
  if (r.duplicates.length > 0)
    lines.push(`  ${thousands(r.duplicates.length)} duplicates removed (each number is sent once)`)
  const warnings = r.warnings
  if (warnings.length > 0) {
    lines.push(`  accepted on a guess (check them):`)
    for (const w of warnings.slice(0, SHOWN))
      lines.push(`    ${originOf(plan.rows, w.index)}: "${w.input}" → ${w.e164}: ${w.message}`)
    if (warnings.length > SHOWN)
      lines.push(`    … and ${thousands(warnings.length - SHOWN)} more (--json lists them all)`)
  }
  if (plan.endpoint === "campaign/send" && r.counts.landline > 0) {
    lines.push(
      `  WARNING: ${thousands(r.counts.landline)} landline(s) would ring: a voicemail drop rings landlines (only mobiles go straight to voicemail)`,
    )
    for (const n of numbersOfKind(plan, "landline", SHOWN)) lines.push(`    ${n.e164}  ${n.origin}`)
    if (r.counts.landline > SHOWN)
      lines.push(`    … and ${thousands(r.counts.landline - SHOWN)} more landlines`)
  }
  lines.push(
    `  requests: ${thousands(plan.requests)} (≤ ${plan.chunkSize} numbers each)`,
    `  estimated time under the rate limits (${describeWindows(plan.windows)}): ${formatDuration(plan.estimatedMs)}`,
    `  estimated cost: ${plan.estimatedCost.toFixed(2)} ${plan.currency} (${costBasis(plan)}; an estimate from the CLI's price table — the provider's answer to the send is what is charged)`,
  )
  if (options.list === true) lines.push(`  numbers (${thousands(r.size)}):`)
  else if (r.size > 0) lines.push("  --list prints every number, --json the whole plan")
  return lines.join("\n")
}

/** `--list`: every valid number with its kind, one per line, after the summary. */
export function* numberLines(plan: SendPlan): Generator<string> {
  const r = plan.recipients
  for (let k = 0; k < r.size; k++) yield `  ${r.e164(k)} ${r.kind(k)}`
}

const costBasis = (plan: SendPlan): string =>
  plan.endpoint === "campaign/send"
    ? "per message"
    : plan.basis.seconds === undefined
      ? "per started 30 s; audio file counted as ≤ 30 s"
      : `per started 30 s; text ≈ ${plan.basis.seconds} s`

function* map<A, B>(items: Iterable<A>, f: (a: A) => B): Generator<B> {
  for (const a of items) yield f(a)
}

/**
 * The whole plan as one JSON document, in two parts so that a million numbers can be
 * written in batches: the small fields, then the lists (written after them, in this order).
 */
export const planJson = (plan: SendPlan) => {
  const r = plan.recipients
  const head = {
    dryRun: true,
    endpoint: plan.endpoint,
    rows: plan.counts,
    counts: r.counts,
    duplicates: r.duplicates.length,
    chunkSize: plan.chunkSize,
    requests: plan.requests,
    rateLimits: plan.windows,
    estimatedMs: plan.estimatedMs,
    estimatedCost: { [plan.currency]: plan.estimatedCost },
    costBasis: costBasis(plan),
    sources: plan.rows.sources.map((s) => ({
      name: s.name,
      rows: s.rows,
      empty: s.empty,
      ...(s.columnNumber === undefined
        ? {}
        : {
            encoding: s.encoding,
            delimiter: s.delimiter,
            header: s.column !== null,
            column: s.column,
            columnNumber: s.columnNumber,
            ...(s.mixed === true ? { mixedEncodings: true } : {}),
          }),
    })),
  }
  const lists: ReadonlyArray<readonly [string, Iterable<unknown>]> = [
    ["numbers", map(numberIndices(r.size), (k) => r.e164(k))],
    ["invalid", plan.invalid],
    [
      "duplicateRows",
      map(r.duplicates, (d) => ({
        origin: originOf(plan.rows, d.index),
        input: d.input,
        e164: d.e164,
        firstOrigin: originOf(plan.rows, d.firstIndex),
      })),
    ],
    [
      "warnings",
      map(r.warnings, (w) => ({
        origin: originOf(plan.rows, w.index),
        input: w.input,
        e164: w.e164,
        message: w.message,
      })),
    ],
    ["landlines", numbersOfKind(plan, "landline")],
  ]
  return { head, lists }
}

function* numberIndices(size: number): Generator<number> {
  for (let k = 0; k < size; k++) yield k
}

/** The JSON text of {@link planJson}, in pieces of at most `batch` list items. */
export function* planJsonText(plan: SendPlan, batch = 10_000): Generator<string> {
  const { head, lists } = planJson(plan)
  let text = JSON.stringify(head).slice(0, -1)
  for (const [key, items] of lists) {
    text += `,${JSON.stringify(key)}:[`
    let n = 0
    for (const item of items) {
      text += (n++ === 0 ? "" : ",") + JSON.stringify(item)
      if (n % batch === 0) {
        yield text
        text = ""
      }
    }
    text += "]"
  }
  yield `${text}}\n`
}

/** One progress line (log form, for non-TTY output). */
export const progressLine = (event: BulkEvent, now: number): string => {
  const p = event.progress
  const tail = `${p.numbersSent}/${p.numbersTotal} sent, cost ${costText(p.costByCurrency)}`
  if (event._tag === "Stopped")
    return `stopped after chunk ${p.chunksDone}/${p.chunksTotal}: ${event.reason.message} — ${tail}`
  const head = `chunk ${event.chunk + 1}/${p.chunksTotal}`
  const status =
    event._tag === "ChunkStarted"
      ? `started (${event.size} numbers)`
      : event._tag === "ChunkSent"
        ? `sent (campaign ${event.campaignId})`
        : `FAILED (${event.numbers.length} numbers not sent: ${event.error.message})`
  return `${head} ${status} — ${tail}, ETA ${formatDuration(Math.max(0, p.etaAt - now))}`
}

/** A one-line progress bar redrawn in place on a terminal. */
export const progressBar = (event: BulkEvent, now: number, color: boolean): string => {
  const p = event.progress
  const width = 24
  const done = p.chunksTotal === 0 ? width : Math.round((p.chunksDone / p.chunksTotal) * width)
  const bar = `${"█".repeat(done)}${"░".repeat(width - done)}`
  const painted = color ? `\u001b[32m${bar}\u001b[0m` : bar
  return `\r${painted} ${p.chunksDone}/${p.chunksTotal} chunks · ${p.numbersSent}/${p.numbersTotal} numbers · ${costText(p.costByCurrency)} · ETA ${formatDuration(Math.max(0, p.etaAt - now))}\u001b[K`
}

export { costText }
