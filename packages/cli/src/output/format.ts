import type { BulkEvent } from "@voicepartner/core/bulk/BulkEvent"
import type { SendPlan } from "../plan/sendPlan.js"

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

/** The dry-run report, for a human. */
export const renderPlan = (plan: SendPlan): string => {
  const r = plan.recipients
  const lines = [
    `Plan (${plan.endpoint}) — nothing sent`,
    `  recipients: ${r.numbers.length} valid (${r.counts.mobile} mobile, ${r.counts.landline} landline, ${r.counts.other} other), ${plan.invalid.length} invalid, ${r.duplicates.length} duplicates removed`,
  ]
  if (plan.endpoint === "campaign/send" && r.counts.landline > 0)
    lines.push(
      `  WARNING: ${r.counts.landline} landline(s): a voicemail drop rings landlines (only mobiles go straight to voicemail)`,
    )
  for (const i of plan.invalid) lines.push(`  invalid ${i.origin}: "${i.input}" — ${i.reason}`)
  lines.push(
    `  requests: ${plan.requests}`,
    `  estimated time under the rate limits: ${formatDuration(plan.estimatedMs)}`,
  )
  for (const n of r.numbers) lines.push(`  ${n.e164} ${n.kind}`)
  return lines.join("\n")
}

/** The plan as a JSON document. */
export const planJson = (plan: SendPlan) => ({
  dryRun: true,
  endpoint: plan.endpoint,
  numbers: plan.recipients.numbers.map((n) => n.e164),
  counts: plan.recipients.counts,
  invalid: plan.invalid,
  duplicates: plan.recipients.duplicates.length,
  requests: plan.requests,
  estimatedMs: plan.estimatedMs,
})

/** One progress line (log form, for non-TTY output). */
export const progressLine = (event: BulkEvent, now: number): string => {
  const p = event.progress
  const head = `chunk ${event.chunk + 1}/${p.chunksTotal}`
  const status =
    event._tag === "ChunkStarted"
      ? `started (${event.size} numbers)`
      : event._tag === "ChunkSent"
        ? `sent (campaign ${event.campaignId})`
        : `FAILED (${event.numbers.length} numbers not sent: ${event.error.message})`
  return `${head} ${status} — ${p.numbersSent}/${p.numbersTotal} sent, cost ${costText(p.costByCurrency)}, ETA ${formatDuration(Math.max(0, p.etaAt - now))}`
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
