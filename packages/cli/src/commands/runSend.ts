import { once } from "node:events"
import { writeFileSync } from "node:fs"
import type { BulkSummary } from "@voicepartner/core/bulk/BulkSummary"
import type { CampaignSendInput } from "@voicepartner/core/model/CampaignSendRequest"
import { validateCampaignSend } from "@voicepartner/core/model/CampaignSendRequest"
import type { TtsSendInput } from "@voicepartner/core/model/TtsSendRequest"
import { validateTtsSend } from "@voicepartner/core/model/TtsSendRequest"
import * as Option from "effect/Option"
import * as Result from "effect/Result"
import { type ConnectionFlags, makeClient, policyFromEnv } from "../config/connection.js"
import { UsageError } from "../config/UsageError.js"
import { readRecipients } from "../input/readRecipients.js"
import {
  costText,
  invalidLines,
  numberLines,
  planJsonText,
  progressBar,
  progressLine,
  renderPlan,
} from "../output/format.js"
import { speechSeconds } from "../plan/prices.js"
import { e164List, makeSendPlan } from "../plan/sendPlan.js"
import { ExitCode } from "./ExitCode.js"

/** Flags shared by `tts send` and `vms send`. */
export interface SendFlags extends ConnectionFlags {
  readonly to: ReadonlyArray<string>
  readonly toFile: ReadonlyArray<string>
  readonly dryRun: boolean
  readonly json: boolean
  readonly progress: boolean
  readonly failedOut: string
  readonly chunkSize: number
  /** `--column NAME|N`: the phone column of every CSV. */
  readonly column?: string | undefined
  /** `--list`: a dry run prints every number too. */
  readonly list?: boolean | undefined
}

type SendKind =
  | { readonly endpoint: "tts/send"; readonly input: Omit<TtsSendInput, "phoneNumbers"> }
  | { readonly endpoint: "campaign/send"; readonly input: Omit<CampaignSendInput, "phoneNumbers"> }

const out = (text: string) => process.stdout.write(`${text}\n`)
const err = (text: string) => process.stderr.write(`${text}\n`)

/** Writes pieces of text to stdout, waiting when the reader is slower (a pipe, a terminal). */
const writeAll = async (pieces: Iterable<string>): Promise<void> => {
  for (const piece of pieces) if (!process.stdout.write(piece)) await once(process.stdout, "drain")
}

/** Lines joined in batches, each line ending with a newline. */
function* lines(items: Iterable<string>, batch = 10_000): Generator<string> {
  let text = ""
  let n = 0
  for (const item of items) {
    text += `${item}\n`
    if (++n % batch === 0) {
      yield text
      text = ""
    }
  }
  if (text.length > 0) yield text
}

/** Plans, validates and runs a bulk send; returns the exit code. */
export const runSend = async (flags: SendFlags, kind: SendKind): Promise<ExitCode> => {
  if (!Number.isInteger(flags.chunkSize) || flags.chunkSize < 1 || flags.chunkSize > 500)
    throw new UsageError(`--chunk-size: must be an integer from 1 to 500, got ${flags.chunkSize}`)
  const stdinUses = [...flags.to, ...flags.toFile].filter((v) => v === "-").length
  if (stdinUses > 1) throw new UsageError("stdin (-) can be read only once")
  const rows = await readRecipients({ to: flags.to, files: flags.toFile, column: flags.column })
  if (rows.sources.every((s) => s.rows === 0))
    throw new UsageError("no recipients: give --to, --to-file FILE or --to -")
  const seconds =
    kind.endpoint === "tts/send" && kind.input.tokenAudio === undefined && kind.input.text
      ? speechSeconds(kind.input.text, Math.min(2, Math.max(0.5, kind.input.speechRate ?? 1)))
      : undefined
  const plan = makeSendPlan(rows, kind.endpoint, policyFromEnv(), flags.chunkSize, { seconds })
  // Validate the whole request (text, date, URL…) once before anything is sent; invalid
  // numbers are reported by the plan and skipped.
  const sample = plan.recipients.size > 0 ? plan.recipients.e164(0) : "+33612345678"
  const now = { now: Date.now() }
  const failure =
    kind.endpoint === "tts/send"
      ? Result.getFailure(validateTtsSend({ ...kind.input, phoneNumbers: [sample] }, now))
      : Result.getFailure(validateCampaignSend({ ...kind.input, phoneNumbers: [sample] }, now))
  if (Option.isSome(failure)) throw new UsageError(failure.value.message)
  const nothingValid = plan.recipients.size === 0
  if (flags.dryRun) {
    if (flags.json) await writeAll(planJsonText(plan))
    else {
      out(renderPlan(plan, { list: flags.list }))
      if (flags.list === true) await writeAll(lines(numberLines(plan)))
    }
    if (nothingValid) throw new UsageError("no valid recipient: nothing would be sent")
    return ExitCode.Ok
  }
  if (nothingValid) {
    err(renderPlan(plan))
    throw new UsageError("no valid recipient to send to")
  }
  for (const line of invalidLines(plan, "skipped invalid ")) err(line)
  const client = makeClient(flags)
  const controller = new AbortController()
  const onSigint = () => {
    err("\nstopping after the request in flight…")
    controller.abort()
  }
  process.once("SIGINT", onSigint)
  const tty = process.stderr.isTTY === true && !flags.json
  const color = tty && process.env.NO_COLOR === undefined
  const numbers = e164List(plan)
  const options = {
    signal: controller.signal,
    chunkSize: flags.chunkSize,
    onProgress: (event: Parameters<typeof progressLine>[0]) => {
      const now = Date.now()
      if (flags.json) {
        if (flags.progress)
          out(
            JSON.stringify(
              event._tag === "Stopped"
                ? { event: event._tag, reason: event.reason.message, ...event.progress }
                : { event: event._tag, chunk: event.chunk, ...event.progress },
            ),
          )
      } else if (tty) process.stderr.write(progressBar(event, now, color))
      else err(progressLine(event, now))
    },
  }
  try {
    const summary: BulkSummary =
      kind.endpoint === "tts/send"
        ? await client.sendTtsBulk(
            { ...kind.input, phoneNumbers: numbers, onInvalidRecipients: "skip" },
            options,
          )
        : await client.sendCampaignBulk(
            { ...kind.input, phoneNumbers: numbers, onInvalidRecipients: "skip" },
            options,
          )
    if (tty) process.stderr.write("\n")
    return report(summary, flags)
  } finally {
    process.off("SIGINT", onSigint)
    await client.close()
  }
}

const report = (summary: BulkSummary, flags: SendFlags): ExitCode => {
  const notSent = [...summary.failed.flatMap((c) => c.numbers), ...summary.notAttempted]
  if (notSent.length > 0) writeFileSync(flags.failedOut, `${notSent.join("\n")}\n`)
  const authFailure =
    summary.numbersSent === 0 && summary.failed.some((c) => isUpstreamFatal(c.error))
  const code = authFailure ? ExitCode.Upstream : notSent.length > 0 ? ExitCode.Partial : ExitCode.Ok
  if (flags.json) {
    out(
      JSON.stringify({
        ok: code === ExitCode.Ok,
        requests: summary.requests,
        numbersSent: summary.numbersSent,
        campaignIds: summary.campaignIds,
        costByCurrency: summary.costByCurrency,
        failed: summary.failed.map((c) => ({
          chunk: c.chunk,
          numbers: c.numbers,
          error: c.error.message,
        })),
        notAttempted: summary.notAttempted,
        stopped: summary.stopped,
        stoppedBy: summary.stoppedBy?.message ?? null,
        retryFile: notSent.length > 0 ? flags.failedOut : null,
      }),
    )
  } else {
    out(
      `sent ${summary.numbersSent} numbers in ${summary.sent.length} request(s), cost ${costText(summary.costByCurrency)}; campaigns: ${summary.campaignIds.join(", ") || "none"}`,
    )
    for (const c of summary.failed)
      err(`chunk ${c.chunk + 1} FAILED: ${c.error.message} — ${c.numbers.length} numbers not sent`)
    if (summary.stopped)
      err(
        `stopped${summary.stoppedBy === undefined ? "" : ` (${summary.stoppedBy.message})`}: ${summary.notAttempted.length} numbers not attempted`,
      )
    if (notSent.length > 0)
      err(
        `${notSent.length} numbers not sent, written to ${flags.failedOut} — retry with --to-file ${flags.failedOut}`,
      )
  }
  return code
}

const isUpstreamFatal = (error: { readonly _tag: string; readonly reason?: unknown }): boolean =>
  error._tag === "VoicePartnerApiError" &&
  (error.reason === "Unauthorized" ||
    error.reason === "InsufficientCredit" ||
    error.reason === "IpNotAllowed")
