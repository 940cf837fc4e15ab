import { createInterface } from "node:readline"
import type { BulkPlan } from "@voicepartner/core/plan/BulkPlan"
import * as Effect from "effect/Effect"

/** `--max-cost` when none is given, in EUR. */
export const DEFAULT_MAX_COST = 200

const thousands = (n: number): string => n.toLocaleString("en-US")

/**
 * Why a send must be confirmed before it goes: a voicemail drop that rings landlines, an
 * estimated cost above `maxCost`. Empty when it need not be.
 *
 * @example
 * ```ts
 * import * as Result from "effect/Result"
 * import { planBulk } from "@voicepartner/core/plan/BulkPlan"
 * import { collectRecipients } from "@voicepartner/core/plan/RecipientCollector"
 *
 * const plan = planBulk(
 *   {
 *     endpoint: "campaign/send",
 *     message: { tokenAudio: "dev-audio", emailForNotification: "ops@example.com" },
 *   },
 *   collectRecipients(["0612345678", "0145678901", "0298765432"]),
 *   { now: Date.now() },
 * )
 * if (Result.isSuccess(plan)) reasonsToConfirm(plan.success, 200)
 * // ["2 landlines would ring (a voicemail drop rings landlines; only mobiles go straight to voicemail)"]
 * ```
 */
export const reasonsToConfirm = (plan: BulkPlan, maxCost: number): ReadonlyArray<string> => {
  const reasons: Array<string> = []
  const landlines = plan.recipients.kinds.landline
  if (plan.endpoint === "campaign/send" && landlines > 0)
    reasons.push(
      `${thousands(landlines)} landline${landlines === 1 ? "" : "s"} would ring (a voicemail drop rings landlines; only mobiles go straight to voicemail)`,
    )
  if (plan.cost.amount > maxCost)
    reasons.push(
      `the estimated cost, ${plan.cost.amount.toFixed(2)} ${plan.cost.currency}, is above --max-cost ${maxCost.toFixed(2)} ${plan.cost.currency}`,
    )
  return reasons
}

/** Where a question can be asked: stdin and stderr are a terminal, and stdin holds no input. */
export const canAsk = (stdinTaken: boolean): boolean =>
  !stdinTaken && process.stdin.isTTY === true && process.stderr.isTTY === true

/**
 * Asks on the terminal (the question on stderr, the answer from stdin) whether to send:
 * `y` or `yes` sends; anything else, Enter, Ctrl-C or Ctrl-D does not.
 */
export const ask = (question: string): Effect.Effect<boolean> =>
  Effect.callback<boolean>((resume) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true })
    let answered = false
    const done = (yes: boolean) => {
      if (answered) return
      answered = true
      rl.close()
      process.stdin.pause()
      resume(Effect.succeed(yes))
    }
    rl.on("SIGINT", () => {
      process.stderr.write("\n")
      done(false)
    })
    rl.on("close", () => done(false))
    rl.question(question, (answer) => done(/^\s*y(es)?\s*$/i.test(answer)))
    return Effect.sync(() => rl.close())
  })
