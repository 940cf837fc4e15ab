import * as Schema from "effect/Schema"
import type {
  BroadcastBrief,
  BroadcastPlan,
  BroadcastSummary,
  ChunkCounts,
  CostEstimate,
  InvalidRow,
  PauseReason,
  PlanWarning,
  RecipientCounts,
  RecipientOutcome,
  RecipientPage,
} from "../broadcast/broadcastTypes.js"
import { CHUNK_STATES } from "../broadcast/broadcastTypes.js"
import { LISTED_INVALID } from "../broadcast/recipientPlan.js"
import { fromEffect } from "./fromEffect.js"

/**
 * What the broadcast routes ANSWER, as Effect schemas read by `fromEffect` like the rest of
 * the document's answers. The gateway builds those answers from the interfaces of
 * `src/broadcast/broadcastTypes.ts` (plain data, exchanged with the broadcasts' Durable
 * Objects); each schema here is tied to its interface by {@link mirroring}, so that the
 * type-check fails as soon as a field is added, removed or retyped on one side only. The
 * wrappers the routes add (`success`, `dryRun`, `id`…) are written here;
 * `test/openapiAnswers.test.ts` checks real answers against the document with every field
 * documented (closed), so a field a route adds cannot go unnoticed either.
 */

/** Whether `A` and `B` hold the same values (each assignable to the other). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false

/**
 * The schema, once TypeScript agrees that its values are exactly those of `T`: else the
 * call wants a second argument (of type `never`) and does not compile.
 */
const mirroring =
  <T>() =>
  <S extends Schema.Top>(schema: S, ..._differs: Same<S["Type"], T> extends true ? [] : [never]) =>
    schema

const Count = Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))
const count = (description: string) => Count.annotate({ description })
/** A 1-based row: the position in a JSON `recipients` array, the line of a CSV upload. */
const Row = Schema.Int.check(Schema.isGreaterThanOrEqualTo(1))
const DateTime = Schema.String.annotate({ format: "date-time" })
const NullableDateTime = Schema.NullOr(Schema.String).annotate({ format: "date-time" })
const NullableString = Schema.NullOr(Schema.String)

/** A broadcast's id, as `broadcastIds.ts` makes them (`test/openapi.test.ts` checks it). */
const BroadcastId = Schema.String.check(Schema.isPattern(/^bc_[0-9a-f]{24}$/u))
const BroadcastType = Schema.Literals(["voicemail", "tts"])
const BroadcastStatus = Schema.Literals([
  "scheduled",
  "running",
  "paused",
  "completed",
  "cancelled",
]).annotate({
  description:
    "`scheduled`: waiting for its `startAt`; `running`: sending, one chunk per free quota slot; `paused`: nothing is sent until `resume` (by the client, or an error that will not get better by itself: `pauseReason`); `completed`: every chunk has an outcome; `cancelled`: stopped for good, chunks not sent yet never are.",
})
const RecipientKind = Schema.Literals(["mobile", "landline", "other"])

/** The shared `Warning` component (`openApiDocument.ts`): a reference wherever it is used. */
const Warning = mirroring<PlanWarning>()(
  Schema.Struct({ field: Schema.String, message: Schema.String }).annotate({
    identifier: "Warning",
  }),
)

const InvalidRowSchema = mirroring<InvalidRow>()(
  Schema.Struct({
    row: Row.annotate({
      description:
        "1-based: the position in the JSON `recipients` array, or the line of the CSV file (the header is line 1).",
    }),
    input: Schema.String.annotate({
      description: "The row as given, its first 40 characters (then `…`).",
    }),
    reason: Schema.String,
  }),
)

const recipientCountFields = {
  total: count("Rows given (blank ones included)."),
  valid: count("Distinct valid numbers: what is sent."),
  duplicates: count("Rows repeating an earlier number (once normalised): not sent again."),
  empty: count("Rows with nothing in them (an empty string, a blank CSV row or cell): skipped."),
  mobile: Count,
  landline: count("A voicemail drop rings landlines."),
  other: Count,
  invalid: Schema.Array(InvalidRowSchema)
    .check(Schema.isMaxLength(LISTED_INVALID))
    .annotate({ description: `The first ${LISTED_INVALID} invalid rows (\`invalidCount\`: all).` }),
  invalidCount: count("Rows that are not a phone number."),
}

const RecipientCountsSchema = mirroring<RecipientCounts>()(Schema.Struct(recipientCountFields))

const CostEstimateSchema = mirroring<CostEstimate>()(
  Schema.Struct({
    amount: Schema.Number.check(Schema.isGreaterThanOrEqualTo(0)).annotate({
      description: "For the distinct valid numbers of each country, rounded to the cent.",
    }),
    currency: Schema.String.annotate({ description: "Core's price table's: `EUR`." }),
    estimate: Schema.Literal(true).annotate({
      description:
        "Always `true`: from a price table, not charged; what the provider charges is its answer to each chunk (the broadcast's `cost`).",
    }),
    secondsPerMessage: Schema.NullOr(Schema.Int.check(Schema.isGreaterThanOrEqualTo(1))).annotate({
      description:
        "What a voice SMS of a text is billed on: its seconds of speech at its speech rate (billed per started 30 s); `null` for a voicemail drop (per message) or an audio file (one 30 s unit).",
    }),
  }).annotate({
    description: "What the broadcast would cost, from core's price table (`PRICES`): an ESTIMATE.",
  }),
)

const Plan = mirroring<BroadcastPlan>()(
  Schema.Struct({
    recipients: RecipientCountsSchema,
    requests: count("Upstream requests: chunks of at most 500 numbers."),
    estimatedEndAt: DateTime.annotate({
      description:
        "When the last request should leave under the quota policy, if nothing else uses it.",
    }),
    estimatedCost: CostEstimateSchema,
    warnings: Schema.Array(Warning).annotate({
      description:
        "What was accepted but is worth knowing: a clamped speech rate, landlines that will ring, a text ignored for an audio file. `field` names the field as the request did: `message.speechRate`, `recipients`; in a CSV upload, the query parameter (`speechRate`) or `body` for the recipients.",
    }),
  }).annotate({
    identifier: "BroadcastPlan",
    description:
      "What a broadcast will do, computed before anything is stored or sent: a dry run answers it, a created broadcast keeps it.",
  }),
)

const Chunks = mirroring<ChunkCounts>()(
  Schema.Struct({
    total: Count,
    pending: count("Not sent yet."),
    inFlight: count("Their request left; no answer yet."),
    sent: count("Accepted by the provider."),
    failed: count("Refused, nothing went out: `POST …/retry` sends them again."),
    unknown: count(
      "May have gone out, no answer came: never sent again by the gateway (`…/retry?includeUnknown=true` does).",
    ),
  }).annotate({ description: "Chunks (upstream requests of at most 500 numbers) by state." }),
)

const Pause = mirroring<PauseReason>()(
  Schema.Struct({
    code: Schema.String.annotate({
      description:
        "`PAUSED_BY_CLIENT`, the upstream's code (`NOT_CREDIT`, …) or the gateway's (`GATEWAY_MISCONFIGURED`, `CLIENT_NOT_ALLOWED`).",
    }),
    message: Schema.String,
    at: DateTime,
  }),
)

const briefFields = {
  id: BroadcastId,
  name: NullableString,
  type: BroadcastType,
  status: BroadcastStatus,
  createdAt: DateTime,
  startAt: NullableDateTime,
  recipients: count("Valid recipients: what is sent."),
  chunks: Chunks,
  pauseReason: Schema.NullOr(Pause).annotate({ description: "Why it is paused; else `null`." }),
  retryOf: NullableString.annotate({
    description: "The broadcast whose failed chunks this one sends again.",
  }),
}

const Brief = mirroring<BroadcastBrief>()(Schema.Struct(briefFields))

const recipientsByOutcome = {
  sent: Count,
  failed: Count,
  unknown: Count,
  pending: Count,
  inFlight: Count,
}

const Summary = mirroring<BroadcastSummary>()(
  Schema.Struct({
    ...briefFields,
    startedAt: NullableDateTime,
    completedAt: NullableDateTime,
    cancelledAt: NullableDateTime,
    notifyUrl: NullableString.annotate({
      description: "Where the provider's callbacks are forwarded (`null`: the client's webhook).",
    }),
    recipientCounts: Schema.Struct({ ...recipientCountFields, ...recipientsByOutcome }).annotate({
      description: "The plan's counts, and the valid recipients by the state of their chunk.",
    }),
    delivery: Schema.Struct({
      delivered: Count,
      undelivered: Count,
      pending: count("Recipients of sent chunks with no final status yet."),
    }).annotate({
      description:
        "From the provider's callbacks as the gateway has received them (each read brings in those of up to 50 chunks).",
    }),
    cost: Schema.Struct({
      amount: Schema.Number.check(Schema.isGreaterThanOrEqualTo(0)),
      currency: NullableString.annotate({ description: "`null` while no chunk was sent." }),
    }).annotate({ description: "What the sent chunks cost, as the provider answered." }),
    estimatedEndAt: NullableDateTime.annotate({
      description:
        "When the last chunk should leave under the quota policy; `null` once nothing is left to send, or while paused.",
    }),
    plan: Plan,
  }),
)

const Recipient = mirroring<RecipientOutcome>()(
  Schema.Struct({
    row: Row.annotate({
      description: "1-based row of the request's list (the line of a CSV upload).",
    }),
    phoneNumber: Schema.String.annotate({ description: "E.164." }),
    kind: RecipientKind,
    chunk: count("0-based chunk (upstream request) the recipient is in."),
    status: Schema.Literals(CHUNK_STATES).annotate({ description: "Its chunk's state." }),
    campaignId: NullableString.annotate({ description: "Its chunk's campaign id, once sent." }),
    delivery: NullableString.annotate({
      description:
        "Voice SMS only, from the per-number callbacks: `pending`, `delivered`, `undelivered`.",
    }),
    error: NullableString.annotate({ description: "Why its chunk was not sent (else `null`)." }),
  }),
)

const Page = mirroring<RecipientPage>()(
  Schema.Struct({
    recipients: Schema.Array(Recipient),
    nextCursor: NullableString.annotate({
      description: "`cursor` of the next page; `null` on the last.",
    }),
  }),
)

const ok = { success: Schema.Literal(true) }

/** Components whose schemas refer to each other. */
const refs = ["Warning", "BroadcastPlan"]

/** The broadcasts' answer components. */
export const broadcastAnswerSchemas: Readonly<Record<string, unknown>> = {
  BroadcastPlan: fromEffect(Plan, { refs }),
  BroadcastPlanAnswer: fromEffect(
    Schema.Struct({ ...ok, dryRun: Schema.Literal(true), plan: Plan }).annotate({
      description: "A dry run: the plan; nothing stored or sent.",
    }),
    { refs },
  ),
  BroadcastCreated: fromEffect(
    Schema.Struct({
      ...ok,
      id: BroadcastId,
      status: BroadcastStatus,
      retryOf: Schema.optionalKey(
        Schema.String.annotate({ description: "A retry's: the broadcast it retries." }),
      ),
      plan: Plan,
    }),
    { refs },
  ),
  BroadcastList: fromEffect(
    Schema.Struct({
      ...ok,
      broadcasts: Schema.Array(Brief).annotate({ description: "Newest first." }),
      nextCursor: NullableString.annotate({
        description: "`cursor` of the next page; `null` on the last.",
      }),
    }),
    { refs },
  ),
  Broadcast: fromEffect(Schema.Struct({ ...ok, ...Summary.fields }), { refs }),
  BroadcastRecipients: fromEffect(Schema.Struct({ ...ok, ...Page.fields }), { refs }),
}
