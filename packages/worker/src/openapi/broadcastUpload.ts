import { CSV_PARAMETERS, MAX_CSV_BODY_BYTES } from "../broadcast/csvUpload.js"
import { MAX_BROADCAST_RECIPIENTS } from "../broadcast/recipientPlan.js"
import {
  BroadcastTtsMessage,
  BroadcastVoicemailMessage,
  broadcastFields,
} from "./requestSchemas.js"

/**
 * A CSV upload of `POST /v1/broadcasts` (`Content-Type: text/csv` or `application/csv`):
 * the body is the file, the broadcast's fields are query parameters (`CSV_PARAMETERS` of
 * `src/broadcast/csvUpload.ts`, read in the JSON body's shape and validated as it is).
 * Everything here is derived from the JSON body's schemas (`requestSchemas.ts`), read as a
 * query reads them — every value a string, `null` never, a boolean `true`/`false`, a number
 * as JavaScript's `Number` reads it — so the two forms cannot drift apart:
 *
 * - `csvQuerySchema`: the query as a whole, one alternative per type (and per form of a
 *   voice SMS's message), as the media types' `x-query` — what a validator needs, since
 *   OpenAPI 3.1 cannot make a parameter required for one value of another;
 * - `csvParameters`: each parameter, never stricter than the whole (its schema accepts its
 *   value in every type that reads it), its description saying which types require it;
 * - `csvBody`: the file.
 *
 * `test/openapiRequests.test.ts` feeds queries to the gateway's own reading (`csvFields`,
 * then `validateBroadcast`) and to these schemas, and through the real route.
 */

type Json = Readonly<Record<string, unknown>>

/** What `Number(value)` reads as a finite number (then checked finite: `1e400` is not). */
const QUERY_NUMBER =
  "^\\s*([+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?|0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+)\\s*$"

/** Keywords that only annotate (dropped from `x-query` and the parameters' schemas). */
const ANNOTATIONS = ["description", "deprecated", "examples", "title", "format"]

const assertions = (schema: Json | false): Json | false =>
  schema === false
    ? false
    : Object.fromEntries(Object.entries(schema).filter(([k]) => !ANNOTATIONS.includes(k)))

/**
 * A JSON value's schema as a query parameter's: `false` for a field that must be absent
 * (`null` only), the string part of a string-or-null, `true`/`false` for a boolean, a
 * number as `Number` reads it. A schema without a type (a field ignored) stays as it is.
 */
const asQuery = (schema: unknown): Json | false => {
  if (schema === false || schema === undefined) return false
  const s = schema as Json
  const types = s.type === undefined ? [] : Array.isArray(s.type) ? s.type : [s.type]
  if (types.length === 0) return s
  if (types.includes("boolean")) return { description: s.description, enum: ["true", "false"] }
  if (types.includes("number"))
    return { description: s.description, type: "string", pattern: QUERY_NUMBER }
  if (types.includes("string")) return { ...s, type: "string" }
  return false
}

type Role = "required" | "optional" | "ignored"

/** One alternative of the query: a type, and one form of its message. */
interface Alternative {
  readonly type: "voicemail" | "tts"
  readonly properties: Readonly<Record<string, Json | false>>
  readonly required: ReadonlyArray<string>
  readonly roles: Readonly<Record<string, Role>>
}

const TOP_LEVEL = ["name", "startAt", "notifyUrl", "dryRun"] as const

const column: Json = {
  type: "string",
  description:
    "The phone column: a header's name (case, accents and punctuation ignored) or its 1-based number. Absent: the one header that names a phone (`Téléphone`, `Tél. portable`, `Portable`, `Mobile`, `Phone`, `GSM`…), else the one that only says “number” (`Numéro`), else the only column; a file without a header row is read from its first column holding a number. One that cannot be told is a 400 naming `column`, listing the headers found.",
}

/** Where a parameter has no description of its own in the JSON body's schemas. */
const OWN_DESCRIPTIONS: Readonly<Record<string, string>> = {
  type: "`voicemail` (a voicemail drop) or `tts` (a text-to-speech voice SMS).",
  name: "The broadcast's name: 1 to 200 characters once trimmed.",
  speechRate:
    "Reading speed, 0.5 to 2 (1 by default), as JavaScript's `Number` reads it (`1.5`, `.8`, `2e-1`); a value outside is clamped, with a warning.",
}

const alternative = (type: "voicemail" | "tts", message: Json): Alternative => {
  const messageProperties = message.properties as Readonly<Record<string, unknown>>
  const messageRequired = message.required as ReadonlyArray<string>
  const properties: Record<string, Json | false> = {}
  const roles: Record<string, Role> = {}
  for (const name of CSV_PARAMETERS) {
    if (name === "type") {
      properties[name] = { const: type }
      roles[name] = "required"
    } else if (name === "column") {
      properties[name] = column
      roles[name] = "optional"
    } else if ((TOP_LEVEL as ReadonlyArray<string>).includes(name)) {
      properties[name] = asQuery(broadcastFields[name as (typeof TOP_LEVEL)[number]])
      roles[name] = "optional"
    } else if (messageProperties[name] === undefined) {
      // Not a field of this type's message: not read (a speech rate must still be a number).
      properties[name] =
        name === "speechRate" ? (asQuery({ type: "number" }) as Json) : { description: "Ignored." }
      roles[name] = "ignored"
    } else {
      properties[name] = asQuery(messageProperties[name])
      roles[name] = messageRequired.includes(name) ? "required" : "optional"
    }
  }
  return { type, properties, required: ["type", ...messageRequired], roles }
}

const alternatives: ReadonlyArray<Alternative> = [
  alternative("voicemail", BroadcastVoicemailMessage),
  ...(BroadcastTtsMessage.oneOf as ReadonlyArray<Json>).map((form) => alternative("tts", form)),
]

/**
 * The query of a CSV upload as a whole: an object of strings, one alternative per type and
 * message form; any other parameter is refused (`apiKey` is ignored, as in a JSON body).
 */
export const csvQuerySchema: Json = {
  description:
    "The query parameters of a CSV upload, as an object of strings (each parameter at most once).",
  oneOf: alternatives.map((a) => ({
    type: "object",
    required: a.required,
    additionalProperties: false,
    properties: {
      ...Object.fromEntries(Object.entries(a.properties).map(([k, v]) => [k, assertions(v)])),
      apiKey: { description: "Ignored: a key never belongs in a URL." },
    },
  })),
}

/** What a parameter is for each type: required, required unless another is given, ignored… */
const rolesOf = (name: string): string => {
  const parts: Array<string> = []
  for (const type of ["voicemail", "tts"] as const) {
    const of = alternatives.filter((a) => a.type === type)
    const requiring = of.filter((a) => a.required.includes(name))
    let role: string
    if (requiring.length === of.length) role = "required"
    else if (requiring.length > 0) {
      const always = of
        .flatMap((a) => a.required)
        .filter((r) => of.every((o) => o.required.includes(r)))
      const instead = of
        .filter((a) => !a.required.includes(name))
        .flatMap((a) => a.required)
        .filter((r) => !always.includes(r))
      role = `required unless ${[...new Set(instead)].map((r) => `\`${r}\``).join(" or ")} is given`
    } else if (of.every((a) => a.roles[name] === "ignored"))
      role = name === "speechRate" ? "ignored (but it must be a number)" : "ignored"
    else role = "optional"
    parts.push(`\`${type}\`: ${role}`)
  }
  const [voicemail, tts] = parts as [string, string]
  const same = voicemail.slice(voicemail.indexOf(":")) === tts.slice(tts.indexOf(":"))
  return same
    ? `CSV upload: ${voicemail.slice(voicemail.indexOf(":") + 2)}.`
    : `CSV upload — ${voicemail}; ${tts}.`
}

/** A parameter's schema: what it accepts in any type (never stricter than `x-query`). */
const parameterSchema = (name: string): Json => {
  const forms = alternatives
    .map((a) => a.properties[name])
    .filter((f) => f !== false) as Array<Json>
  if (name === "type") return { enum: [...new Set(forms.map((f) => f.const))] }
  const kept = forms.map((f) => assertions(f) as Json)
  // Ignored by one type: any string.
  if (kept.some((f) => Object.keys(f).length === 0)) return { type: "string" }
  const distinct = [...new Map(kept.map((f) => [JSON.stringify(f), f])).values()]
  return distinct.length === 1 ? (distinct[0] as Json) : { anyOf: distinct }
}

/** The description a parameter has in the JSON body's schemas, if any. */
const describedAs = (name: string): string | undefined => {
  if (OWN_DESCRIPTIONS[name] !== undefined) return OWN_DESCRIPTIONS[name]
  for (const a of alternatives) {
    const form = a.properties[name]
    if (form && a.roles[name] !== "ignored" && typeof form.description === "string")
      return form.description
  }
  return undefined
}

/** The query parameters of a CSV upload, in `CSV_PARAMETERS`' order. */
export const csvParameters: ReadonlyArray<Json> = CSV_PARAMETERS.map((name) => ({
  name,
  in: "query",
  required: false,
  description: [describedAs(name), rolesOf(name), "With a JSON body the query is not read."]
    .filter((d) => d !== undefined)
    .join(" "),
  schema: parameterSchema(name),
}))

/** The body of a CSV upload: the file. */
export const csvBody: Json = {
  schema: {
    type: "string",
    description: `The file as a CRM exports it: UTF-8, Windows-1252 or UTF-16 with a BOM, detected; \`;\`, \`,\` or tab, detected; quoted fields may hold delimiters and line breaks; Excel's \`="0612345678"\` is unwrapped. The phone column is found by its header or given by \`column\` (a file without a header row: its first column holding a number). Each row after the header is a recipient, numbered by its line in the file (the header is line 1); blank rows and cells count as \`empty\`. At most ${MAX_BROADCAST_RECIPIENTS.toLocaleString("en")} rows and ${MAX_CSV_BODY_BYTES} bytes (100 MB), read as a stream.`,
  },
  "x-query": csvQuerySchema,
}
