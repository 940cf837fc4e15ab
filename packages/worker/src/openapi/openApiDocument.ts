import { CampaignSendBody } from "@voicepartner/core/model/CampaignSendRequest"
import { RenameAudioRequest } from "@voicepartner/core/model/RenameAudioRequest"
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
import { TtsSendBody } from "@voicepartner/core/model/TtsSendRequest"
import * as Schema from "effect/Schema"
import { ApiErrorBodySchema } from "../http/apiError.js"
import { CampaignView, WebhookEvent } from "../ledger/ledgerTypes.js"

type Json = Readonly<Record<string, unknown>>

/** JSON Schemas of the Effect Schemas, their definitions gathered into components. */
const collect = () => {
  const components: Record<string, unknown> = {}
  const ref = (schema: Schema.Top): unknown => {
    const document = Schema.toJsonSchemaDocument(schema)
    const rewrite = (value: unknown): unknown =>
      JSON.parse(JSON.stringify(value).replaceAll('"#/$defs/', '"#/components/schemas/'))
    for (const [name, definition] of Object.entries(document.definitions))
      components[name] = rewrite(definition)
    return rewrite(document.schema)
  }
  return { components, ref }
}

const rateLimitHeaders: Json = {
  RateLimit: {
    description: "What is left of each window: r (requests left) and t (seconds to a free slot).",
    schema: { type: "string" },
  },
  "RateLimit-Policy": {
    description: "Each window of the endpoint: q (quota) per w (seconds).",
    schema: { type: "string" },
  },
}

const json = (schema: unknown, description: string, headers?: Json): Json => ({
  description,
  content: { "application/json": { schema } },
  ...(headers !== undefined && { headers }),
})

let cached: Json | undefined

/**
 * The gateway's OpenAPI 3.1 description, generated from the same Schemas that validate
 * and decode (core's request bodies and responses, the gateway's error and views).
 *
 * @example
 * ```ts
 * const doc = openApiDocument()
 * Object.keys(doc.paths) // ["/v1/tts/send", "/v1/campaign/send", …]
 * ```
 */
export const openApiDocument = (): Json => {
  if (cached !== undefined) return cached
  const { components, ref } = collect()
  const error = ref(ApiErrorBodySchema)
  const errors: Json = {
    "400": json(error, "Invalid input: `error.field` names the field."),
    "401": json(error, "Missing or unknown client token."),
    "403": json(error, "The client may not use this operation."),
    "429": json(error, "Over quota: nothing was sent; see Retry-After.", {
      ...rateLimitHeaders,
      "Retry-After": { schema: { type: "integer" } },
    }),
    "502": json(error, "Voice Partner unreachable or its answer lost."),
  }
  const security = [{ bearer: [] }]
  const wait = {
    name: "Prefer",
    in: "header",
    required: false,
    description: "`wait=N` (N ≤ 60): wait up to N s for a quota slot instead of a 429.",
    schema: { type: "string" },
  }
  const idempotency = {
    name: "Idempotency-Key",
    in: "header",
    required: false,
    description: "Same key and body within 24 h: the stored answer, never a second send.",
    schema: { type: "string", maxLength: 255 },
  }
  const send = (summary: string, body: Schema.Top, response: Schema.Top): Json => ({
    post: {
      summary,
      security,
      parameters: [idempotency, wait],
      requestBody: { required: true, content: { "application/json": { schema: ref(body) } } },
      responses: {
        "200": json(ref(response), "Accepted by Voice Partner.", rateLimitHeaders),
        "409": json(error, "The same Idempotency-Key is being sent."),
        "422": json(error, "The Idempotency-Key was used with another body."),
        ...errors,
      },
    },
  })
  const read = (
    method: string,
    summary: string,
    response: Schema.Top,
    parameters: ReadonlyArray<Json> = [],
  ): Json => ({
    [method]: {
      summary,
      security,
      parameters: [...parameters, wait],
      responses: {
        "200": json(ref(response), "Voice Partner's answer.", rateLimitHeaders),
        ...errors,
      },
    },
  })
  const campaignId = { name: "campaignId", in: "path", required: true, schema: { type: "string" } }
  cached = {
    openapi: "3.1.0",
    info: {
      title: "Voice Partner gateway",
      version: "1",
      description:
        "Voice Partner's API behind client tokens, an exact shared quota, idempotent sends and signed callbacks. Bodies are Voice Partner's, without apiKey.",
    },
    components: {
      schemas: components,
      securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
    },
    paths: {
      "/v1/tts/send": send("Send a text-to-speech voice SMS", TtsSendBody, TtsSendResponse),
      "/v1/campaign/send": send("Send a voicemail drop", CampaignSendBody, CampaignSendResponse),
      "/v1/me": read("get", "Credits left", CreditsResponse),
      "/v1/audios": read("get", "Audio files", AudioListResponse),
      "/v1/audio-file/rename": {
        post: {
          summary: "Rename an audio file",
          security,
          requestBody: {
            required: true,
            content: { "application/json": { schema: ref(RenameAudioRequest) } },
          },
          responses: {
            "200": json(ref(RenameAudioResponse), "Renamed.", rateLimitHeaders),
            ...errors,
          },
        },
      },
      "/v1/campaign/cancel/{campaignId}": read(
        "delete",
        "Cancel a scheduled send",
        CancelCampaignResponse,
        [campaignId],
      ),
      "/v1/campaigns/{campaignId}": {
        get: {
          summary: "The gateway's record of a send and its delivery events",
          security,
          parameters: [campaignId],
          responses: { "200": json(ref(CampaignView), "Known."), "404": json(error, "Unknown.") },
        },
      },
      "/health": { get: { summary: "Liveness", responses: { "200": { description: "Up." } } } },
    },
    webhooks: {
      "delivery-event": {
        post: {
          summary:
            "A delivery status, signed per Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature).",
          requestBody: { content: { "application/json": { schema: ref(WebhookEvent) } } },
          responses: { "200": { description: "Any 2xx acknowledges; 410 disables the URL." } },
        },
      },
    },
    "x-provider-callbacks": { tts: ref(TtsCallback), voicemail: ref(VmsCallback) },
  }
  return cached
}
