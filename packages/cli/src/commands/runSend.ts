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
import { costText, planJson, progressBar, progressLine, renderPlan } from "../output/format.js"
import { makeSendPlan } from "../plan/sendPlan.js"
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
}

type SendKind =
  | { readonly endpoint: "tts/send"; readonly input: Omit<TtsSendInput, "phoneNumbers"> }
  | { readonly endpoint: "campaign/send"; readonly input: Omit<CampaignSendInput, "phoneNumbers"> }

const out = (text: string) => process.stdout.write(`${text}\n`)
const err = (text: string) => process.stderr.write(`${text}\n`)

/** Plans, validates and runs a bulk send; returns the exit code. */
export const runSend = async (flags: SendFlags, kind: SendKind): Promise<ExitCode> => {
  if (!Number.isInteger(flags.chunkSize) || flags.chunkSize < 1 || flags.chunkSize > 500)
    throw new UsageError(`--chunk-size: must be an integer from 1 to 500, got ${flags.chunkSize}`)
  const entries = readRecipients(flags.to, flags.toFile)
  if (entries.length === 0)
    throw new UsageError("no recipients: give --to, --to-file FILE or --to -")
  const plan = makeSendPlan(entries, kind.endpoint, policyFromEnv(), flags.chunkSize)
  // Validate the whole request (text, date, URL…) once before anything is sent; invalid
  // numbers are reported by the plan and skipped.
  const sample = plan.recipients.numbers[0]?.e164 ?? "+33612345678"
  const now = { now: Date.now() }
  const failure =
    kind.endpoint === "tts/send"
      ? Result.getFailure(validateTtsSend({ ...kind.input, phoneNumbers: [sample] }, now))
      : Result.getFailure(validateCampaignSend({ ...kind.input, phoneNumbers: [sample] }, now))
  if (Option.isSome(failure)) throw new UsageError(failure.value.message)
  if (flags.dryRun) {
    out(flags.json ? JSON.stringify(planJson(plan)) : renderPlan(plan))
    return ExitCode.Ok
  }
  if (plan.recipients.numbers.length === 0) {
    err(renderPlan(plan))
    throw new UsageError("no valid recipient to send to")
  }
  for (const i of plan.invalid) err(`skipped invalid ${i.origin}: "${i.input}" — ${i.reason}`)
  const client = makeClient(flags)
  const controller = new AbortController()
  const onSigint = () => {
    err("\nstopping after the request in flight…")
    controller.abort()
  }
  process.once("SIGINT", onSigint)
  const tty = process.stderr.isTTY === true && !flags.json
  const color = tty && process.env.NO_COLOR === undefined
  const numbers = plan.recipients.numbers.map((n) => n.e164)
  const options = {
    signal: controller.signal,
    chunkSize: flags.chunkSize,
    onProgress: (event: Parameters<typeof progressLine>[0]) => {
      const now = Date.now()
      if (flags.json) {
        if (flags.progress)
          out(JSON.stringify({ event: event._tag, chunk: event.chunk, ...event.progress }))
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
        retryFile: notSent.length > 0 ? flags.failedOut : null,
      }),
    )
  } else {
    out(
      `sent ${summary.numbersSent} numbers in ${summary.sent.length} request(s), cost ${costText(summary.costByCurrency)}; campaigns: ${summary.campaignIds.join(", ") || "none"}`,
    )
    for (const c of summary.failed)
      err(`chunk ${c.chunk + 1} FAILED: ${c.error.message} — ${c.numbers.length} numbers not sent`)
    if (summary.stopped) err(`stopped: ${summary.notAttempted.length} numbers not attempted`)
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
