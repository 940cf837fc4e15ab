import { CHUNK_STATES } from "../broadcast/broadcastTypes.js"
import { MAX_CSV_BODY_BYTES } from "../broadcast/csvUpload.js"
import { MAX_BROADCAST_RECIPIENTS } from "../broadcast/recipientPlan.js"
import { REPORT_HEADER } from "../broadcast/reportCsv.js"
import { MAX_BROADCAST_BODY_BYTES } from "../routes/broadcastRoutes.js"
import { broadcastAnswerSchemas } from "./broadcastAnswers.js"
import { csvBody, csvParameters } from "./broadcastUpload.js"
import {
  BroadcastTtsMessage,
  BroadcastVoicemailMessage,
  broadcastFields,
} from "./requestSchemas.js"
import { answer, errors, failure, parameterRef, schemaRef } from "./responses.js"

/**
 * THE place where the broadcasts' part of the OpenAPI document lives: their component
 * schemas (`broadcastSchemas`) and their paths (`broadcastPaths`), which
 * `openApiDocument.ts` merges in. The JSON request schema is built from the send schemas
 * of `requestSchemas.ts` (a broadcast's message is a send's), the CSV upload's body and
 * query parameters from that same schema (`broadcastUpload.ts`), and the answers from
 * Effect schemas tied to the types of `src/broadcast/broadcastTypes.ts`
 * (`broadcastAnswers.ts`). Whoever changes a broadcast route or type changes these files:
 * the type-check fails while an answer's schema and its type differ, `test/openapi.test.ts`
 * while a route of the app is undocumented, and `test/openapiAnswers.test.ts` while a real
 * answer carries a field the document does not list or does not match its schema.
 */

type Json = Readonly<Record<string, unknown>>

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
  ...broadcastAnswerSchemas,
}

/** The report's columns, from its header row. */
const REPORT_COLUMNS = REPORT_HEADER.trim().split(",")

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
      summary: "Create a broadcast (or plan one: dryRun), from JSON or a CSV upload",
      description: [
        `A campaign of up to ${MAX_BROADCAST_RECIPIENTS.toLocaleString("en")} rows, planned and validated at once, then stored and sent by the gateway in chunks of 500 numbers under the quota. Two forms, with the same plan and answers:`,
        "",
        "- **JSON** (`application/json`, or any type but CSV): a `BroadcastRequest`; the query is not read.",
        "- **CSV upload** (`text/csv` or `application/csv`): the body is the file (a CRM export as it is), the fields are query parameters — those marked *CSV upload* below, each at most once; any other is a 400 naming it. Which ones a type requires is in each one's description, and in the media type's `x-query` (the query as a JSON Schema). A 400 names the query parameter, `column` or `body` (the recipients). The parameters are checked before the body is read.",
        "",
        "Rows are the position in `recipients`, or the line of the file (the header is line 1).",
      ].join("\n"),
      tags,
      security,
      parameters: [parameterRef("IdempotencyKey"), ...csvParameters],
      requestBody: {
        required: true,
        content: {
          "application/json": { schema: schemaRef("BroadcastRequest") },
          "text/csv": csvBody,
          "application/csv": csvBody,
        },
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
        "400": failure(
          `${errors.invalidBody} A CSV upload's 400 names the query parameter (\`tokenAudio\`, \`speechRate\`, an unknown one, one given twice), \`column\` when the phone column cannot be told (the message lists the headers found), or \`body\` for the recipients (a malformed CSV, with its line; no valid number; more than ${MAX_BROADCAST_RECIPIENTS.toLocaleString("en")} rows). Also a malformed \`Idempotency-Key\`, and a \`notifyUrl\` the outbound policy refuses.`,
        ),
        ...idempotency,
        "413": failure(
          `\`PAYLOAD_TOO_LARGE\`: a JSON body over ${MAX_BROADCAST_BODY_BYTES} bytes (32 MB), a CSV upload over ${MAX_CSV_BODY_BYTES} bytes (100 MB).`,
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
          `UTF-8, RFC 4180, CRLF: a header row (${REPORT_COLUMNS.map((c) => `\`${c}\``).join(", ")}), then one row per valid recipient in row order, as \`…/recipients\` shows them (\`outcome\` is their \`status\`; an empty cell for \`null\`). A \`campaign_id\`, \`delivery\` or \`error\` starting with \`=\`, \`+\`, \`-\`, \`@\`, a tab or a carriage return is prefixed with \`'\`, so that a spreadsheet does not run it as a formula.`,
          {
            type: "string",
            pattern: `^${REPORT_HEADER.replaceAll("\r\n", "\\r\\n")}`,
            examples: [
              `${REPORT_HEADER}1,+33612345678,mobile,0,sent,NDA_20261201_00001,delivered,\r\n`,
            ],
          },
          ["Content-Disposition"],
          "text/csv",
        ),
        ...notFound,
        ...common,
      },
    },
  },
}
