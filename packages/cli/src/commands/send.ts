import { once } from "node:events"
import { writeFileSync } from "node:fs"
import type { BulkEvent } from "@voicepartner/core/bulk/BulkEvent"
import type { BulkSummary } from "@voicepartner/core/bulk/BulkSummary"
import { runBulkPlan } from "@voicepartner/core/bulk/runPlan"
import { nothingWasSent, willNotImprove } from "@voicepartner/core/errors/failureOutcome"
import { ValidationError } from "@voicepartner/core/errors/ValidationError"
import { type BulkMessage, type BulkPlan, planBulk } from "@voicepartner/core/plan/BulkPlan"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import {
  type ConnectionFlags,
  connect,
  policyFromEnv,
  throughGateway,
} from "../config/connection.js"
import { UsageError } from "../config/UsageError.js"
import { readRecipients } from "../input/readRecipients.js"
import { describeFailure, explainStop, type FailureContext } from "../output/explain.js"
import {
  costText,
  numberLines,
  type PlanView,
  planJsonText,
  progressBar,
  progressLine,
  renderPlan,
  SHOWN,
} from "../output/format.js"
import { ask, canAsk, DEFAULT_MAX_COST, reasonsToConfirm } from "./confirm.js"
import { ExitCode } from "./ExitCode.js"
import { attempt, fromPromise } from "./handler.js"
import { freshNonce, idempotencyKeys } from "./idempotency.js"

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
  /** `--yes`: send without asking, whatever the plan. */
  readonly yes?: boolean | undefined
  /** `--max-cost EUR`: above this estimate a send must be confirmed. */
  readonly maxCost?: number | undefined
  /** `--resend`: new `Idempotency-Key`s, so the gateway sends again what it replayed. */
  readonly resend?: boolean | undefined
  /** Stdin was read already (the message text): no question can be asked on it. */
  readonly stdinTaken?: boolean | undefined
}

const out = (text: string) => process.stdout.write(`${text}\n`)
const err = (text: string) => process.stderr.write(`${text}\n`)

/** Writes pieces of text to stdout, waiting when the reader is slower (a pipe, a terminal). */
const writeAll = (pieces: Iterable<string>): Effect.Effect<void, unknown> =>
  fromPromise(async () => {
    for (const piece of pieces)
      if (!process.stdout.write(piece)) await once(process.stdout, "drain")
  })

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

/**
 * `tts send` and `vms send`: reads the recipients into core's collector, plans the send
 * with core (validation once, chunks, admissions, cost), renders the plan (a dry run stops
 * there), asks for a confirmation when landlines would ring or the cost passes
 * `--max-cost`, then executes the plan with core's `VoicePartnerClient`.
 */
export const send = (flags: SendFlags, kind: BulkMessage): Effect.Effect<ExitCode, unknown> =>
  Effect.gen(function* () {
    if (!Number.isInteger(flags.chunkSize) || flags.chunkSize < 1 || flags.chunkSize > 500)
      return yield* Effect.fail(
        new UsageError(`--chunk-size: must be an integer from 1 to 500, got ${flags.chunkSize}`),
      )
    const maxCost = flags.maxCost ?? DEFAULT_MAX_COST
    if (!Number.isFinite(maxCost) || maxCost < 0)
      return yield* Effect.fail(
        new UsageError(`--max-cost: must be an amount in EUR, 0 or more, got ${maxCost}`),
      )
    const stdinUses = [...flags.to, ...flags.toFile].filter((v) => v === "-").length
    if (stdinUses > 1) return yield* Effect.fail(new UsageError("stdin (-) can be read only once"))
    // A dry run in JSON lists every invalid row; a text summary shows the first few.
    const keep = flags.dryRun && flags.json ? Number.POSITIVE_INFINITY : SHOWN
    const rows = yield* fromPromise(() =>
      readRecipients({ to: flags.to, files: flags.toFile, column: flags.column, keep }),
    )
    const recipients = rows.collector.finish()
    if (recipients.counts.read === 0)
      return yield* Effect.fail(
        new UsageError("no recipients: give --to, --to-file FILE or --to -"),
      )
    const now = yield* Clock.currentTimeMillis
    const planned = planBulk(kind, recipients, {
      now,
      policy: policyFromEnv(),
      chunkSize: flags.chunkSize,
    })
    const gateway = throughGateway(flags)
    const view: PlanView = {
      endpoint: kind.endpoint,
      recipients,
      sources: rows.sources,
      dryRun: flags.dryRun,
      gateway,
    }
    if (Result.isFailure(planned)) {
      const failure = planned.failure
      // The message is wrong: say which field. Only the list is: show what became of it.
      if (recipients.size > 0) return yield* Effect.fail(failure)
      const messageIssues = failure.issues.filter((i) => i.field !== "phoneNumbers")
      if (messageIssues.length > 0)
        return yield* Effect.fail(ValidationError.fromIssues(messageIssues))
      if (!flags.dryRun) err(renderPlan(view))
      else if (flags.json) yield* writeAll(planJsonText(view))
      else out(renderPlan(view))
      return yield* Effect.fail(
        new UsageError(
          flags.dryRun
            ? "no valid recipient: nothing would be sent"
            : "no valid recipient to send to",
        ),
      )
    }
    const plan = planned.success
    const shown = { ...view, plan }
    if (flags.dryRun) {
      if (flags.json) yield* writeAll(planJsonText(shown))
      else {
        out(renderPlan(shown, { list: flags.list }))
        if (flags.list === true) yield* writeAll(lines(numberLines(recipients)))
      }
      return ExitCode.Ok
    }
    // A real send shows the same plan first, then asks when it must.
    err(renderPlan(shown))
    const reasons = reasonsToConfirm(plan, maxCost)
    if (reasons.length > 0 && flags.yes !== true) {
      const stdinTaken = stdinUses > 0 || flags.stdinTaken === true
      if (!canAsk(stdinTaken)) {
        const why = stdinTaken
          ? "stdin holds the input, so nothing can be asked"
          : "on a terminal you would be asked"
        err(
          `not sent: this send needs a confirmation — ${reasons.join("; ")}. Pass --yes to send anyway (${why}).`,
        )
        return ExitCode.Usage
      }
      for (const r of reasons) err(`  ${r}`)
      const yes = yield* ask("Send anyway? [y/N] ")
      if (!yes) {
        err("not sent.")
        return ExitCode.Usage
      }
    }
    const connection = yield* attempt(() => connect(flags))
    const summary = yield* execute(plan, flags, connection.gateway).pipe(
      Effect.provide(connection.layer),
    )
    return report(summary, flags, {
      endpoint: plan.endpoint,
      gateway: connection.gateway,
      replays: connection.replays.count,
      audio: plan.request.tokenAudio,
      sender: plan.endpoint === "campaign/send" ? plan.request.sender : undefined,
    })
  })

/** Runs the plan with progress on stderr (or NDJSON with `--json --progress`); Ctrl-C stops it. */
const execute = (plan: BulkPlan, flags: SendFlags, gateway: boolean) =>
  Effect.gen(function* () {
    const controller = new AbortController()
    const onSigint = () => {
      err("\nstopping after the request in flight…")
      controller.abort()
    }
    const tty = process.stderr.isTTY === true && !flags.json
    const color = tty && process.env.NO_COLOR === undefined
    const onProgress = (event: BulkEvent) =>
      Effect.sync(() => {
        const now = Date.now()
        if (flags.json) {
          if (flags.progress)
            out(
              JSON.stringify(
                event._tag === "Stopped"
                  ? { event: event._tag, reason: describeFailure(event.reason), ...event.progress }
                  : { event: event._tag, chunk: event.chunk, ...event.progress },
              ),
            )
        } else if (tty) process.stderr.write(progressBar(event, now, color))
        else err(progressLine(event, now))
      })
    const summary = yield* Effect.acquireUseRelease(
      Effect.sync(() => process.once("SIGINT", onSigint)),
      () =>
        runBulkPlan(plan, {
          signal: controller.signal,
          onProgress,
          // Through the gateway, a re-run of the same command replays instead of resending.
          idempotencyKey: gateway
            ? idempotencyKeys(plan, flags.resend === true ? freshNonce() : undefined)
            : undefined,
        }),
      () => Effect.sync(() => process.off("SIGINT", onSigint)),
    )
    if (tty) process.stderr.write("\n")
    return summary
  })

const plural = (n: number, one: string, many = `${one}s`) =>
  `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`

/** The summary of a send: one line of what went out, why it stopped (once), what was not sent. */
const report = (
  summary: BulkSummary,
  flags: SendFlags,
  context: FailureContext & { readonly replays: number },
): ExitCode => {
  const notSent = [...summary.failed.flatMap((c) => c.numbers), ...summary.notAttempted]
  if (notSent.length > 0) writeFileSync(flags.failedOut, `${notSent.join("\n")}\n`)
  const stop = summary.stoppedBy
  const fatal = stop !== undefined && willNotImprove(stop)
  const code = fatal ? ExitCode.Upstream : notSent.length > 0 ? ExitCode.Partial : ExitCode.Ok
  const reason = stop === undefined ? undefined : explainStop(stop, context)
  // Failed chunks whose numbers may have gone out anyway (a dropped connection, a 5xx).
  const unknown = summary.failed.filter((c) => !nothingWasSent(c.error))
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
          error: describeFailure(c.error),
          mayHaveBeenSent: !nothingWasSent(c.error),
        })),
        notAttempted: summary.notAttempted,
        stopped: summary.stopped,
        stoppedBy: stop === undefined ? null : describeFailure(stop),
        stopReason: reason ?? null,
        replayed: context.replays,
        retryFile: notSent.length > 0 ? flags.failedOut : null,
      }),
    )
    return code
  }
  out(
    `sent ${summary.numbersSent} numbers in ${summary.sent.length} request(s), cost ${costText(summary.costByCurrency)}; campaigns: ${summary.campaignIds.join(", ") || "none"}`,
  )
  if (context.replays > 0)
    err(
      `${plural(context.replays, "request was", "requests were")} answered by the gateway from an earlier run of this command (same Idempotency-Key within 24 h): nothing was sent again for them — pass --resend to send again`,
    )
  for (const c of summary.failed) {
    // The failure that stopped the send is said once, below.
    if (c.error === stop && fatal) continue
    const maybe = nothingWasSent(c.error)
      ? ""
      : " (they may have gone out: check before sending them again)"
    err(
      `chunk ${c.chunk + 1} FAILED: ${describeFailure(c.error)} — ${plural(c.numbers.length, "number")} not sent${maybe}`,
    )
  }
  if (fatal) err(`stopped: ${reason}`)
  else if (summary.stopped)
    err(`stopped: ${plural(summary.notAttempted.length, "number")} not attempted`)
  if (notSent.length > 0)
    err(
      `${plural(notSent.length, "number")} not sent, written to ${flags.failedOut}${unknown.length > 0 ? " (with those whose outcome is unknown)" : ""} — send them with --to-file ${flags.failedOut}`,
    )
  return code
}
