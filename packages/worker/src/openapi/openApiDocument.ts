import {
  AudioListResponse,
  CampaignSendResponse,
  CancelCampaignResponse,
  CreditsResponse,
  RenameAudioResponse,
  TtsCallback,
  TtsSendResponse,
  VmsCallback,
} from "@voicepartner/core/model/responses"
import * as Schema from "effect/Schema"
import { ApiErrorBodySchema } from "../http/apiError.js"
import { CampaignView, WebhookEvent } from "../ledger/ledgerTypes.js"
import { broadcastPaths, broadcastSchemas } from "./broadcasts.js"
import { fromEffect } from "./fromEffect.js"
import { CampaignSendInput, RenameAudioInput, TtsSendAudio, TtsSendText } from "./requestSchemas.js"
import {
  answer,
  errors,
  failure,
  type Header,
  headerComponents,
  parameterComponents,
  parameterRef,
  schemaRef,
} from "./responses.js"

// The gateway's OpenAPI 3.1 description. Request bodies say what the gateway ACCEPTS
// (`requestSchemas.ts`, checked against core's validators by the tests); answers are the
// schemas they are decoded or built with — core's responses, the gateway's error body and
// views — read as their decoders read them (`fromEffect.ts`). Broadcasts plug in from
// `broadcasts.ts`. `test/openapi*.test.ts` keep it true: every route of the app documented
// with an operationId, every error one shared component, and real answers of every status
// matching it; end to end, `redocly lint` passes and a generated client runs.

type Json = Readonly<Record<string, unknown>>

const Warning = Schema.Struct({ field: Schema.String, message: Schema.String })
/** What a send's answer adds to Voice Partner's: what validation changed or noticed. */
const warnings = { warnings: Schema.optional(Schema.Array(Warning)) }

const schemas = (): Json => ({
  Error: {
    ...fromEffect(ApiErrorBodySchema),
    description:
      "Every error answer. `error.code` is the gateway's code (`VALIDATION_ERROR`, `RATE_LIMITED`, …) or Voice Partner's (`NOT_CREDIT`, `AUDIO_FILE_NOT_FOUND`, …, also at the top level as `code`); `error.field` names the faulty field or header. In drop-in mode the provider's fields (`code`, `message`) are at the top level too.",
  },
  Warning: fromEffect(Warning),
  TtsSendText,
  TtsSendAudio,
  TtsSendAnswer: fromEffect(Schema.Struct({ ...TtsSendResponse.fields, ...warnings })),
  CampaignSendAnswer: fromEffect(Schema.Struct({ ...CampaignSendResponse.fields, ...warnings })),
  Credits: fromEffect(CreditsResponse),
  AudioList: fromEffect(AudioListResponse),
  RenamedAudio: fromEffect(RenameAudioResponse),
  CancelledCampaign: fromEffect(CancelCampaignResponse),
  CampaignView: fromEffect(
    Schema.Struct({
      success: Schema.Literal(true),
      campaignId: Schema.String,
      ...CampaignView.fields,
    }),
  ),
  Health: fromEffect(Schema.Struct({ status: Schema.Literal("ok") })),
  WebhookEvent: fromEffect(WebhookEvent),
  ...broadcastSchemas,
})

/** The request bodies (inline in their operation; the voice SMS's two forms are components). */
const TtsSendInput: Json = {
  description:
    "A text-to-speech voice SMS: a `text` to read, or an approved audio file (`tokenAudio`). Voice Partner's body without `apiKey`, as the gateway reads it (numbers in any usual form, `lang` optional, nulls for absent optionals).",
  oneOf: [schemaRef("TtsSendText"), schemaRef("TtsSendAudio")],
}

const bearer = [{ bearer: [] }]
const common = {
  "401": failure(errors.unauthorized, ["WWW-Authenticate"]),
  "403": failure(errors.forbidden),
  "405": failure(errors.methodNotAllowed, ["Allow"]),
  "500": failure(errors.misconfigured),
}

const quota: ReadonlyArray<Header> = ["RateLimit", "RateLimit-Policy"]
/** Fields of an answer to a send that may have gone out (or was replayed). */
const sent: ReadonlyArray<Header> = [
  ...quota,
  "X-Gateway-Send-Id",
  "Idempotent-Replayed",
  "Preference-Applied",
]

/** A refusal by Voice Partner may say when to come back (its rate-limit fields). */
const refusal = (fields: ReadonlyArray<Header>): ReadonlyArray<Header> => [...fields, "Retry-After"]

/** What an upstream route answers besides success: the quota's and Voice Partner's. */
const upstream = (fields: ReadonlyArray<Header>) => ({
  "429": failure(
    "`RATE_LIMITED`: over the account's quota (or Voice Partner's); nothing was sent. `Retry-After` says when a slot frees.",
    [...quota, "Retry-After", "Preference-Applied"],
  ),
  "500": failure(`${errors.misconfigured} Also Voice Partner's own 500.`, refusal(fields)),
  "502": failure(
    "`UPSTREAM_UNREACHABLE` (nothing was sent), `UPSTREAM_OUTCOME_UNKNOWN` (the connection dropped: the request may have been processed — check `GET /v1/campaigns/{campaignId}` before sending again) or `UPSTREAM_REJECTED_GATEWAY_KEY` (the operator's key was refused).",
    fields,
  ),
  "503": failure(
    "`GATEWAY_UNAVAILABLE`: the quota service could not be reached, nothing was sent (`Retry-After`); or Voice Partner is unavailable.",
    [...quota, "Retry-After"],
  ),
  "504": failure(
    "`UPSTREAM_TIMEOUT`: Voice Partner did not answer in time; the request may have been processed.",
    fields,
  ),
  default: failure(
    "Voice Partner refused the request with this status: its code in `code` and `error.code`.",
    refusal(fields),
  ),
})

const send = (
  operationId: string,
  summary: string,
  description: string,
  input: Json,
  output: string,
): Json => ({
  post: {
    operationId,
    summary,
    description,
    tags: ["sends"],
    security: bearer,
    parameters: [parameterRef("IdempotencyKey"), parameterRef("Prefer")],
    requestBody: { required: true, content: { "application/json": { schema: input } } },
    responses: {
      "200": answer(
        "Accepted by Voice Partner: its answer, with the gateway's `warnings` (numbers read on a guess, duplicates removed, landlines that ring, a clamped rate).",
        schemaRef(output),
        sent,
      ),
      "400": failure(
        `${errors.invalidBody} Also a malformed \`Idempotency-Key\`, a \`notifyUrl\` the outbound policy refuses, and Voice Partner's own refusals.`,
        refusal(sent),
      ),
      "402": failure(
        "Voice Partner: not enough credit (`NOT_CREDIT`); nothing was sent.",
        refusal(sent),
      ),
      "404": failure("Voice Partner: unknown audio file (`AUDIO_FILE_NOT_FOUND`).", refusal(sent)),
      "409": failure(
        "`IDEMPOTENCY_IN_PROGRESS`: a request with this `Idempotency-Key` is being sent; retry after `Retry-After`.",
        ["Retry-After"],
      ),
      "413": failure(errors.tooLarge),
      "422": failure(
        "`IDEMPOTENCY_KEY_REUSED`: this key was used with another request in the last 24 h.",
      ),
      ...common,
      ...upstream(sent),
    },
  },
})

const upstreamRead = (
  method: "get" | "delete",
  operationId: string,
  summary: string,
  output: string,
  options: {
    readonly dropIn?: boolean
    readonly tags: ReadonlyArray<string>
    readonly path?: ReadonlyArray<Json>
    readonly extra?: Json
  },
): Json => ({
  [method]: {
    operationId,
    summary,
    ...(options.dropIn === true && {
      deprecated: true,
      description:
        "Drop-in mode: Voice Partner's path, the client token where it puts its key. Prefer the Bearer route.",
    }),
    tags: options.dropIn === true ? ["drop-in"] : options.tags,
    security: options.dropIn === true ? [] : bearer,
    parameters: [
      ...(options.dropIn === true ? [parameterRef("ApiKeyInPath")] : []),
      ...(options.path ?? []),
      parameterRef("Prefer"),
    ],
    responses: {
      "200": answer("Voice Partner's answer.", schemaRef(output), [...quota, "Preference-Applied"]),
      ...options.extra,
      ...common,
      ...upstream([...quota, "Preference-Applied"]),
    },
  },
})

const cancelExtra = {
  "400": failure("`VALIDATION_ERROR`: `campaignId` is not a campaign id.", refusal(quota)),
  "404": failure(
    "`NOT_FOUND`: no scheduled campaign of this client with this id (another client's is a 404 too, and Voice Partner is not called), or Voice Partner's own.",
    refusal(quota),
  ),
}

/** A voicemail drop's status, as the query of Voice Partner's GET. */
const voicemailCallback = () =>
  fromEffect(VmsCallback) as {
    readonly properties: Readonly<Record<string, Json>>
    readonly required: ReadonlyArray<string>
  }

const callback = (method: "get" | "post", operationId: string, summary: string): Json => {
  const base = {
    operationId,
    summary,
    description:
      "Not for applications: Voice Partner calls the URL the gateway minted for a send (`notifyUrl`), signed with HMAC-SHA256. The event is stored once and forwarded (see `webhooks`).",
    tags: ["provider callbacks"],
    security: [],
  }
  const responses = {
    "200": answer(
      "Stored (or a duplicate, stored before).",
      fromEffect(Schema.Struct({ success: Schema.Literal(true), duplicate: Schema.Boolean })),
    ),
    "400": failure("`INVALID_JSON` or `VALIDATION_ERROR`: not a callback payload."),
    "401": failure("`UNAUTHORIZED`: a forged, tampered or expired callback URL; nothing stored."),
    "405": common["405"],
    "409": failure(
      "`CALLBACK_CAMPAIGN_MISMATCH`: the campaign id is not the one recorded for this URL's send.",
    ),
    "500": common["500"],
    "503": failure(
      "`CALLBACK_SEND_NOT_RECORDED`: the send is not recorded yet; retry after `Retry-After`.",
      ["Retry-After"],
    ),
  }
  if (method === "get")
    return {
      get: {
        ...base,
        summary,
        parameters: [
          ...Object.entries(voicemailCallback().properties).map(([name, schema]) => ({
            name,
            in: "query",
            required: voicemailCallback().required.includes(name),
            schema,
          })),
        ],
        responses,
      },
    }
  return {
    post: {
      ...base,
      requestBody: {
        required: true,
        content: { "application/json": { schema: fromEffect(TtsCallback) } },
      },
      responses: { ...responses, "413": failure(errors.tooLarge) },
    },
  }
}

const paths = (): Json => ({
  "/v1/tts/send": send(
    "sendTts",
    "Send a text-to-speech voice SMS",
    "Validated, then sent through the account's quota with the gateway's signed callback URL. Idempotent with `Idempotency-Key`.",
    TtsSendInput,
    "TtsSendAnswer",
  ),
  "/v1/campaign/send": send(
    "sendVoicemail",
    "Send a voicemail drop",
    "A landline RINGS and gets the message only if nobody answers: the answer's `warnings` count the landlines. Idempotent with `Idempotency-Key`.",
    CampaignSendInput,
    "CampaignSendAnswer",
  ),
  "/v1/me": upstreamRead("get", "getCredits", "Credits left", "Credits", { tags: ["account"] }),
  "/v1/me/{apiKey}": upstreamRead("get", "getCreditsDropIn", "Credits left", "Credits", {
    dropIn: true,
    tags: [],
  }),
  "/v1/audios": upstreamRead("get", "listAudios", "Approved audio files", "AudioList", {
    tags: ["account"],
  }),
  "/v1/audios/{apiKey}": upstreamRead(
    "get",
    "listAudiosDropIn",
    "Approved audio files",
    "AudioList",
    {
      dropIn: true,
      tags: [],
    },
  ),
  "/v1/audio-file/rename": {
    post: {
      operationId: "renameAudio",
      summary: "Rename an audio file",
      tags: ["account"],
      security: bearer,
      parameters: [parameterRef("Prefer")],
      requestBody: {
        required: true,
        content: { "application/json": { schema: RenameAudioInput } },
      },
      responses: {
        "200": answer("Renamed.", schemaRef("RenamedAudio"), [...quota, "Preference-Applied"]),
        "400": failure(`${errors.invalidBody} Also Voice Partner's own refusals.`, refusal(quota)),
        "404": failure(
          "Voice Partner: unknown audio file (`AUDIO_FILE_NOT_FOUND`).",
          refusal(quota),
        ),
        "413": failure(errors.tooLarge),
        ...common,
        ...upstream([...quota, "Preference-Applied"]),
      },
    },
  },
  "/v1/campaign/cancel/{campaignId}": upstreamRead(
    "delete",
    "cancelCampaign",
    "Cancel a scheduled send of this client (the credit comes back)",
    "CancelledCampaign",
    { tags: ["sends"], path: [parameterRef("CampaignId")], extra: cancelExtra },
  ),
  "/v1/campaign/cancel/{apiKey}/{campaignId}": upstreamRead(
    "delete",
    "cancelCampaignDropIn",
    "Cancel a scheduled send of this client",
    "CancelledCampaign",
    { dropIn: true, tags: [], path: [parameterRef("CampaignId")], extra: cancelExtra },
  ),
  "/v1/campaigns/{campaignId}": {
    get: {
      operationId: "getCampaign",
      summary: "The gateway's record of one of this client's sends, and its delivery events",
      tags: ["sends"],
      security: bearer,
      parameters: [parameterRef("CampaignId")],
      responses: {
        "200": answer("Known.", schemaRef("CampaignView"), quota),
        "400": failure("`VALIDATION_ERROR`: not a campaign id.", quota),
        "404": failure("`NOT_FOUND`: no send or event of this client with this id.", quota),
        ...common,
      },
    },
  },
  ...broadcastPaths,
  "/health": {
    get: {
      operationId: "getHealth",
      summary: "Liveness (no configuration or upstream involved)",
      tags: ["meta"],
      security: [],
      responses: {
        "200": answer("Up.", schemaRef("Health")),
        "405": common["405"],
      },
    },
  },
  "/openapi.json": {
    get: {
      operationId: "getOpenApi",
      summary: "This document",
      tags: ["meta"],
      security: [],
      responses: {
        "200": answer("OpenAPI 3.1.", { type: "object" }),
        "405": common["405"],
      },
    },
  },
})

const webhookHeader = (name: string, description: string) => ({
  name,
  in: "header",
  required: true,
  description,
  schema: { type: "string" },
})

const build = (): Json => ({
  openapi: "3.1.0",
  info: {
    title: "Voice Partner gateway",
    version: "1",
    license: { name: "MIT", identifier: "MIT" },
    description: [
      "Voice Partner's API behind client tokens, an exact shared quota, idempotent sends and signed callbacks. Bodies are Voice Partner's, without `apiKey`.",
      "",
      "**Authentication**: `Authorization: Bearer <client token>`. Drop-in mode (the token where Voice Partner puts its key: the body's `apiKey`, or the path) keeps the provider's answers; it is never honoured from a browser.",
      "",
      "**Browsers (CORS)**: a client's `allowedOrigins` may call the gateway from their pages. Preflights (`OPTIONS`) are answered for any origin one client allows; the actual request's `Origin` must be one of the calling client's (else 403 naming `Origin`, without CORS fields). Allowed request headers: `Authorization`, `Content-Type`, `Idempotency-Key`, `Prefer`; exposed: `RateLimit`, `RateLimit-Policy`, `Retry-After`, `X-Gateway-Send-Id`, `Idempotent-Replayed`, `Preference-Applied`, `Location`.",
      "",
      "**Quota**: every answer of an upstream route that went through the quota carries `RateLimit` and `RateLimit-Policy`; over quota, 429 with `Retry-After` and nothing is sent.",
    ].join("\n"),
  },
  servers: [{ url: "/", description: "The gateway serving this document." }],
  tags: [
    { name: "sends", description: "Voice SMS, voicemail drops, their records and cancels." },
    { name: "account", description: "Credits and audio files of the account." },
    { name: "broadcasts", description: "Campaigns of any size, run by the gateway." },
    {
      name: "drop-in",
      description: "Voice Partner's own paths, for integrations that only change their base URL.",
    },
    {
      name: "provider callbacks",
      description: "Voice Partner's status callbacks (not for applications).",
    },
    { name: "meta", description: "Liveness and this document." },
  ],
  security: bearer,
  components: {
    schemas: schemas(),
    headers: headerComponents,
    parameters: parameterComponents,
    securitySchemes: {
      bearer: {
        type: "http",
        scheme: "bearer",
        description: "A client token (CLIENTS); never the upstream key.",
      },
    },
  },
  paths: paths(),
  // Not in `paths`: a callback URL is a credential for one send, never spelt in an answer.
  "x-provider-callbacks": {
    description:
      "Voice Partner's status callbacks, on the URL the gateway mints for each send (its `notifyUrl` upstream: the gateway's public origin, then the client, the send, an expiry, the forwarding target and an HMAC-SHA256 of them). Not for applications; the methods and answers below are the ones those URLs have.",
    ...callback("get", "receiveVoicemailCallback", "A voicemail drop's status (query)"),
    ...callback("post", "receiveTtsCallback", "A voice SMS status, per number (JSON)"),
  },
  webhooks: {
    "delivery-event": {
      post: {
        operationId: "deliveryEvent",
        summary: "A delivery status, forwarded to the client, signed per Standard Webhooks",
        description:
          "POSTed to the send's `notifyUrl`, else the client's `webhookUrl`; retried with backoff until a 2xx. Drop-in sends that gave their own `notifyUrl` get Voice Partner's own format there instead (a voice SMS status as JSON, or a voicemail drop's query), with the same signature headers. Verify with core's `verifyWebhook`; deduplicate by `webhook-id`.",
        security: [],
        parameters: [
          webhookHeader("webhook-id", "`evt_…`, the same on every retry of an event."),
          webhookHeader("webhook-timestamp", "Unix seconds."),
          webhookHeader(
            "webhook-signature",
            '`v1,<base64 HMAC-SHA256 of "id.timestamp.body" with the client\'s secret>`.',
          ),
        ],
        requestBody: {
          required: true,
          content: { "application/json": { schema: schemaRef("WebhookEvent") } },
        },
        responses: {
          "200": { description: "Any 2xx acknowledges." },
          "410": { description: "Gone: the URL is disabled for this client's configuration." },
        },
      },
    },
  },
})

let cached: Json | undefined

/**
 * The gateway's OpenAPI 3.1 description, served at `GET /openapi.json` (built on first use).
 *
 * @example
 * ```ts
 * const doc = openApiDocument()
 * Object.keys(doc.paths as object) // ["/v1/tts/send", "/v1/campaign/send", …]
 * ```
 */
export const openApiDocument = (): Json => {
  cached ??= build()
  return cached
}
