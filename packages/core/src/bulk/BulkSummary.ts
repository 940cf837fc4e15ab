import type { CallError } from "../internal/http/execute.js"
import type { RecipientList } from "../phone/normalizeRecipients.js"

/** A chunk the upstream accepted. */
export interface SentChunk {
  readonly chunk: number
  readonly campaignId: string
  readonly numbers: ReadonlyArray<string>
  readonly cost: number
  readonly currency: string
}

/** A chunk that failed: its numbers were not sent (or, for an ambiguous transport failure, may have been — see `error.reason`). */
export interface FailedChunk {
  readonly chunk: number
  readonly numbers: ReadonlyArray<string>
  readonly error: CallError
}

/**
 * The outcome of a bulk send: every valid recipient is in exactly one of the sent
 * chunks, the failed chunks, or `notAttempted` (stopped before its turn).
 *
 * @example
 * ```ts
 * import { writeFile } from "node:fs/promises"
 * import type { BulkSummary } from "@voicepartner/core"
 *
 * declare const summary: BulkSummary
 * const retry = summary.failed.flatMap((c) => c.numbers)
 * if (retry.length > 0) await writeFile("retry.txt", retry.join("\n"))
 * ```
 */
export interface BulkSummary {
  readonly requests: number
  readonly numbersSent: number
  readonly sent: ReadonlyArray<SentChunk>
  readonly failed: ReadonlyArray<FailedChunk>
  readonly notAttempted: ReadonlyArray<string>
  readonly costByCurrency: Readonly<Record<string, number>>
  readonly campaignIds: ReadonlyArray<string>
  /** True when the send ended early: a stop signal, or a failure that will not improve. */
  readonly stopped: boolean
  /** The failure that stopped it (no credit, wrong key, unknown audio…), if one did. */
  readonly stoppedBy?: CallError | undefined
  /**
   * The normalised list (kinds, duplicates removed, invalid entries skipped) when the
   * bulk send validated one (`sendTtsBulk`, `sendCampaignBulk`); absent when a plan was
   * run (`runBulkPlan`): the plan's `recipients` hold that accounting.
   */
  readonly recipients?: RecipientList | undefined
}
