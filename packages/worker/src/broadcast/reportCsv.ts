import type { RecipientOutcome, RecipientPage } from "./broadcastTypes.js"

/** The report's columns, in order. */
export const REPORT_HEADER = "row,phone_number,kind,chunk,outcome,campaign_id,delivery,error\r\n"

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break. A free
 * text starting with `=`, `+`, `-` or `@` is prefixed with `'` so that a spreadsheet
 * does not run it as a formula; phone numbers are E.164 (`+33…`) and left as they are.
 */
const cell = (value: string | number | null, text = false): string => {
  if (value === null) return ""
  let s = String(value)
  if (text && /^[=+\-@\t\r]/.test(s)) s = `'${s}`
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

/** One recipient's line of the report. */
export const reportLine = (r: RecipientOutcome): string =>
  `${[
    cell(r.row),
    cell(r.phoneNumber),
    cell(r.kind),
    cell(r.chunk),
    cell(r.status),
    cell(r.campaignId, true),
    cell(r.delivery, true),
    cell(r.error, true),
  ].join(",")}\r\n`

/**
 * The report as a stream: the header, then every recipient page by page (`next` reads the
 * page after a cursor), so that a million rows never sit in memory at once.
 *
 * @example
 * ```ts
 * import type { BroadcastObject } from "./BroadcastObject.js"
 *
 * function report(broadcast: DurableObjectStub<BroadcastObject>, clientId: string) {
 *   const csv = reportStream((cursor) =>
 *     broadcast.recipients(clientId, { after: cursor === null ? 0 : Number(cursor), limit: 5000 }),
 *   )
 *   return new Response(csv, { headers: { "Content-Type": "text/csv; charset=utf-8" } })
 * }
 * ```
 */
export const reportStream = (
  next: (cursor: string | null) => Promise<RecipientPage | null>,
): ReadableStream<Uint8Array> => {
  const encoder = new TextEncoder()
  let cursor: string | null = null
  let started = false
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true
        controller.enqueue(encoder.encode(REPORT_HEADER))
        return
      }
      const page = await next(cursor)
      if (page === null) {
        controller.close()
        return
      }
      if (page.recipients.length > 0)
        controller.enqueue(encoder.encode(page.recipients.map(reportLine).join("")))
      cursor = page.nextCursor
      if (cursor === null) controller.close()
    },
  })
}
