import { CHUNK_STATES } from "../broadcast/broadcastTypes.js"
import { MAX_BROADCAST_BODY_BYTES } from "../routes/broadcastRoutes.js"
import {
  BroadcastTtsMessage,
  BroadcastVoicemailMessage,
  broadcastFields,
} from "./requestSchemas.js"
import { answer, errors, failure, parameterRef, schemaRef } from "./responses.js"

/**
 * THE place where the broadcasts' part of the OpenAPI document lives: their component
 * schemas (`broadcastSchemas`) and their paths (`broadcastPaths`), which
 * `openApiDocument.ts` merges in. The request schema is built from the send schemas of
 * `requestSchemas.ts` (a broadcast's message is a send's); the answers are written from
 * `src/broadcast/broadcastTypes.ts`. Whoever changes a broadcast route or type changes this
 * file: `test/openapi.test.ts` fails while a route of the app is undocumented, and
 * `test/openapiAnswers.test.ts` while a real answer does not match its schema.
 */

type Json = Readonly<Record<string, unknown>>

const count = { type: "integer", minimum: 0 }
const nullableString = { type: ["string", "null"] }
const dateTime = { type: "string", format: "date-time" }
const nullableDateTime = { type: ["string", "null"], format: "date-time" }

const object = (
  properties: Readonly<Record<string, unknown>>,
  optional: ReadonlyArray<string> = [],
) => ({
  type: "object",
  required: Object.keys(properties).filter((k) => !optional.includes(k)),
  properties,
})

const recipientCounts = {
  total: { ...count, description: "Rows given." },
  valid: { ...count, description: "Distinct valid numbers: what is sent." },
  duplicates: { ...count, description: "Rows repeating an earlier number: not sent again." },
  mobile: count,
  landline: { ...count, description: "A voicemail drop rings landlines." },
  other: count,
  invalid: {
    type: "array",
    description: "The first 100 invalid rows.",
    items: object({
      row: { ...count, description: "1-based." },
      input: { type: "string" },
      reason: { type: "string" },
    }),
  },
  invalidCount: count,
}

const chunkCounts = object({
  total: count,
  pending: count,
  inFlight: count,
  sent: count,
  failed: count,
  unknown: count,
})

const brief = {
  id: { type: "string", pattern: "^bc_[0-9a-f]{24}$" },
  name: nullableString,
  type: { enum: ["voicemail", "tts"] },
  status: {
    enum: ["scheduled", "running", "paused", "completed", "cancelled"],
    description:
      "`paused`: by the client, or by an error that will not get better by itself (`pauseReason`).",
  },
  createdAt: dateTime,
  startAt: nullableDateTime,
  recipients: { ...count, description: "Valid recipients." },
  chunks: chunkCounts,
  pauseReason: {
    oneOf: [
      object({
        code: {
          type: "string",
          description: "The upstream's code (`NOT_CREDIT`, …) or the gateway's.",
        },
        message: { type: "string" },
        at: dateTime,
      }),
      { type: "null" },
    ],
  },
  retryOf: nullableString,
}

const summary = {
  ...brief,
  startedAt: nullableDateTime,
  completedAt: nullableDateTime,
  cancelledAt: nullableDateTime,
  notifyUrl: nullableString,
  recipientCounts: object({
    ...recipientCounts,
    sent: count,
    failed: count,
    unknown: count,
    pending: count,
    inFlight: count,
  }),
  delivery: object({ delivered: count, undelivered: count, pending: count }),
  cost: object({ amount: { type: "number" }, currency: nullableString }),
  estimatedEndAt: nullableDateTime,
  plan: schemaRef("BroadcastPlan"),
}

const ok = { success: { const: true } }

const broadcastRequest = (type: "tts" | "voicemail", message: Json): Json => ({
  type: "object",
  required: ["type", "message", "recipients"],
  additionalProperties: false,
  properties: { type: { const: type }, message, ...broadcastFields },
})

/** The broadcasts' component schemas. */
export const broadcastSchemas: Readonly<Record<string, unknown>> = {
  BroadcastRequest: {
    description:
      "A campaign of any size: planned and validated at once (every problem a 400 naming its field: `type`, `message.tokenAudio`, `recipients`, `startAt`…), then stored and run by the gateway in chunks of 500 under the quota.",
    oneOf: [
      broadcastRequest("voicemail", BroadcastVoicemailMessage),
      broadcastRequest("tts", BroadcastTtsMessage),
    ],
    examples: [
      {
        type: "voicemail",
        message: { tokenAudio: "dev-audio", emailForNotification: "ops@example.com" },
        recipients: ["06 12 34 56 78", "01 23 45 67 89"],
        name: "Rappels de décembre",
      },
    ],
  },
  BroadcastPlan: object({
    recipients: object(recipientCounts),
    requests: { ...count, description: "Upstream requests (chunks of at most 500)." },
    estimatedEndAt: {
      ...dateTime,
      description: "When the last request should leave under the quota, if nothing else uses it.",
    },
    warnings: { type: "array", items: schemaRef("Warning") },
  }),
  BroadcastPlanAnswer: object({ ...ok, dryRun: { const: true }, plan: schemaRef("BroadcastPlan") }),
  BroadcastCreated: object(
    {
      ...ok,
      id: brief.id,
      status: brief.status,
      retryOf: { type: "string" },
      plan: schemaRef("BroadcastPlan"),
    },
    ["retryOf"],
  ),
  BroadcastList: object({
    ...ok,
    broadcasts: { type: "array", items: object(brief) },
    nextCursor: { ...nullableString, description: "`cursor` of the next page; null on the last." },
  }),
  Broadcast: object({ ...ok, ...summary }),
  BroadcastRecipients: object({
    ...ok,
    recipients: {
      type: "array",
      items: object({
        row: { ...count, description: "1-based row of the request's list." },
        phoneNumber: { type: "string", description: "E.164." },
        kind: { enum: ["mobile", "landline", "other"] },
        chunk: count,
        status: { enum: [...CHUNK_STATES] },
        campaignId: nullableString,
        delivery: { ...nullableString, description: "Voice SMS: pending, delivered, undelivered." },
        error: nullableString,
      }),
    },
    nextCursor: nullableString,
  }),
}

const security = [{ bearer: [] }]
const tags = ["broadcasts"]
const id = {
  name: "id",
  in: "path",
  required: true,
  schema: { type: "string" },
  description: "The broadcast's id (`bc_…`); another client's, or none, is a 404.",
}
const common = {
  "401": failure(errors.unauthorized, ["WWW-Authenticate"]),
  "403": failure(errors.forbidden),
  "405": failure(errors.methodNotAllowed, ["Allow"]),
  "500": failure(errors.misconfigured),
}
const notFound = { "404": failure("`NOT_FOUND`: no such broadcast of this client.") }
const cursor = {
  name: "cursor",
  in: "query",
  required: false,
  schema: { type: "string" },
  description: "The `nextCursor` of the previous page.",
}
const limit = (max: number, byDefault: number) => ({
  name: "limit",
  in: "query",
  required: false,
  schema: { type: "integer", minimum: 1, maximum: max, default: byDefault },
})
const notStored = failure(
  "`GATEWAY_UNAVAILABLE`: the broadcast could not be stored; nothing was sent.",
  ["Retry-After"],
)
const idempotency = {
  "409": failure(
    "`IDEMPOTENCY_IN_PROGRESS`: a request with this `Idempotency-Key` is being handled.",
    ["Retry-After"],
  ),
  "422": failure(
    "`IDEMPOTENCY_KEY_REUSED`: this key was used with another request in the last 24 h.",
  ),
}

const control = (action: "pause" | "resume" | "cancel", summary: string): Json => ({
  post: {
    operationId: `${action}Broadcast`,
    summary,
    tags,
    security,
    parameters: [id],
    responses: {
      "200": answer("Done: the broadcast as it is now.", schemaRef("Broadcast")),
      "409": failure(
        `\`BROADCAST_FINISHED\`: the broadcast is completed or cancelled; it cannot ${action}.`,
      ),
      ...notFound,
      ...common,
    },
  },
})

/** The broadcasts' paths. */
export const broadcastPaths: Readonly<Record<string, unknown>> = {
  "/v1/broadcasts": {
    post: {
      operationId: "createBroadcast",
      summary: "Create a broadcast (or plan one: dryRun)",
      tags,
      security,
      parameters: [parameterRef("IdempotencyKey")],
      requestBody: {
        required: true,
        content: { "application/json": { schema: schemaRef("BroadcastRequest") } },
      },
      responses: {
        "200": answer(
          "`dryRun`: the plan; nothing stored or sent.",
          schemaRef("BroadcastPlanAnswer"),
        ),
        "201": answer("Stored and started (or scheduled).", schemaRef("BroadcastCreated"), [
          "Location",
          "Idempotent-Replayed",
        ]),
        "400": failure(errors.invalidBody),
        ...idempotency,
        "413": failure(
          `\`PAYLOAD_TOO_LARGE\`: the body exceeds ${MAX_BROADCAST_BODY_BYTES} bytes.`,
        ),
        "503": notStored,
        ...common,
      },
    },
    get: {
      operationId: "listBroadcasts",
      summary: "The client's broadcasts, newest first",
      tags,
      security,
      parameters: [cursor, limit(100, 20)],
      responses: {
        "200": answer("A page of broadcasts.", schemaRef("BroadcastList")),
        "400": failure("`VALIDATION_ERROR`: `cursor` or `limit` is wrong."),
        ...common,
      },
    },
  },
  "/v1/broadcasts/{id}": {
    get: {
      operationId: "getBroadcast",
      summary: "A broadcast: status, counts, cost, ETA, pause reason",
      tags,
      security,
      parameters: [id],
      responses: {
        "200": answer("The broadcast.", schemaRef("Broadcast")),
        ...notFound,
        ...common,
      },
    },
  },
  "/v1/broadcasts/{id}/pause": control("pause", "Pause before the next chunk"),
  "/v1/broadcasts/{id}/resume": control("resume", "Resume a paused broadcast"),
  "/v1/broadcasts/{id}/cancel": control("cancel", "Cancel: chunks not sent yet never are"),
  "/v1/broadcasts/{id}/retry": {
    post: {
      operationId: "retryBroadcast",
      summary: "A new broadcast of the failed chunks' recipients",
      description:
        "Each chunk is retried once. `unknown` chunks (which may have been sent) only with `includeUnknown=true`.",
      tags,
      security,
      parameters: [
        id,
        {
          name: "includeUnknown",
          in: "query",
          required: false,
          schema: { enum: ["true", "false"] },
        },
        parameterRef("IdempotencyKey"),
      ],
      responses: {
        "201": answer("The new broadcast, started.", schemaRef("BroadcastCreated"), [
          "Location",
          "Idempotent-Replayed",
        ]),
        "400": failure("`VALIDATION_ERROR`: `includeUnknown` or `Idempotency-Key` is wrong."),
        "409": failure(
          "`NOTHING_TO_RETRY`: no chunk is failed (or unknown, when asked) and not retried yet; or `IDEMPOTENCY_IN_PROGRESS`.",
          ["Retry-After"],
        ),
        "422": idempotency["422"],
        "503": notStored,
        ...notFound,
        ...common,
      },
    },
  },
  "/v1/broadcasts/{id}/recipients": {
    get: {
      operationId: "listBroadcastRecipients",
      summary: "Per-recipient outcome and delivery, in row order",
      tags,
      security,
      parameters: [
        id,
        { name: "status", in: "query", required: false, schema: { enum: [...CHUNK_STATES] } },
        cursor,
        limit(1000, 100),
      ],
      responses: {
        "200": answer("A page of recipients.", schemaRef("BroadcastRecipients")),
        "400": failure("`VALIDATION_ERROR`: `status`, `cursor` or `limit` is wrong."),
        ...notFound,
        ...common,
      },
    },
  },
  "/v1/broadcasts/{id}/report.csv": {
    get: {
      operationId: "getBroadcastReport",
      summary: "Every recipient's outcome, as CSV",
      tags,
      security,
      parameters: [id],
      responses: {
        "200": answer(
          "Columns row, phone_number, kind, chunk, outcome, campaign_id, delivery, error (RFC 4180).",
          { type: "string" },
          [],
          "text/csv",
        ),
        ...notFound,
        ...common,
      },
    },
  },
}
