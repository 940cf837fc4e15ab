import { CsvError } from "@voicepartner/core/csv/CsvError"
import { bytesOf } from "@voicepartner/core/csv/decode"
import { queryColumnOption } from "@voicepartner/core/csv/phoneColumn"
import { readPhoneCsv } from "@voicepartner/core/csv/readCsv"
import { ValidationError, ValidationIssue } from "@voicepartner/core/errors/ValidationError"
import { type ApiError, apiError } from "../http/apiError.js"
import { validationAnswer } from "../http/validationAnswer.js"
import {
  MAX_BROADCAST_RECIPIENTS,
  type PlannedRecipients,
  RecipientPlanner,
} from "./recipientPlan.js"

/**
 * Largest CSV upload: 100 MB, Cloudflare's request body limit on the Free and Pro plans.
 * The body is read as a stream (memory holds a chunk of it and the numbers, never the file).
 */
export const MAX_CSV_BODY_BYTES = 100 * 1024 * 1024

/** The name of an upload in messages and origins (`upload:12`). */
export const UPLOAD = "upload"

/** The message fields a CSV upload takes as query parameters. */
const MESSAGE_PARAMETERS = [
  "tokenAudio",
  "emailForNotification",
  "sender",
  "text",
  "lang",
  "speechRate",
] as const

/** The query parameters of `POST /v1/broadcasts` with `Content-Type: text/csv`. */
export const CSV_PARAMETERS: ReadonlyArray<string> = [
  "type",
  ...MESSAGE_PARAMETERS,
  "name",
  "startAt",
  "notifyUrl",
  "dryRun",
  "column",
]

/** Whether a media type is a CSV upload's. */
export const isCsv = (contentType: string | undefined): boolean =>
  /^\s*(text|application)\/csv\s*(;|$)/i.test(contentType ?? "")

const refusal = (issues: ReadonlyArray<ValidationIssue>): ApiError =>
  validationAnswer(ValidationError.fromIssues(issues))

const issue = (field: string, message: string) => new ValidationIssue({ field, message })

/**
 * A CSV upload's fields, from its query parameters, in the JSON body's shape (`type`,
 * `message: { tokenAudio, … }`, `name`, `startAt`, `notifyUrl`, `dryRun`), and its
 * `column`; else a 400 naming the parameter (unknown, given twice, `speechRate` not a
 * number, `dryRun` not `true`/`false`).
 *
 * @example
 * ```ts
 * csvFields(new URL("https://gw.example/v1/broadcasts?type=voicemail&tokenAudio=a&dryRun=true"))
 * // { ok: true, fields: { type: "voicemail", message: { tokenAudio: "a" }, dryRun: true }, column: undefined }
 * ```
 */
export const csvFields = (
  url: URL,
):
  | {
      readonly ok: true
      readonly fields: Readonly<Record<string, unknown>>
      readonly column: string | undefined
    }
  | { readonly ok: false; readonly error: ApiError } => {
  const issues: Array<ValidationIssue> = []
  const values = new Map<string, string>()
  for (const [key, value] of url.searchParams) {
    // The provider's key never belongs in a URL of ours; ignored as in a JSON body.
    if (key === "apiKey") continue
    if (!CSV_PARAMETERS.includes(key))
      issues.push(
        issue(
          key.slice(0, 40),
          `is not a parameter of a CSV upload (${CSV_PARAMETERS.join(", ")})`,
        ),
      )
    else if (values.has(key)) issues.push(issue(key, "is given more than once"))
    else values.set(key, value)
  }
  const message: Record<string, unknown> = {}
  for (const key of MESSAGE_PARAMETERS) {
    const value = values.get(key)
    if (value === undefined) continue
    if (key === "speechRate") {
      const rate = value.trim() === "" ? Number.NaN : Number(value)
      if (!Number.isFinite(rate)) issues.push(issue(key, "must be a number (0.5 to 2)"))
      else message[key] = rate
    } else message[key] = value
  }
  const dryRun = values.get("dryRun")
  if (dryRun !== undefined && dryRun !== "true" && dryRun !== "false")
    issues.push(issue("dryRun", "must be true or false"))
  if (issues.length > 0) return { ok: false, error: refusal(issues) }
  const fields: Record<string, unknown> = { type: values.get("type"), message }
  for (const key of ["name", "startAt", "notifyUrl"] as const) {
    const value = values.get(key)
    if (value !== undefined) fields[key] = value
  }
  if (dryRun !== undefined) fields.dryRun = dryRun === "true"
  return { ok: true, fields, column: values.get("column") }
}

class TooLarge extends Error {}
class TooMany extends Error {}

/**
 * Reads a CSV upload (a CRM export as it is) into a recipient plan with core's CSV reader:
 * streamed, UTF-8 or Windows-1252 (or UTF-16 with a BOM) detected, delimiter detected,
 * the phone column found by its header (French or English) or given by `column`. Each
 * entry's row is its line in the file. A 413 past {@link MAX_CSV_BODY_BYTES}; a 400 naming
 * `column` when the phone column cannot be told (listing the headers found), `body` for a
 * malformed CSV (with its line) or more than 1,000,000 rows.
 */
export const readCsvUpload = async (
  body: ReadableStream<Uint8Array> | null,
  options: { readonly column: string | undefined; readonly contentLength: string | undefined },
): Promise<
  | { readonly ok: true; readonly recipients: PlannedRecipients }
  | { readonly ok: false; readonly error: ApiError }
> => {
  const tooLarge = () =>
    apiError(413, "PAYLOAD_TOO_LARGE", `the request body exceeds ${MAX_CSV_BODY_BYTES} bytes`)
  if (Number(options.contentLength) > MAX_CSV_BODY_BYTES) return { ok: false, error: tooLarge() }
  const planner = new RecipientPlanner()
  if (body === null) return { ok: true, recipients: planner.finish() }
  let size = 0
  async function* counted(): AsyncGenerator<Uint8Array> {
    for await (const chunk of bytesOf(body as ReadableStream<Uint8Array>)) {
      size += chunk.byteLength
      if (size > MAX_CSV_BODY_BYTES) throw new TooLarge()
      yield chunk
    }
  }
  try {
    await readPhoneCsv(counted(), {
      name: UPLOAD,
      column: options.column,
      columnOption: queryColumnOption,
      onRow: (cell, line) => {
        if (planner.size >= MAX_BROADCAST_RECIPIENTS) throw new TooMany()
        planner.add(cell, line)
      },
    })
  } catch (error) {
    if (error instanceof TooLarge) return { ok: false, error: tooLarge() }
    if (error instanceof TooMany)
      return {
        ok: false,
        error: refusal([
          issue(
            "body",
            `has more than ${MAX_BROADCAST_RECIPIENTS.toLocaleString("en")} rows; a broadcast takes at most ${MAX_BROADCAST_RECIPIENTS.toLocaleString("en")}`,
          ),
        ]),
      }
    if (error instanceof CsvError)
      return {
        ok: false,
        error: refusal([issue(error.reason === "MalformedCsv" ? "body" : "column", error.message)]),
      }
    return {
      ok: false,
      error: refusal([issue("body", "could not be read to its end (the upload was interrupted)")]),
    }
  }
  return { ok: true, recipients: planner.finish() }
}
