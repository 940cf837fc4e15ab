/**
 * The values a broadcast is made of, as the route, the `BroadcastObject` and its concerns
 * exchange them (RPC arguments and answers: plain, structured-cloneable data).
 */

/** What a broadcast sends: a voicemail drop or a text-to-speech voice SMS. */
export type BroadcastType = "voicemail" | "tts"

/** The upstream endpoint of each type. */
export const endpointOf = (type: BroadcastType): "campaign/send" | "tts/send" =>
  type === "voicemail" ? "campaign/send" : "tts/send"

/**
 * - `scheduled`: waiting for its `startAt`;
 * - `running`: chunks are being sent, one per free quota slot;
 * - `paused`: no chunk is sent until `resume` (by the client, or because of an error that
 *   will not get better by itself: see `pauseReason`);
 * - `completed`: every chunk has an outcome (`sent`, `failed` or `unknown`);
 * - `cancelled`: stopped for good; chunks not sent yet stay `pending`, never sent.
 */
export type BroadcastStatus = "scheduled" | "running" | "paused" | "completed" | "cancelled"

/**
 * A chunk (at most 500 recipients, one upstream request):
 * - `pending`: not sent yet (or refused with certainty that nothing went out: tried again);
 * - `in_flight`: its request is leaving or has left, no answer yet;
 * - `sent`: the upstream accepted it (campaign id, cost);
 * - `failed`: the upstream refused it, nothing went out (`POST …/retry` sends it again);
 * - `unknown`: the request may have gone out but no answer came (timeout, dropped
 *   connection, the gateway restarted mid-request): NEVER sent again automatically.
 */
export type ChunkState = "pending" | "in_flight" | "sent" | "failed" | "unknown"

export const CHUNK_STATES: ReadonlyArray<ChunkState> = [
  "pending",
  "in_flight",
  "sent",
  "failed",
  "unknown",
]

/** A recipient kind as `normalizeRecipients` tells it (a voicemail drop rings landlines). */
export type RecipientKind = "mobile" | "landline" | "other"

/**
 * A recipient that could not be read, where it stood: its 1-based row (the position in a
 * JSON `recipients` array; the line of the file in a CSV upload, the header being line 1).
 */
export interface InvalidRow {
  readonly row: number
  readonly input: string
  readonly reason: string
}

/** What the recipient list holds, before anything is sent. */
export interface RecipientCounts {
  /** Rows given. */
  readonly total: number
  /** Distinct valid numbers: what is sent. */
  readonly valid: number
  /** Rows repeating an earlier number (after normalisation): not sent again. */
  readonly duplicates: number
  /** Rows with nothing in them (an empty string, a blank CSV row or cell): skipped. */
  readonly empty: number
  readonly mobile: number
  readonly landline: number
  readonly other: number
  /** The first 100 invalid rows. */
  readonly invalid: ReadonlyArray<InvalidRow>
  readonly invalidCount: number
}

/** Something accepted but worth knowing (a clamped speech rate, landlines that ring). */
export interface PlanWarning {
  readonly field: string
  readonly message: string
}

/**
 * What a broadcast would cost, from core's price table (`PRICES`, EUR): an ESTIMATE — what
 * the provider charges is its answer to each chunk (`cost` of the broadcast's status).
 */
export interface CostEstimate {
  readonly amount: number
  readonly currency: string
  /** Always `true`: computed from a price table, not charged. */
  readonly estimate: true
  /**
   * What a voice SMS is billed on: the seconds of speech of its text (billed per started
   * 30 s); `null` for a voicemail drop (per message) or an audio file (one 30 s unit).
   */
  readonly secondsPerMessage: number | null
}

/**
 * What a broadcast will do, computed before anything is stored or sent: a dry run answers
 * it, a created broadcast keeps it.
 */
export interface BroadcastPlan {
  readonly recipients: RecipientCounts
  /** Upstream requests (chunks of at most 500). */
  readonly requests: number
  /** When the last request should leave under the quota policy (ISO), if nothing else uses it. */
  readonly estimatedEndAt: string
  /** From core's price table and the valid numbers' countries: an estimate. */
  readonly estimatedCost: CostEstimate
  readonly warnings: ReadonlyArray<PlanWarning>
}

/** What the upstream body of every chunk holds besides its numbers and callback URL. */
export type BroadcastMessage = Readonly<Record<string, string | number>>

/** A broadcast as the route creates it in its object. */
export interface BroadcastSpec {
  readonly id: string
  readonly clientId: string
  readonly type: BroadcastType
  /** The canonical upstream body without `phoneNumbers` and `notifyUrl` (core's encoding). */
  readonly message: BroadcastMessage
  /** Where the provider's callbacks are forwarded (else the client's webhook). */
  readonly notifyUrl: string | undefined
  readonly name: string | undefined
  /** Epoch ms; `undefined`: as soon as created. */
  readonly startAt: number | undefined
  readonly createdAt: number
  readonly plan: BroadcastPlan
  /** The broadcast whose failed chunks this one sends again. */
  readonly retryOf: string | undefined
}

/** A batch of recipients, as parallel arrays: 1-based rows, E.164 numbers, kinds. */
export interface RecipientBatch {
  /** Position of the batch's first recipient among the valid ones (0-based): its chunk. */
  readonly first: number
  readonly rows: ReadonlyArray<number>
  readonly e164: ReadonlyArray<string>
  readonly kinds: ReadonlyArray<RecipientKind>
}

/** Why a broadcast is paused. */
export interface PauseReason {
  /** The upstream's code (`NOT_CREDIT`, `10`, …) or the gateway's (`PAUSED_BY_CLIENT`, …). */
  readonly code: string
  readonly message: string
  readonly at: string
}

/** Chunks per state, and the total. */
export type ChunkCounts = Readonly<
  Record<"total" | "inFlight" | Exclude<ChunkState, "in_flight">, number>
>

/** What `GET /v1/broadcasts` lists of each broadcast. */
export interface BroadcastBrief {
  readonly id: string
  readonly name: string | null
  readonly type: BroadcastType
  readonly status: BroadcastStatus
  readonly createdAt: string
  readonly startAt: string | null
  readonly recipients: number
  readonly chunks: ChunkCounts
  readonly pauseReason: PauseReason | null
  readonly retryOf: string | null
}

/** What `GET /v1/broadcasts/:id` shows. */
export interface BroadcastSummary extends BroadcastBrief {
  readonly startedAt: string | null
  readonly completedAt: string | null
  readonly cancelledAt: string | null
  readonly notifyUrl: string | null
  /** Recipients by the outcome of their chunk, with the plan's counts. */
  readonly recipientCounts: RecipientCounts &
    Readonly<Record<"sent" | "failed" | "unknown" | "pending" | "inFlight", number>>
  /** From the provider's callbacks, as far as the gateway has received them. */
  readonly delivery: {
    readonly delivered: number
    readonly undelivered: number
    readonly pending: number
  }
  /** What the sent chunks cost, as the upstream answered. */
  readonly cost: { readonly amount: number; readonly currency: string | null }
  /** When the last chunk should leave (ISO); `null` once nothing is left to send or while paused. */
  readonly estimatedEndAt: string | null
  readonly plan: BroadcastPlan
}

/** One recipient's outcome, as `GET …/recipients` and the CSV report show it. */
export interface RecipientOutcome {
  readonly row: number
  readonly phoneNumber: string
  readonly kind: RecipientKind
  readonly chunk: number
  readonly status: ChunkState
  readonly campaignId: string | null
  /** Voice SMS only, from the per-number callbacks: `pending`, `delivered`, `undelivered`. */
  readonly delivery: string | null
  readonly error: string | null
}

/** A page of recipients; `nextCursor` (a row number) is `null` on the last page. */
export interface RecipientPage {
  readonly recipients: ReadonlyArray<RecipientOutcome>
  readonly nextCursor: string | null
}

/** What a control action (`pause`, `resume`, `cancel`) did. */
export type ControlOutcome =
  | { readonly kind: "done"; readonly summary: BroadcastSummary }
  | { readonly kind: "conflict"; readonly status: BroadcastStatus }

/** What `claimRetry` found: the spec to copy and how many recipients are claimed. */
export type RetryClaim =
  | {
      readonly kind: "claimed"
      readonly type: BroadcastType
      readonly message: BroadcastMessage
      readonly notifyUrl: string | undefined
      readonly name: string | undefined
      readonly recipients: number
      readonly kinds: Readonly<Record<RecipientKind, number>>
      /** The claimed recipients per first three digits of their number (for the estimate). */
      readonly byPrefix: Readonly<Record<string, number>>
    }
  | { readonly kind: "nothing" }
