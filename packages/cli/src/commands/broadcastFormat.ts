import { formatDuration } from "../output/format.js"

/** The parts of the gateway's broadcast answers the CLI shows (see the worker's README). */
export interface PlanJson {
  readonly recipients: {
    readonly total: number
    readonly valid: number
    readonly duplicates: number
    readonly empty?: number
    readonly mobile: number
    readonly landline: number
    readonly other: number
    readonly invalid: ReadonlyArray<{
      readonly row: number
      readonly input: string
      readonly reason: string
    }>
    readonly invalidCount: number
  }
  readonly requests: number
  readonly estimatedEndAt: string
  readonly estimatedCost?: { readonly amount: number; readonly currency: string } | undefined
  readonly warnings: ReadonlyArray<{ readonly field: string; readonly message: string }>
}

export interface ChunksJson {
  readonly total: number
  readonly pending: number
  readonly inFlight: number
  readonly sent: number
  readonly failed: number
  readonly unknown: number
}

export interface SummaryJson {
  readonly id: string
  readonly name: string | null
  readonly type: "voicemail" | "tts"
  readonly status: "scheduled" | "running" | "paused" | "completed" | "cancelled"
  readonly createdAt: string
  readonly startAt: string | null
  readonly recipients: number
  readonly chunks: ChunksJson
  readonly pauseReason: { readonly code: string; readonly message: string } | null
  readonly recipientCounts?: Readonly<Record<string, unknown>> & {
    readonly sent: number
    readonly failed: number
    readonly unknown: number
    readonly pending: number
    readonly inFlight: number
  }
  readonly delivery?: {
    readonly delivered: number
    readonly undelivered: number
    readonly pending: number
  }
  readonly cost?: { readonly amount: number; readonly currency: string | null }
  readonly estimatedEndAt?: string | null
  readonly plan?: PlanJson
}

const n = (x: number): string => x.toLocaleString("en-US")
const KIND: Record<string, string> = { voicemail: "voicemail drop", tts: "voice SMS" }
/** Invalid rows a plan shows (the gateway lists the first 100). */
const SHOWN = 20

const when = (iso: string, now: number): string => {
  const ms = Date.parse(iso) - now
  return ms <= 1_000 ? `${iso} (now)` : `${iso} (in ${formatDuration(ms)})`
}

/** A plan for people: rows, kinds, invalid rows, requests, end, estimated cost, warnings. */
export const renderPlan = (
  plan: PlanJson,
  context: { readonly type: string; readonly dryRun: boolean; readonly now: number },
): string => {
  const r = plan.recipients
  const lines = [
    `Broadcast plan (${KIND[context.type] ?? context.type})${context.dryRun ? " — nothing sent" : ""}`,
    `  ${n(r.total)} rows: ${n(r.valid)} valid, ${n(r.invalidCount)} invalid, ${n(r.duplicates)} duplicates, ${n(r.empty ?? 0)} empty`,
    `  valid numbers: ${n(r.mobile)} mobile, ${n(r.landline)} landline, ${n(r.other)} other`,
  ]
  if (r.invalidCount > 0) {
    lines.push("  invalid rows (skipped):")
    for (const bad of r.invalid.slice(0, SHOWN))
      lines.push(`    row ${bad.row}: "${bad.input}" — ${bad.reason}`)
    const more = r.invalidCount - Math.min(SHOWN, r.invalid.length)
    if (more > 0) lines.push(`    … and ${n(more)} more invalid`)
  }
  lines.push(
    `  requests: ${n(plan.requests)} (500 numbers each), run by the gateway under its quota`,
    `  estimated end: ${when(plan.estimatedEndAt, context.now)}`,
  )
  if (plan.estimatedCost !== undefined)
    lines.push(
      `  estimated cost: ${plan.estimatedCost.amount.toFixed(2)} ${plan.estimatedCost.currency} (an estimate from the gateway's price table; the provider's answers say what is charged)`,
    )
  for (const w of plan.warnings) lines.push(`  warning: ${w.field}: ${w.message}`)
  return lines.join("\n")
}

const done = (c: ChunksJson) => c.sent + c.failed + c.unknown

const eta = (s: SummaryJson, now: number): string =>
  s.estimatedEndAt === null || s.estimatedEndAt === undefined
    ? "—"
    : formatDuration(Math.max(0, Date.parse(s.estimatedEndAt) - now))

const state = (s: SummaryJson): string =>
  s.status === "paused" && s.pauseReason !== null
    ? `paused (${s.pauseReason.code}: ${s.pauseReason.message})`
    : s.status

/** A broadcast's status for people. */
export const renderSummary = (s: SummaryJson, now: number): string => {
  const c = s.chunks
  const lines = [
    `${s.id}${s.name === null ? "" : ` "${s.name}"`} — ${KIND[s.type] ?? s.type}, ${state(s)}`,
    `  created ${s.createdAt}${s.startAt === null ? "" : `, starts ${s.startAt}`}`,
    `  chunks: ${n(done(c))}/${n(c.total)} done — ${n(c.sent)} sent, ${n(c.failed)} failed, ${n(c.unknown)} unknown, ${n(c.pending)} pending, ${n(c.inFlight)} in flight`,
  ]
  const rc = s.recipientCounts
  if (rc !== undefined)
    lines.push(
      `  recipients: ${n(s.recipients)} — ${n(rc.sent)} sent, ${n(rc.failed)} failed, ${n(rc.unknown)} unknown, ${n(rc.pending + rc.inFlight)} to send`,
    )
  if (s.delivery !== undefined)
    lines.push(
      `  delivery (from the callbacks so far): ${n(s.delivery.delivered)} delivered, ${n(s.delivery.undelivered)} undelivered, ${n(s.delivery.pending)} pending`,
    )
  if (s.cost !== undefined)
    lines.push(
      `  cost so far: ${s.cost.amount.toFixed(2)} ${s.cost.currency ?? ""}`.trimEnd() +
        (s.plan?.estimatedCost === undefined
          ? ""
          : ` (estimated in all: ${s.plan.estimatedCost.amount.toFixed(2)} ${s.plan.estimatedCost.currency})`),
    )
  if (s.estimatedEndAt !== undefined && s.estimatedEndAt !== null)
    lines.push(`  estimated end: ${when(s.estimatedEndAt, now)}`)
  if (c.unknown > 0)
    lines.push(
      `  ${n(c.unknown)} chunk(s) unknown: they may have been sent; the gateway never sends them again by itself (see "broadcast report", then "broadcast retry --include-unknown" if they did not go out)`,
    )
  return lines.join("\n")
}

/** One line a broadcast in a list. */
export const briefLine = (s: SummaryJson): string =>
  [
    s.id,
    s.status.padEnd(9),
    `${n(done(s.chunks))}/${n(s.chunks.total)} chunks`.padEnd(16),
    `${n(s.recipients)} recipients`.padEnd(20),
    s.createdAt,
    s.name ?? "",
  ].join("  ")

/** A one-line progress bar redrawn in place on a terminal, with the ETA. */
export const progressBar = (s: SummaryJson, now: number, color: boolean): string => {
  const c = s.chunks
  const width = 24
  const filled = c.total === 0 ? width : Math.round((done(c) / c.total) * width)
  const bar = `${"█".repeat(filled)}${"░".repeat(width - filled)}`
  const painted = color ? `\u001b[32m${bar}\u001b[0m` : bar
  const problems =
    c.failed + c.unknown > 0 ? ` · ${n(c.failed)} failed · ${n(c.unknown)} unknown` : ""
  return `\r${painted} ${n(done(c))}/${n(c.total)} chunks · ${n(s.recipientCounts?.sent ?? 0)}/${n(s.recipients)} recipients sent${problems} · ${state(s)} · ETA ${eta(s, now)}\u001b[K`
}

/** One progress line (without a terminal). */
export const progressLine = (s: SummaryJson, now: number): string => {
  const c = s.chunks
  return `${s.id} ${state(s)}: ${n(done(c))}/${n(c.total)} chunks (${n(c.sent)} sent, ${n(c.failed)} failed, ${n(c.unknown)} unknown), ETA ${eta(s, now)}`
}

/** What a `--json` watch prints each time the broadcast changes: one NDJSON line. */
export const progressJson = (s: SummaryJson, now: number) => ({
  event: "progress",
  at: new Date(now).toISOString(),
  id: s.id,
  status: s.status,
  chunks: s.chunks,
  recipientCounts: s.recipientCounts,
  delivery: s.delivery,
  cost: s.cost,
  estimatedEndAt: s.estimatedEndAt ?? null,
  pauseReason: s.pauseReason,
})
