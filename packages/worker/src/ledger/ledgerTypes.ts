import * as Schema from "effect/Schema"

/** What the ledger does with a request carrying an `Idempotency-Key`. */
export type IdempotencyDecision =
  | { readonly kind: "proceed" }
  | { readonly kind: "replay"; readonly status: number; readonly body: string }
  | { readonly kind: "mismatch" }
  | { readonly kind: "inFlight" }

const Optional = <S extends Schema.Top>(schema: S) => Schema.UndefinedOr(schema)

/** How a send ended, as recorded for `GET /v1/campaigns/:id`. */
export const SendRecord = Schema.Struct({
  sendId: Schema.String,
  endpoint: Schema.Literals(["tts/send", "campaign/send"]),
  createdAt: Schema.Number,
  recipients: Schema.Number,
  /** `sent`: upstream accepted; `refused`: upstream answered an error; `unknown`: no answer. */
  outcome: Schema.Literals(["sent", "refused", "unknown"]),
  status: Schema.Number,
  campaignId: Optional(Schema.String),
  cost: Optional(Schema.Number),
  currency: Optional(Schema.String),
  scheduledDate: Optional(Schema.String),
  error: Optional(Schema.String),
})
export type SendRecord = typeof SendRecord.Type

/** A provider callback, normalised, ready to store and forward. */
export interface CallbackEvent {
  readonly sendId: string
  readonly campaignId: string
  /** E.164 for voice SMS; empty for a voicemail drop (campaign-level). */
  readonly phoneNumber: string
  readonly status: string
  /** The webhook `type`: `tts.status` or `voicemail.status`. */
  readonly type: string
  /** The `data` object forwarded to the client. */
  readonly data: Readonly<Record<string, unknown>>
  /** The client's `notifyUrl` for this send, if it gave one. */
  readonly forwardTo: string | undefined
}

/**
 * What `ClientLedger.recordEvent` did with a callback:
 * - `stored`: a new event, forwarding scheduled;
 * - `duplicate`: this send already has this (number, status): nothing new;
 * - `campaignMismatch`: the send is recorded with another campaign id: refused, nothing stored;
 * - `sendNotRecorded`: no send with this id yet (the provider may call back before the
 *   gateway has recorded the send's answer): nothing stored, the provider should retry.
 */
export type RecordEventOutcome =
  | { readonly kind: "stored" }
  | { readonly kind: "duplicate" }
  | { readonly kind: "campaignMismatch" }
  | { readonly kind: "sendNotRecorded" }

/** One forwarding of an event to a webhook. */
export const DeliveryView = Schema.Struct({
  url: Schema.String,
  state: Schema.Literals(["pending", "delivered", "failed", "disabled", "unconfigured"]),
  attempts: Schema.Number,
  lastStatus: Optional(Schema.Number),
  nextAttemptAt: Optional(Schema.String),
})
export type DeliveryView = typeof DeliveryView.Type

/** An event as shown by `GET /v1/campaigns/:id`. */
export const EventView = Schema.Struct({
  id: Schema.String,
  type: Schema.String,
  phoneNumber: Schema.String,
  status: Schema.String,
  receivedAt: Schema.String,
  data: Schema.Record(Schema.String, Schema.Unknown),
  delivery: Optional(DeliveryView),
})
export type EventView = typeof EventView.Type

/** What the gateway knows about a send and its callbacks. */
export const CampaignView = Schema.Struct({
  send: Optional(SendRecord),
  events: Schema.Array(EventView),
})
export type CampaignView = typeof CampaignView.Type

/** The body of a forwarded event (Standard Webhooks' recommended envelope). */
export const WebhookEvent = Schema.Struct({
  type: Schema.Literals([
    "tts.status",
    "voicemail.status",
    "broadcast.paused",
    "broadcast.completed",
    "broadcast.progress",
  ]),
  timestamp: Schema.String,
  data: Schema.Record(Schema.String, Schema.Unknown),
})
export type WebhookEvent = typeof WebhookEvent.Type

/** An event of the gateway's own (a broadcast's), forwarded like the provider's. */
export interface GatewayEvent {
  /** Who it is about: the broadcast's id. */
  readonly subject: string
  readonly type: "broadcast.paused" | "broadcast.completed" | "broadcast.progress"
  /** Makes the event unique for its subject: a second one with the same key is a duplicate. */
  readonly key: string
  readonly data: Readonly<Record<string, unknown>>
  /** The broadcast's own `notifyUrl`; absent: the client's configured webhook. */
  readonly forwardTo: string | undefined
}
