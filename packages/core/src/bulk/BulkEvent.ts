import type { CallError } from "../internal/http/execute.js"

/** Where a bulk send stands; carried by every progress event. */
export interface BulkProgress {
  readonly chunksTotal: number
  readonly chunksDone: number
  readonly numbersTotal: number
  readonly numbersSent: number
  readonly numbersFailed: number
  /** Cost so far, by currency (`{ EUR: 12.5 }`). */
  readonly costByCurrency: Readonly<Record<string, number>>
  /** Estimated instant (epoch ms) the last chunk will be sent, under the rate limits. */
  readonly etaAt: number
}

/**
 * What a bulk send reports as it goes.
 *
 * @example
 * ```ts
 * const onProgress = (event: BulkEvent) => console.log(event._tag, event.progress.numbersSent)
 * ```
 */
export type BulkEvent =
  | {
      readonly _tag: "ChunkStarted"
      readonly chunk: number
      readonly size: number
      readonly progress: BulkProgress
    }
  | {
      readonly _tag: "ChunkSent"
      readonly chunk: number
      readonly campaignId: string
      readonly numbers: ReadonlyArray<string>
      readonly progress: BulkProgress
    }
  | {
      /** A failure that will not improve stopped the send: the chunks left are not sent. */
      readonly _tag: "Stopped"
      readonly reason: CallError
      readonly progress: BulkProgress
    }
  | {
      readonly _tag: "ChunkFailed"
      readonly chunk: number
      readonly numbers: ReadonlyArray<string>
      readonly error: CallError
      readonly progress: BulkProgress
    }
