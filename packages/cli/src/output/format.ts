import type { BulkEvent } from "@voicepartner/core/bulk/BulkEvent"
import { willNotImprove } from "@voicepartner/core/errors/failureOutcome"
import type { BulkEndpoint, BulkPlan } from "@voicepartner/core/plan/BulkPlan"
import { numbersOfKind, type Recipients } from "@voicepartner/core/plan/RecipientCollector"
import type { RateLimitWindow } from "@voicepartner/core/ratelimit/RateLimitPolicy"
import type { RecipientSource } from "../input/readRecipients.js"
import { describeFailure } from "./explain.js"

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

/**
 * What a plan is rendered from: the recipients' accounting (always), core's plan (when the
 * message and some number were valid), and what the CLI found in each source.
 */
export interface PlanView {
  readonly endpoint: BulkEndpoint
  readonly recipients: Recipients
  /** The CLI's facts about each source (encoding, column…), in `recipients.sources` order. */
  readonly sources: ReadonlyArray<RecipientSource>
  readonly plan?: BulkPlan | undefined
  /** A dry run ("nothing sent") or the plan a send shows before it goes. */
  readonly dryRun: boolean
  /** Through the gateway: requests carry an `Idempotency-Key`. */
  readonly gateway?: boolean | undefined
}

/** The invalid rows, first {@link SHOWN}, then how many more: for a dry run and a send. */
export const invalidLines = (r: Recipients, prefix: string): Array<string> => {
  const lines = r.invalid
    .slice(0, SHOWN)
    .map((i) => `${prefix}${i.origin}: "${i.input}" — ${i.reason}`)
  const more = r.counts.invalid - Math.min(SHOWN, r.invalid.length)
  if (more > 0) lines.push(`${prefix}… and ${thousands(more)} more invalid (--json lists them all)`)
  return lines
}

const sourceLine = (s: RecipientSource): string | undefined => {
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

/** `14:32` today, `2026-12-01 09:30` another day, in the local time zone. */
const clock = (epochMs: number, now: number): string => {
  const d = new Date(epochMs)
  const pad = (n: number) => String(n).padStart(2, "0")
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}`
  return new Date(now).toDateString() === d.toDateString()
    ? time
    : `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${time}`
}

/**
 * The plan for a human: a summary, not every number (`--list` adds them). A dry run says
 * nothing was sent; a real send prints it (on stderr) before anything goes.
 */
export const renderPlan = (
  view: PlanView,
  options: { readonly list?: boolean | undefined } = {},
): string => {
  const { recipients: r, plan } = view
  const c = r.counts
  const lines = [
    `Plan (${view.endpoint}, ${KIND_OF[view.endpoint] ?? "send"})${view.dryRun ? " — nothing sent" : ""}`,
  ]
  for (const s of view.sources) {
    const line = sourceLine(s)
    if (line !== undefined) lines.push(line)
  }
  lines.push(
    `  ${thousands(c.read)} rows read: ${thousands(c.valid)} valid, ${thousands(c.invalid)} invalid, ${thousands(c.duplicates)} duplicates, ${thousands(c.empty)} empty`,
    `  valid numbers: ${thousands(r.kinds.mobile)} mobile, ${thousands(r.kinds.landline)} landline, ${thousands(r.kinds.other)} other`,
  )
  if (c.invalid > 0) {
    lines.push(`  invalid rows (skipped):`)
    lines.push(...invalidLines(r, "    "))
  }
  if (c.duplicates > 0)
    lines.push(`  ${thousands(c.duplicates)} duplicates removed (each number is sent once)`)
  if (r.warningCount > 0) {
    lines.push(`  accepted on a guess (check them):`)
    for (const w of r.warnings.slice(0, SHOWN))
      lines.push(`    ${w.origin}: "${w.input}" → ${w.e164}: ${w.message}`)
    const more = r.warningCount - Math.min(SHOWN, r.warnings.length)
    if (more > 0) lines.push(`    … and ${thousands(more)} more (--json lists them all)`)
  }
  if (view.endpoint === "campaign/send" && r.kinds.landline > 0) {
    lines.push(
      `  WARNING: ${thousands(r.kinds.landline)} landline(s) would ring: a voicemail drop rings landlines (only mobiles go straight to voicemail)`,
    )
    for (const n of numbersOfKind(r, "landline", SHOWN)) lines.push(`    ${n.e164}  ${n.origin}`)
    if (r.kinds.landline > SHOWN)
      lines.push(`    … and ${thousands(r.kinds.landline - SHOWN)} more landlines`)
  }
  if (plan === undefined) return lines.join("\n")
  for (const w of plan.warnings)
    if (w.field !== "phoneNumbers") lines.push(`  note: ${w.field}: ${w.message}`)
  lines.push(
    `  requests: ${thousands(plan.requests)} (≤ ${plan.chunkSize} numbers each)`,
    `  estimated time under the rate limits (${describeWindows(plan.windows)}): ${formatDuration(plan.estimatedMs)}${plan.estimatedMs >= 60_000 ? ` (last request ≈ ${clock(plan.endsAt, plan.plannedAt)})` : ""}`,
    `  estimated cost: ${plan.cost.amount.toFixed(2)} ${plan.cost.currency} (${costBasis(plan)}; an estimate from core's price table — the provider's answer to the send is what is charged)`,
  )
  if (view.gateway === true)
    lines.push(
      "  through the gateway: each request carries an Idempotency-Key, so the same command re-run within 24 h replays what went out instead of sending again (--resend sends again)",
    )
  if (!view.dryRun) return lines.join("\n")
  if (options.list === true) lines.push(`  numbers (${thousands(r.size)}):`)
  else if (r.size > 0) lines.push("  --list prints every number, --json the whole plan")
  return lines.join("\n")
}

/** `--list`: every valid number with its kind, one per line, after the summary. */
export function* numberLines(r: Recipients): Generator<string> {
  for (let k = 0; k < r.size; k++) yield `  ${r.e164(k)} ${r.kind(k)}`
}

const costBasis = (plan: BulkPlan): string =>
  plan.endpoint === "campaign/send"
    ? "per message"
    : plan.cost.basis.seconds === undefined
      ? "per started 30 s; audio file counted as ≤ 30 s"
      : `per started 30 s; text ≈ ${plan.cost.basis.seconds} s`

function* map<A, B>(items: Iterable<A>, f: (a: A) => B): Generator<B> {
  for (const a of items) yield f(a)
}

function* numberIndices(size: number): Generator<number> {
  for (let k = 0; k < size; k++) yield k
}

/**
 * The whole plan as one JSON document, in two parts so that a million numbers can be
 * written in batches: the small fields, then the lists (written after them, in this order).
 */
export const planJson = (view: PlanView) => {
  const { recipients: r, plan } = view
  const head = {
    dryRun: view.dryRun,
    endpoint: view.endpoint,
    rows: r.counts,
    counts: r.kinds,
    duplicates: r.counts.duplicates,
    // Nothing valid: no plan, nothing to send.
    ...(plan === undefined
      ? { requests: 0 }
      : {
          chunkSize: plan.chunkSize,
          requests: plan.requests,
          rateLimits: plan.windows,
          estimatedMs: plan.estimatedMs,
          estimatedEnd: new Date(plan.endsAt).toISOString(),
          estimatedCost: { [plan.cost.currency]: plan.cost.amount },
          costBasis: costBasis(plan),
          notes: plan.warnings
            .filter((w) => w.field !== "phoneNumbers")
            .map((w) => `${w.field}: ${w.message}`),
        }),
    idempotencyKeys: view.gateway === true,
    sources: view.sources.map((s, i) => {
      const counted = r.sources[i]
      return {
        name: s.name,
        rows: counted?.rows ?? 0,
        empty: counted?.empty ?? 0,
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
      }
    }),
  }
  const lists: ReadonlyArray<readonly [string, Iterable<unknown>]> = [
    ["numbers", map(numberIndices(r.size), (k) => r.e164(k))],
    ["invalid", map(r.invalid, (i) => ({ origin: i.origin, input: i.input, reason: i.reason }))],
    [
      "duplicateRows",
      map(r.duplicates, (d) => ({
        origin: d.origin,
        input: d.input,
        e164: d.e164,
        firstOrigin: d.firstOrigin,
      })),
    ],
    [
      "warnings",
      map(r.warnings, (w) => ({
        origin: w.origin,
        input: w.input,
        e164: w.e164,
        message: w.message,
      })),
    ],
    ["landlines", numbersOfKind(r, "landline")],
  ]
  return { head, lists }
}

/** The JSON text of {@link planJson}, in pieces of at most `batch` list items. */
export function* planJsonText(view: PlanView, batch = 10_000): Generator<string> {
  const { head, lists } = planJson(view)
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

/**
 * One progress line (log form, for non-TTY output). A failure that stops the send is only
 * named here: the report after the send says once why, and what to do.
 */
export const progressLine = (event: BulkEvent, now: number): string => {
  const p = event.progress
  const tail = `${p.numbersSent}/${p.numbersTotal} sent, cost ${costText(p.costByCurrency)}`
  if (event._tag === "Stopped")
    return `stopped after chunk ${p.chunksDone}/${p.chunksTotal} — ${tail}`
  const head = `chunk ${event.chunk + 1}/${p.chunksTotal}`
  const status =
    event._tag === "ChunkStarted"
      ? `started (${event.size} numbers)`
      : event._tag === "ChunkSent"
        ? `sent (campaign ${event.campaignId})`
        : willNotImprove(event.error)
          ? `FAILED (${event.numbers.length} numbers not sent)`
          : `FAILED (${event.numbers.length} numbers not sent: ${describeFailure(event.error)})`
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
