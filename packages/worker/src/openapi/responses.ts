import { MAX_BODY_BYTES } from "../http/middleware.js"
import { MAX_PREFER_WAIT_S } from "../http/preferWait.js"
import { CampaignIdSchema, IdempotencyKeySchema, PreferSchema } from "./requestSchemas.js"

// The pieces every operation of the document is made of: the one error component, the
// gateway's response fields, the shared parameters, and how an answer is written.

type Json = Readonly<Record<string, unknown>>

/** The one error component: every error answer of every route is this body. */
export const ERROR: Json = { $ref: "#/components/schemas/Error" }

/** A component schema by name. */
export const schemaRef = (name: string): Json => ({ $ref: `#/components/schemas/${name}` })

/** The gateway's response fields, as `components.headers`. */
export const headerComponents: Json = {
  RateLimit: {
    description:
      'What is left of each quota window (IETF RateLimit fields): `"campaign-send-60s";r=0;t=42` — r requests left, t seconds until a slot frees.',
    schema: { type: "string" },
  },
  "RateLimit-Policy": {
    description:
      'Each quota window of the endpoint: `"campaign-send-60s";q=5;w=60` — q requests per w seconds.',
    schema: { type: "string" },
  },
  "Retry-After": {
    description: "Seconds to wait before trying again.",
    schema: { type: "integer", minimum: 1 },
  },
  "X-Gateway-Send-Id": {
    description:
      "The gateway's id of a send that may have gone out (also `GET /v1/campaigns/{id}`); absent when nothing was sent.",
    schema: { type: "string" },
  },
  "Idempotent-Replayed": {
    description:
      "`true`: the stored answer of an earlier request with this `Idempotency-Key`; nothing was sent again.",
    schema: { type: "string", const: "true" },
  },
  "Preference-Applied": {
    description: "`wait=N`: the request waited for a quota slot, as `Prefer` asked.",
    schema: { type: "string" },
  },
  "WWW-Authenticate": {
    description: 'The scheme to authenticate with: `Bearer realm="voicepartner-gateway"`.',
    schema: { type: "string" },
  },
  Allow: { description: "The methods of this path.", schema: { type: "string" } },
  Location: { description: "Where the created resource is.", schema: { type: "string" } },
  "Content-Disposition": {
    description: 'A download\'s file name: `attachment; filename="bc_….csv"`.',
    schema: { type: "string" },
  },
}

export type Header = keyof typeof headerComponents & string

const headers = (names: ReadonlyArray<Header>): Json | undefined =>
  names.length === 0
    ? undefined
    : Object.fromEntries(names.map((n) => [n, { $ref: `#/components/headers/${n}` }]))

/** A JSON answer. */
export const answer = (
  description: string,
  schema: Json,
  names: ReadonlyArray<Header> = [],
  media = "application/json",
): Json => {
  const h = headers(names)
  return { description, ...(h !== undefined && { headers: h }), content: { [media]: { schema } } }
}

/** An error answer: always the shared error component. */
export const failure = (description: string, names: ReadonlyArray<Header> = []): Json =>
  answer(description, ERROR, names)

/** The shared parameters, as `components.parameters`. */
export const parameterComponents: Json = {
  IdempotencyKey: {
    name: "Idempotency-Key",
    in: "header",
    required: false,
    description:
      "Same key and same request within 24 h: the stored answer (`Idempotent-Replayed: true`), never a second send; with another request, 422; while the first is being sent, 409. Kept per client. A malformed key is a 400 naming `Idempotency-Key`.",
    schema: IdempotencyKeySchema,
  },
  Prefer: {
    name: "Prefer",
    in: "header",
    required: false,
    description: `\`wait=N\` (N ≤ ${MAX_PREFER_WAIT_S}): wait up to N s for a quota slot instead of a 429 (\`Preference-Applied\` says so).`,
    schema: PreferSchema,
  },
  CampaignId: {
    name: "campaignId",
    in: "path",
    required: true,
    description:
      "Voice Partner's campaign id (or, for `GET /v1/campaigns`, the gateway's `X-Gateway-Send-Id`).",
    schema: CampaignIdSchema,
  },
  ApiKeyInPath: {
    name: "apiKey",
    in: "path",
    required: true,
    description:
      "Drop-in mode: the client token where Voice Partner puts its key. It ends up in access logs: prefer `Authorization: Bearer`.",
    schema: { type: "string" },
  },
}

export const parameterRef = (name: keyof typeof parameterComponents & string): Json => ({
  $ref: `#/components/parameters/${name}`,
})

/** Error descriptions shared by the routes (a route may say more). */
export const errors = {
  invalidBody: `\`VALIDATION_ERROR\` (\`error.field\` names the first faulty field, \`error.issues\` lists them all, numbers with their index) or \`INVALID_JSON\` (not a JSON object).`,
  unauthorized:
    "`UNAUTHORIZED`: no or unknown client token. From a browser (a request with `Origin`), the token must be in `Authorization: Bearer`.",
  forbidden:
    "`FORBIDDEN`: the client may not use this operation; or, from a browser, `Origin` is not one of the client's `allowedOrigins` (`error.field`: `Origin`).",
  methodNotAllowed: "`METHOD_NOT_ALLOWED`: `Allow` lists this path's methods.",
  tooLarge: `\`PAYLOAD_TOO_LARGE\`: the body exceeds ${MAX_BODY_BYTES} bytes.`,
  misconfigured:
    "`GATEWAY_MISCONFIGURED`: a binding is missing or malformed (the message names it, never its value); `INTERNAL_ERROR` otherwise.",
} as const
