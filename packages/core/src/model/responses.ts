import * as Result from "effect/Result"
import * as Schema from "effect/Schema"

/**
 * Response models. The upstream is loosely specified: numbers arrive as strings
 * ("credit": "19"), keys are sometimes missing, new keys may appear. Decoding therefore
 * accepts numbers-as-strings, requires only what callers need, and keeps every unknown
 * field (see {@link decodeTolerant}).
 */
const Num: Schema.Union<readonly [Schema.Finite, Schema.FiniteFromString]> = Schema.Union([
  Schema.Finite,
  Schema.FiniteFromString,
])
const Id: Schema.Union<readonly [Schema.String, Schema.Finite]> = Schema.Union([
  Schema.String,
  Schema.Finite,
])

/** Cost detail per country calling code ("33"). */
export const CountryCost: Schema.Struct<{
  readonly nbSms: Schema.optional<typeof Num>
  readonly cost_unity: Schema.optional<typeof Num>
  readonly cost: Schema.optional<typeof Num>
  readonly country_code: Schema.optional<Schema.String>
  readonly duration: Schema.optional<typeof Num>
}> = Schema.Struct({
  nbSms: Schema.optional(Num),
  cost_unity: Schema.optional(Num),
  cost: Schema.optional(Num),
  country_code: Schema.optional(Schema.String),
  duration: Schema.optional(Num),
})

const SendFields = {
  success: Schema.optional(Schema.Boolean),
  campaignId: Id,
  cost: Num,
  currency: Schema.String,
  nbSms: Num,
  detail: Schema.optional(Schema.Record(Schema.String, CountryCost)),
}

/** `POST /tts/send` success. */
export const TtsSendResponse: Schema.Struct<{
  readonly success: Schema.optional<Schema.Boolean>
  readonly campaignId: typeof Id
  readonly cost: typeof Num
  readonly currency: Schema.String
  readonly nbSms: typeof Num
  readonly detail: Schema.optional<Schema.$Record<Schema.String, typeof CountryCost>>
  readonly lang: Schema.optional<Schema.String>
  readonly duration: Schema.optional<typeof Num>
}> = Schema.Struct({
  ...SendFields,
  lang: Schema.optional(Schema.String),
  duration: Schema.optional(Num),
})
export type TtsSendResponse = typeof TtsSendResponse.Type

/** `POST /campaign/send` success. */
export const CampaignSendResponse: Schema.Struct<{
  readonly success: Schema.optional<Schema.Boolean>
  readonly campaignId: typeof Id
  readonly cost: typeof Num
  readonly currency: Schema.String
  readonly nbSms: typeof Num
  readonly detail: Schema.optional<Schema.$Record<Schema.String, typeof CountryCost>>
  readonly audioFile: Schema.optional<
    Schema.Struct<{
      readonly filename: Schema.optional<Schema.String>
      readonly size: Schema.optional<Schema.String>
    }>
  >
}> = Schema.Struct({
  ...SendFields,
  audioFile: Schema.optional(
    Schema.Struct({
      filename: Schema.optional(Schema.String),
      size: Schema.optional(Schema.String),
    }),
  ),
})
export type CampaignSendResponse = typeof CampaignSendResponse.Type

/** `GET /me/{apiKey}`: credits left (`credit` arrives as a string). */
export const CreditsResponse: Schema.Struct<{
  readonly success: Schema.optional<Schema.Boolean>
  readonly credit: typeof Num
  readonly currency: Schema.optional<Schema.String>
  readonly details: Schema.optional<Schema.Unknown>
}> = Schema.Struct({
  success: Schema.optional(Schema.Boolean),
  credit: Num,
  currency: Schema.optional(Schema.String),
  details: Schema.optional(Schema.Unknown),
})
export type CreditsResponse = typeof CreditsResponse.Type

/** One audio file of the account. */
export const AudioFile: Schema.Struct<{
  readonly name: Schema.String
  readonly token: Schema.String
  readonly size: Schema.optional<Schema.String>
  readonly duration: Schema.optional<Schema.String>
  readonly created_at: Schema.optional<Schema.Unknown>
}> = Schema.Struct({
  name: Schema.String,
  token: Schema.String,
  size: Schema.optional(Schema.String),
  duration: Schema.optional(Schema.String),
  created_at: Schema.optional(Schema.Unknown),
})

/** `GET /audios/{apiKey}` (no `success` key upstream). */
export const AudioListResponse: Schema.Struct<{
  readonly nb_datas: Schema.optional<typeof Num>
  readonly datas: Schema.$Array<typeof AudioFile>
}> = Schema.Struct({
  nb_datas: Schema.optional(Num),
  datas: Schema.Array(AudioFile),
})
export type AudioListResponse = typeof AudioListResponse.Type

/** `POST /audio-file/rename` success. */
export const RenameAudioResponse: Schema.Struct<{
  readonly success: Schema.optional<Schema.Boolean>
  readonly filename: Schema.String
  readonly tokenAudio: Schema.String
}> = Schema.Struct({
  success: Schema.optional(Schema.Boolean),
  filename: Schema.String,
  tokenAudio: Schema.String,
})
export type RenameAudioResponse = typeof RenameAudioResponse.Type

/** `DELETE /campaign/cancel/…` success; `assignedCredit` is the credit given back. */
export const CancelCampaignResponse: Schema.Struct<{
  readonly success: Schema.optional<Schema.Boolean>
  readonly campaignId: Schema.optional<typeof Id>
  readonly assignedCredit: Schema.optional<typeof Num>
  readonly currency: Schema.optional<Schema.String>
}> = Schema.Struct({
  success: Schema.optional(Schema.Boolean),
  campaignId: Schema.optional(Id),
  assignedCredit: Schema.optional(Num),
  currency: Schema.optional(Schema.String),
})
export type CancelCampaignResponse = typeof CancelCampaignResponse.Type

/**
 * Every error shape seen from the vendor: `{ success: false, code, error | errors:
 * [{ elementId, message }], message }`, codes as strings or numbers.
 */
export const UpstreamErrorBody: Schema.Struct<{
  readonly success: Schema.optional<Schema.Boolean>
  readonly code: Schema.optional<typeof Id>
  readonly error: Schema.optional<Schema.Unknown>
  readonly errors: Schema.optional<
    Schema.$Array<
      Schema.Struct<{
        readonly elementId: Schema.optional<Schema.String>
        readonly message: Schema.optional<Schema.String>
      }>
    >
  >
  readonly message: Schema.optional<Schema.String>
}> = Schema.Struct({
  success: Schema.optional(Schema.Boolean),
  code: Schema.optional(Id),
  error: Schema.optional(Schema.Unknown),
  errors: Schema.optional(
    Schema.Array(
      Schema.Struct({
        elementId: Schema.optional(Schema.String),
        message: Schema.optional(Schema.String),
      }),
    ),
  ),
  message: Schema.optional(Schema.String),
})
export type UpstreamErrorBody = typeof UpstreamErrorBody.Type

/** A voice SMS delivery status, POSTed as JSON per number to `notifyUrl`. */
export const TtsCallback: Schema.Struct<{
  readonly campaignId: typeof Id
  readonly status: Schema.String
  readonly additionnal_status: Schema.optional<Schema.String>
  readonly phoneNumber: Schema.String
  readonly sendAt: Schema.optional<Schema.String>
  readonly doneAt: Schema.optional<Schema.String>
  readonly duration: Schema.optional<typeof Num>
  readonly audioFileComplementaire: Schema.optional<Schema.Unknown>
}> = Schema.Struct({
  campaignId: Id,
  status: Schema.String,
  additionnal_status: Schema.optional(Schema.String),
  phoneNumber: Schema.String,
  sendAt: Schema.optional(Schema.String),
  doneAt: Schema.optional(Schema.String),
  duration: Schema.optional(Num),
  audioFileComplementaire: Schema.optional(Schema.Unknown),
})
export type TtsCallback = typeof TtsCallback.Type

/** A voicemail drop's end-of-campaign status, sent as GET query parameters. */
export const VmsCallback: Schema.Struct<{
  readonly campaign_token: Schema.optional<Schema.String>
  readonly campaign_id: Schema.String
  readonly delivered_quantity: typeof Num
  readonly total_quantity: typeof Num
}> = Schema.Struct({
  campaign_token: Schema.optional(Schema.String),
  campaign_id: Schema.String,
  delivered_quantity: Num,
  total_quantity: Num,
})
export type VmsCallback = typeof VmsCallback.Type

/** Known fields decoded, unknown ones kept as they came. */
export type Tolerant<A> = A & { readonly [key: string]: unknown }

/**
 * Decodes a JSON value, keeping the fields the schema does not know about. The failure
 * is a readable description of what did not match.
 *
 * @example
 * ```ts
 * decodeTolerant(CreditsResponse, { credit: "19", currency: "€", extra: 1 })
 * // Result.succeed({ credit: 19, currency: "€", extra: 1 })
 * ```
 */
export const decodeTolerant = <S extends Schema.Decoder<unknown>>(
  schema: S,
  json: unknown,
): Result.Result<Tolerant<S["Type"]>, string> => {
  const decoded = Schema.decodeUnknownResult(schema)(json)
  if (Result.isFailure(decoded)) return Result.fail(decoded.failure.message)
  const value = decoded.success
  if (
    typeof json === "object" &&
    json !== null &&
    !Array.isArray(json) &&
    typeof value === "object"
  ) {
    return Result.succeed({ ...(json as object), ...(value as object) } as Tolerant<S["Type"]>)
  }
  return Result.succeed(value as Tolerant<S["Type"]>)
}
