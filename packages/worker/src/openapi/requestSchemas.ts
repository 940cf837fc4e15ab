import { IDEMPOTENCY_KEY } from "../http/idempotency.js"
import { MAX_PREFER_WAIT_S } from "../http/preferWait.js"

/**
 * What the gateway ACCEPTS, as JSON Schema: the one place the document's request bodies,
 * parameters and headers come from. Core's validators are typed by TypeScript interfaces
 * and run code (trimming, normalising numbers, reading dates), so these are written out
 * here and kept honest by `test/openapiRequests.test.ts`, which feeds examples and
 * generated bodies through core's validators (as the routes call them) and through these
 * schemas: a schema never refuses what the gateway accepts, and it states every rule JSON
 * Schema can say. What it cannot say — a number's numbering plan, a date in the future, a
 * URL's scheme or the outbound policy, invisible characters — is checked by the gateway
 * (400 naming the field) and told in the descriptions.
 *
 * Patterns are ECMAScript regular expressions with the `u` flag.
 */

type Schema = Readonly<Record<string, unknown>>

/** A string holding something besides white space (core trims every string it reads). */
const SOMETHING = "\\S"

/** core's `scheduledDate` forms, around white space (`parseScheduledDate`). */
const DATE_TIME =
  "^\\s*\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}(:?\\d{2})?)?\\s*$"

/** The recipients of a send: a list, or one string of numbers. */
export const phoneNumbersSchema: Schema = {
  description:
    "The recipients: an array of numbers, or one string of numbers separated by commas, semicolons or newlines. French national forms (`06 12 34 56 78`) and international ones (`+32 470 12 34 56`) are read; each is normalised to E.164 and duplicates are removed (with a warning); at most 500 distinct numbers. An unreadable number is a 400 naming its index.",
  oneOf: [
    { type: "string", minLength: 1 },
    { type: "array", minItems: 1, items: { type: "string" } },
  ],
}

const text: Schema = {
  type: "string",
  pattern: "[\\p{L}\\p{N}]",
  description:
    "The text read to the recipients (each comma adds a 0.5 s pause). It must hold a letter or a digit.",
}
const tokenAudio: Schema = {
  type: "string",
  pattern: SOMETHING,
  description: "An approved audio file's token (`GET /v1/audios`).",
}
const absent: Schema = { type: "null", description: "Absent (or null)." }
const ignoredText: Schema = {
  description:
    "Ignored when `tokenAudio` is given, as Voice Partner does (the audio file is played; the answer warns).",
}

const lang: Schema = {
  type: ["string", "null"],
  // core lower-cases then wants two letters a-z: the Kelvin sign lower-cases to "k".
  pattern: "^\\s*[A-Za-z\\u212A]{2}\\s*$",
  description: "Two-letter language of the text, any case; `fr` when absent or null.",
}
/** A number, or a decimal number written in a string (core's `numberFrom`). */
const NUMERIC = "^\\s*[+-]?(\\d+(\\.\\d*)?|\\.\\d+)\\s*$"
const rate: Schema = { type: ["number", "string", "null"], pattern: NUMERIC }
const speechRate: Schema = {
  ...rate,
  description:
    'Reading speed, 0.5 to 2 (1 by default): a value outside is clamped, and a number written as a string (`"1"`) is read, each with a warning in the answer.',
}
const speed: Schema = {
  deprecated: true,
  description:
    "The name some of Voice Partner's samples use for `speechRate`: read as it (with a warning) when `speechRate` is absent, ignored otherwise.",
}
/** Refused: a `speed` that is not a rate, read because `speechRate` is absent or null. */
const badSpeed: Schema = {
  required: ["speed"],
  properties: { speechRate: { type: "null" }, speed: { not: rate } },
}
const notifyUrl: Schema = {
  type: ["string", "null"],
  format: "uri",
  pattern: SOMETHING,
  description:
    "Where delivery statuses go. An absolute https URL on a public host (plain http only for a host:port the deployment allow-lists), at most 2,048 characters, no user-info. The gateway gives Voice Partner its own signed callback URL and forwards each status here (else to the client's webhook), signed per Standard Webhooks.",
}
const scheduledDate: Schema = {
  type: ["string", "null"],
  maxLength: 64,
  pattern: DATE_TIME,
  description:
    "When to send, at most 365 days ahead and in the future: ISO 8601 (`2026-12-01T09:30`, with or without an offset) or Voice Partner's `2026-12-01 09:30:00`; without an offset, Paris time. Rounded up to the minute.",
}
const apiKey: Schema = {
  type: "string",
  deprecated: true,
  description:
    "Drop-in mode only: the client token where Voice Partner puts its API key (taken out before validation). Prefer `Authorization: Bearer`.",
}

/** The fields of a voice SMS besides the recipients, text and audio file. */
const ttsOptions = { lang, speechRate, speed, notifyUrl, scheduledDate }

const object = (required: ReadonlyArray<string>, properties: Schema, extra: Schema = {}) => ({
  type: "object",
  required,
  properties,
  ...extra,
})

/** `POST /v1/tts/send` with a text. */
export const TtsSendText = object(
  ["phoneNumbers", "text"],
  { phoneNumbers: phoneNumbersSchema, text, tokenAudio: absent, ...ttsOptions, apiKey },
  {
    title: "Voice SMS of a text",
    not: badSpeed,
    examples: [
      { phoneNumbers: "06 12 34 56 78", text: "Bonjour, votre rendez-vous est demain à 9 h" },
    ],
  },
)

/** `POST /v1/tts/send` with an audio file. */
export const TtsSendAudio = object(
  ["phoneNumbers", "tokenAudio"],
  { phoneNumbers: phoneNumbersSchema, tokenAudio, text: ignoredText, ...ttsOptions, apiKey },
  {
    title: "Voice SMS of an audio file",
    not: badSpeed,
    examples: [{ phoneNumbers: ["0612345678", "+32470123456"], tokenAudio: "dev-audio" }],
  },
)

const emailForNotification: Schema = {
  type: "string",
  pattern: "^\\s*[^\\s@]+@[^\\s@.]+(\\.[^\\s@.]+)+\\s*$",
  description: "Where Voice Partner e-mails the end-of-campaign report.",
}
const sender: Schema = {
  type: ["string", "null"],
  pattern: SOMETHING,
  description:
    "A mobile number recipients can call back, validated beforehand in Voice Partner's web app.",
}

/** `POST /v1/campaign/send`: a voicemail drop. */
export const CampaignSendInput = object(
  ["phoneNumbers", "tokenAudio", "emailForNotification"],
  {
    phoneNumbers: phoneNumbersSchema,
    tokenAudio,
    emailForNotification,
    sender,
    scheduledDate,
    notifyUrl: {
      ...notifyUrl,
      description: `${notifyUrl.description as string} A voicemail drop's status is campaign-level.`,
    },
    apiKey,
  },
  {
    description:
      "A voicemail drop: on a mobile the message goes straight to voicemail; a landline RINGS and gets the message only if nobody answers (the answer's warnings count them).",
    examples: [
      {
        phoneNumbers: "06 12 34 56 78",
        tokenAudio: "dev-audio",
        emailForNotification: "ops@example.com",
      },
    ],
  },
)

/** `POST /v1/audio-file/rename`. */
export const RenameAudioInput = object(
  ["tokenAudio", "filename"],
  {
    tokenAudio,
    filename: {
      type: "string",
      pattern: SOMETHING,
      description: "The new name: 3 to 50 characters once trimmed.",
    },
    apiKey,
  },
  { examples: [{ tokenAudio: "dev-audio", filename: "Rappel RDV" }] },
)

/** The message of a broadcast: a send's fields without recipients, callback URL or date. */
const inBroadcast = (schema: Schema): Schema => {
  const {
    phoneNumbers: _numbers,
    notifyUrl: _url,
    scheduledDate: _date,
    apiKey: _key,
    ...properties
  } = schema.properties as Schema
  const required = (schema.required as ReadonlyArray<string>).filter((r) => r !== "phoneNumbers")
  const { title: _title, examples: _examples, description: _description, ...rest } = schema
  return {
    ...rest,
    required,
    // Given here, they are refused: `recipients`, `notifyUrl` and `startAt` say them.
    properties: { ...properties, phoneNumbers: false, notifyUrl: false, scheduledDate: false },
  }
}

/** A voice SMS broadcast's message (`type: "tts"`). */
export const BroadcastTtsMessage: Schema = {
  description:
    "The voice SMS every chunk sends, as for `POST /v1/tts/send` but without `phoneNumbers`, `notifyUrl` and `scheduledDate` (the broadcast's `recipients`, `notifyUrl` and `startAt`).",
  oneOf: [inBroadcast(TtsSendText), inBroadcast(TtsSendAudio)],
}

/** A voicemail broadcast's message (`type: "voicemail"`). */
export const BroadcastVoicemailMessage: Schema = {
  ...inBroadcast(CampaignSendInput),
  description:
    "The voicemail drop every chunk sends, as for `POST /v1/campaign/send` but without `phoneNumbers`, `notifyUrl` and `scheduledDate`.",
}

/** The broadcast fields besides `type` and `message`. */
export const broadcastFields = {
  recipients: {
    type: "array",
    maxItems: 1_000_000,
    items: { type: "string" },
    description:
      "Every recipient, one number per entry (as for sends); invalid and duplicate rows are counted in the plan, never sent.",
  },
  name: { type: "string", maxLength: 200, pattern: SOMETHING },
  startAt: {
    ...scheduledDate,
    description:
      "When the broadcast starts (as a send's `scheduledDate`): at most 365 days ahead; absent, now.",
  },
  notifyUrl,
  dryRun: {
    type: "boolean",
    description: "`true`: the plan only (200), nothing stored or sent.",
  },
}

/** The path segment of a campaign id (core's `CancelCampaign` rule). */
export const CampaignIdSchema: Schema = {
  type: "string",
  pattern: "^[A-Za-z0-9_-]{1,100}$",
  examples: ["NDA_20261123_00001"],
}

/** `Idempotency-Key` (the gateway's rule: 1 to 255 visible ASCII characters). */
export const IdempotencyKeySchema: Schema = {
  type: "string",
  // The same rule as `IDEMPOTENCY_KEY`, written for JSON Schema (no \x escapes needed).
  pattern: IDEMPOTENCY_KEY.source.replace("\\x21-\\x7e", "!-~"),
  examples: ["order-2026-0042"],
}

/** `Prefer: wait=N`. */
export const PreferSchema: Schema = {
  type: "string",
  examples: [`wait=${MAX_PREFER_WAIT_S}`],
}
