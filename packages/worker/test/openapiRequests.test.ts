// The document's request schemas against what the gateway really accepts: every example,
// and thousands of generated bodies, go through core's validators (as the routes call
// them) and through the document's JSON Schema. A schema never refuses what the gateway
// accepts; where it accepts what the gateway refuses, the reason is a rule JSON Schema
// cannot say (a phone number's plan, a date in the future, a URL's scheme), on a field
// listed below — anything else is a structural rule the document failed to state. The
// examples also go to the real route (workerd, the emulator upstream): 200 or 400.

import type { ValidationError } from "@voicepartner/core/errors/ValidationError"
import { CampaignSend } from "@voicepartner/core/operations/CampaignSend"
import { CancelCampaign } from "@voicepartner/core/operations/CancelCampaign"
import { RenameAudio } from "@voicepartner/core/operations/RenameAudio"
import { TtsSend } from "@voicepartner/core/operations/TtsSend"
import * as Result from "effect/Result"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { validateBroadcast } from "../src/broadcast/broadcastRequest.js"
import { CSV_PARAMETERS, csvFields } from "../src/broadcast/csvUpload.js"
import { planRecipients } from "../src/broadcast/recipientPlan.js"
import type { ApiError } from "../src/http/apiError.js"
import { IDEMPOTENCY_KEY } from "../src/http/idempotency.js"
import { requestBodySchema } from "../src/openapi/conformance.js"
import { checkJson, type JsonSchema } from "../src/openapi/jsonSchema.js"
import { openApiDocument } from "../src/openapi/openApiDocument.js"
import { sendLimits } from "../src/routes/sendSteps.js"
import { answer, gateway, useHarness } from "./harness.js"
import { TOKENS } from "./testEnv.js"

useHarness()

const doc = openApiDocument()
const NOW = Date.now()
const DAY = 86_400_000
/** `YYYY-MM-DDTHH:MMZ`, `days` from now. */
const isoIn = (days: number) => `${new Date(NOW + days * DAY).toISOString().slice(0, 16)}Z`
/** Paris wall-clock, as the upstream writes it. */
const parisIn = (days: number) =>
  new Date(NOW + days * DAY).toLocaleString("sv-SE", { timeZone: "Europe/Paris" }).slice(0, 16)

type Verdict = { readonly ok: true } | { readonly ok: false; readonly fields: Array<string> }

const verdict = (result: Result.Result<unknown, ValidationError>): Verdict =>
  Result.isSuccess(result)
    ? { ok: true }
    : { ok: false, fields: [...new Set(result.failure.issues.map((i) => i.field))] }

/** The body as `jsonBody` leaves it (`apiKey` taken out), validated as the send routes do. */
const send =
  (operation: typeof TtsSend | typeof CampaignSend) =>
  (body: Record<string, unknown>): Verdict => {
    const { apiKey: _token, ...rest } = body
    return verdict(operation.validate({ ...rest, onInvalidRecipients: "fail" }, sendLimits(NOW)))
  }

interface Route {
  readonly method: string
  readonly path: string
  readonly gateway: (body: Record<string, unknown>) => Verdict
  /** Fields whose rules JSON Schema cannot state: the schema accepts more there. */
  readonly semantic: ReadonlyArray<string>
}

const routes = {
  tts: {
    method: "POST",
    path: "/v1/tts/send",
    gateway: send(TtsSend),
    semantic: ["phoneNumbers", "tokenAudio", "notifyUrl", "scheduledDate"],
  },
  campaign: {
    method: "POST",
    path: "/v1/campaign/send",
    gateway: send(CampaignSend),
    semantic: ["phoneNumbers", "tokenAudio", "sender", "notifyUrl", "scheduledDate"],
  },
  rename: {
    method: "POST",
    path: "/v1/audio-file/rename",
    gateway: (body) => verdict(RenameAudio.validate(body, { now: NOW })),
    semantic: ["tokenAudio", "filename"],
  },
} satisfies Record<string, Route>

const schemaAccepts = (route: Route, body: unknown) =>
  checkJson(requestBodySchema(doc, route.method, route.path), body, doc)

/**
 * What the real route did with a body (a Bearer client that may do everything):
 * `refused` by the gateway's validation (400), or `passed` it — sent, or refused by Voice
 * Partner afterwards (its own code, e.g. an unauthorised sender of the emulator).
 */
const viaRoute = async (path: string, body: unknown): Promise<"passed" | "refused" | number> => {
  const a = await answer(await gateway(path, { token: TOKENS.alpha, json: body }))
  if (a.status === 200) return "passed"
  if (a.json.code !== undefined && a.json.code === a.json.error?.code) return "passed"
  return a.status === 400 ? "refused" : a.status
}

type Case = readonly [string, Record<string, unknown>]

/** Both accept. */
const valid: Record<keyof typeof routes, ReadonlyArray<Case>> = {
  tts: [
    ["README's voice SMS", { phoneNumbers: "06 12 34 56 78", text: "Bonjour, à demain 9 h" }],
    ["a list of numbers", { phoneNumbers: ["0612345678", "+32 470 12 34 56"], text: "Bonjour" }],
    ["numbers split by ; and newlines", { phoneNumbers: "0612345678;\n0612345679", text: "Hi" }],
    ["no lang: fr by default", { phoneNumbers: "0612345678", text: "Bonjour" }],
    ["lang in capitals, spaced", { phoneNumbers: "0612345678", text: "Hello", lang: " EN " }],
    ["lang null", { phoneNumbers: "0612345678", text: "Bonjour", lang: null }],
    ["a speech rate clamped", { phoneNumbers: "0612345678", text: "Bonjour", speechRate: 3 }],
    ["an audio file", { phoneNumbers: "0612345678", tokenAudio: "dev-audio" }],
    [
      "text null with an audio file",
      { phoneNumbers: "0612345678", text: null, tokenAudio: "dev-audio" },
    ],
    ["ISO date ahead", { phoneNumbers: "0612345678", text: "Hi", scheduledDate: isoIn(3) }],
    ["upstream date", { phoneNumbers: "0612345678", text: "Hi", scheduledDate: parisIn(3) }],
    ["a notifyUrl", { phoneNumbers: "0612345678", text: "Hi", notifyUrl: "https://a.example/h" }],
    ["an unknown field (ignored)", { phoneNumbers: "0612345678", text: "Hi", colour: "blue" }],
    ["drop-in apiKey", { apiKey: "token", phoneNumbers: "0612345678", text: "Hi" }],
    ["text of zero-width and a digit", { phoneNumbers: "0612345678", text: "\u200b1" }],
    [
      "text and tokenAudio: the audio wins",
      { phoneNumbers: "0612345678", text: 5, tokenAudio: "dev-audio" },
    ],
    [
      "speechRate written as a string",
      { phoneNumbers: "0612345678", text: "Hi", speechRate: " 1.5 " },
    ],
    ["speechRate null", { phoneNumbers: "0612345678", text: "Hi", speechRate: null }],
    ["speed, the samples' name", { phoneNumbers: "0612345678", text: "Hi", speed: "1" }],
    [
      "speed ignored beside speechRate",
      { phoneNumbers: "06 12 34 56 78", text: "Hi", speechRate: 1, speed: "x" },
    ],
  ],
  campaign: [
    [
      "a voicemail drop",
      { phoneNumbers: "0612345678", tokenAudio: "dev-audio", emailForNotification: "o@x.fr" },
    ],
    [
      "a list, a sender, a date",
      {
        phoneNumbers: ["0612345678", "0123456789"],
        tokenAudio: "dev-audio",
        emailForNotification: " ops@example.com ",
        sender: "0612345678",
        scheduledDate: isoIn(1),
      },
    ],
    [
      "nulls for optionals",
      {
        phoneNumbers: "0612345678",
        tokenAudio: "a",
        emailForNotification: "o@x.fr",
        sender: null,
        notifyUrl: null,
        scheduledDate: null,
      },
    ],
  ],
  rename: [
    ["a rename", { tokenAudio: "dev-audio", filename: "Rappel RDV" }],
    ["a spaced name of 3", { tokenAudio: "dev-audio", filename: "  abc  " }],
    ["a name of 50", { tokenAudio: "dev-audio", filename: "x".repeat(50) }],
  ],
}

/** Both refuse. */
const invalid: Record<keyof typeof routes, ReadonlyArray<Case>> = {
  tts: [
    ["no numbers", { text: "Hi" }],
    ["numbers null", { phoneNumbers: null, text: "Hi" }],
    ["numbers as a number", { phoneNumbers: 612345678, text: "Hi" }],
    ["an empty list", { phoneNumbers: [], text: "Hi" }],
    ["a list with a number", { phoneNumbers: [612345678], text: "Hi" }],
    ["an empty string of numbers", { phoneNumbers: "", text: "Hi" }],
    ["neither text nor tokenAudio", { phoneNumbers: "0612345678" }],
    ["both null", { phoneNumbers: "0612345678", text: null, tokenAudio: null }],
    ["an empty text", { phoneNumbers: "0612345678", text: "" }],
    ["a text with nothing to read", { phoneNumbers: "0612345678", text: " ,,, " }],
    ["zero-width only", { phoneNumbers: "0612345678", text: "\u200b\u200b" }],
    ["a text as a number", { phoneNumbers: "0612345678", text: 5 }],
    ["speechRate in words", { phoneNumbers: "0612345678", text: "Hi", speechRate: "fast" }],
    ["speed in words", { phoneNumbers: "0612345678", text: "Hi", speed: "fast" }],
    ["speechRate NaN", { phoneNumbers: "0612345678", text: "Hi", speechRate: "NaN" }],
    ["speechRate true", { phoneNumbers: "0612345678", text: "Hi", speechRate: true }],
    ["an empty tokenAudio with a text", { phoneNumbers: "0612345678", text: "Hi", tokenAudio: "" }],
    ["a three-letter lang", { phoneNumbers: "0612345678", text: "Hi", lang: "fra" }],
    ["an empty lang", { phoneNumbers: "0612345678", text: "Hi", lang: "" }],
    ["a date in words", { phoneNumbers: "0612345678", text: "Hi", scheduledDate: "tomorrow" }],
    ["a date as a number", { phoneNumbers: "0612345678", text: "Hi", scheduledDate: 1 }],
    ["a notifyUrl as a number", { phoneNumbers: "0612345678", text: "Hi", notifyUrl: 1 }],
    ["an empty notifyUrl", { phoneNumbers: "0612345678", text: "Hi", notifyUrl: " " }],
  ],
  campaign: [
    ["no tokenAudio", { phoneNumbers: "0612345678", emailForNotification: "o@x.fr" }],
    ["tokenAudio null", { phoneNumbers: "06", tokenAudio: null, emailForNotification: "o@x.fr" }],
    ["no e-mail", { phoneNumbers: "0612345678", tokenAudio: "a" }],
    [
      "a bad e-mail",
      { phoneNumbers: "0612345678", tokenAudio: "a", emailForNotification: "ops@example" },
    ],
    [
      "an empty sender",
      { phoneNumbers: "0612345678", tokenAudio: "a", emailForNotification: "o@x.fr", sender: "" },
    ],
  ],
  rename: [
    ["no filename", { tokenAudio: "dev-audio" }],
    ["a blank filename", { tokenAudio: "dev-audio", filename: "   " }],
    ["no tokenAudio", { filename: "Rappel" }],
    ["a filename as a number", { tokenAudio: "dev-audio", filename: 12345 }],
  ],
}

/** The schema accepts, the gateway refuses on a semantic field. */
const semantic: Record<keyof typeof routes, ReadonlyArray<Case>> = {
  tts: [
    ["a number that is not one", { phoneNumbers: "12", text: "Hi" }],
    ["a date past", { phoneNumbers: "0612345678", text: "Hi", scheduledDate: isoIn(-1) }],
    ["a date too far", { phoneNumbers: "0612345678", text: "Hi", scheduledDate: isoIn(400) }],
    ["no such day", { phoneNumbers: "0612345678", text: "Hi", scheduledDate: "2030-02-30 10:00" }],
    ["an ftp notifyUrl", { phoneNumbers: "0612345678", text: "Hi", notifyUrl: "ftp://a.b/" }],
    ["a zero-width token", { phoneNumbers: "0612345678", tokenAudio: "\u200b" }],
  ],
  campaign: [
    [
      "a sender that is not a number",
      { phoneNumbers: "0612345678", tokenAudio: "a", emailForNotification: "o@x.fr", sender: "x" },
    ],
  ],
  rename: [
    ["a name of 2", { tokenAudio: "dev-audio", filename: "ab" }],
    ["a name of 51", { tokenAudio: "dev-audio", filename: "x".repeat(51) }],
  ],
}

describe("request schemas agree with what the gateway accepts", () => {
  for (const [name, route] of Object.entries(routes) as Array<[keyof typeof routes, Route]>) {
    describe(`${route.method} ${route.path}`, () => {
      it.each(valid[name])("both accept: %s", async (_, body) => {
        expect(route.gateway(body)).toEqual({ ok: true })
        expect(schemaAccepts(route, body)).toEqual([])
        expect(await viaRoute(route.path, body)).toBe("passed")
      })
      it.each(invalid[name])("both refuse: %s", async (_, body) => {
        expect(route.gateway(body).ok).toBe(false)
        expect(schemaAccepts(route, body)).not.toEqual([])
        expect(await viaRoute(route.path, body)).toBe("refused")
      })
      it.each(semantic[name])("only the gateway can tell: %s", async (_, body) => {
        const verdict = route.gateway(body)
        expect(verdict.ok).toBe(false)
        if (!verdict.ok) for (const field of verdict.fields) expect(route.semantic).toContain(field)
        expect(schemaAccepts(route, body)).toEqual([])
        expect(await viaRoute(route.path, body)).toBe("refused")
      })
    })
  }
})

// Values a client might send, right and wrong, for every field of every route.
const text = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: "binary", maxLength: 6 }),
  fc.constantFrom("", " ", "Bonjour", " ,,, ", "\u200b", "\u200bA", "x".repeat(51), "abc"),
)
const phone = fc.constantFrom("0612345678", "06 12 34 56 78", "+32470123456", "0123456789", "12")
const value = fc.oneof(
  { weight: 3, arbitrary: text },
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
  fc.array(text, { maxLength: 2 }),
)
const fields = {
  phoneNumbers: fc.oneof(
    { weight: 4, arbitrary: phone },
    { weight: 2, arbitrary: fc.array(phone, { maxLength: 3 }) },
    fc.constant("0612345678,0612345679"),
    value,
  ),
  text: fc.oneof({ weight: 3, arbitrary: fc.constantFrom("Bonjour", "1") }, value),
  tokenAudio: fc.oneof({ weight: 3, arbitrary: fc.constantFrom("dev-audio", " a ") }, value),
  lang: fc.oneof(fc.constantFrom("fr", "EN", " de ", "fra", "f", "\u212Aa"), value),
  speechRate: fc.oneof(fc.constantFrom(0.4, 1, 2.5, "1", " .5 ", "1e3", "-1."), value),
  speed: fc.oneof(fc.constantFrom(1, "1.5", "fast"), value),
  notifyUrl: fc.oneof(
    fc.constantFrom("https://a.example/h", "http://b.example", "ftp://x", "https://", "nope"),
    value,
  ),
  scheduledDate: fc.oneof(
    fc.constantFrom(
      isoIn(2),
      parisIn(2),
      ` ${isoIn(2)} `,
      isoIn(-2),
      isoIn(500),
      "2030-02-30 10:00",
    ),
    fc.constantFrom(`${isoIn(2).slice(0, 16)}:30.5+01:00`, `${isoIn(2).slice(0, 16)}+0100`),
    value,
  ),
  emailForNotification: fc.oneof(
    fc.constantFrom("ops@example.com", " o@x.fr ", "ops@example", "a@b.c.d", "@x.fr"),
    value,
  ),
  sender: fc.oneof(phone, value),
  filename: fc.oneof(fc.constantFrom("abc", " abc ", "ab", "x".repeat(50), "😀😀"), value),
  extra: value,
}

describe("generated bodies: the schema never refuses what the gateway accepts", () => {
  for (const [name, route] of Object.entries(routes) as Array<[keyof typeof routes, Route]>) {
    it(`${route.method} ${route.path}`, () => {
      fc.assert(
        fc.property(fc.record(fields, { requiredKeys: [] }), (generated) => {
          const body = generated as Record<string, unknown>
          const gateway = route.gateway(body)
          const problems = schemaAccepts(route, body)
          if (gateway.ok) expect(problems, JSON.stringify(body)).toEqual([])
          else if (problems.length === 0)
            for (const field of gateway.fields)
              expect(route.semantic, `${name}: ${JSON.stringify(body)}`).toContain(field)
        }),
        { numRuns: 3000 },
      )
    })
  }
})

describe("parameters", () => {
  const parameter = (path: string, method: string, name: string): JsonSchema => {
    // biome-ignore lint/suspicious/noExplicitAny: the document is walked as plain JSON
    const d = doc as any
    const resolved = (p: { $ref?: string }) =>
      p.$ref === undefined ? p : d.components.parameters[p.$ref.split("/").at(-1) as string]
    const found = [...(d.paths[path][method].parameters ?? [])]
      .map(resolved)
      .find((p: { name: string }) => p.name === name)
    expect(found, `${method} ${path} ${name}`).toBeDefined()
    return found.schema
  }

  it.each(["NDA_20261123_00001", "abc-1", "a".repeat(100), "../me", "a b", "", "a".repeat(101)])(
    "campaignId %s: the path's schema agrees with core's rule",
    (id) => {
      const core = Result.isSuccess(CancelCampaign.validate({ campaignId: id }, { now: NOW }))
      for (const path of ["/v1/campaign/cancel/{campaignId}", "/v1/campaigns/{campaignId}"]) {
        const method = path.includes("cancel") ? "delete" : "get"
        expect(checkJson(parameter(path, method, "campaignId"), id, doc).length === 0).toBe(core)
      }
    },
  )

  it.each(["order-42", "x".repeat(255), "x".repeat(256), "with space", "", "é"])(
    "Idempotency-Key %s: the header's schema agrees with the gateway's rule",
    (key) => {
      for (const path of ["/v1/tts/send", "/v1/campaign/send"])
        expect(checkJson(parameter(path, "post", "Idempotency-Key"), key, doc).length === 0).toBe(
          IDEMPOTENCY_KEY.test(key),
        )
    },
  )
})

describe("POST /v1/broadcasts (the route itself, as a dry run: nothing stored)", () => {
  const schema = () => requestBodySchema(doc, "POST", "/v1/broadcasts")
  const accepted = async (body: Record<string, unknown>) => {
    const outcome = await viaRoute("/v1/broadcasts", { dryRun: true, ...body })
    expect(["passed", "refused"]).toContain(outcome)
    return outcome === "passed"
  }
  const voicemail = { tokenAudio: "dev-audio", emailForNotification: "ops@example.com" }
  it.each<[string, Record<string, unknown>, boolean]>([
    [
      "a voicemail broadcast",
      { type: "voicemail", message: voicemail, recipients: ["0612345678"] },
      true,
    ],
    [
      "a voice SMS broadcast",
      { type: "tts", message: { text: "Bonjour" }, recipients: ["0612345678"] },
      true,
    ],
    [
      "with every field",
      {
        type: "tts",
        message: { tokenAudio: "dev-audio", lang: "fr" },
        recipients: ["0612345678", "0612345679"],
        name: "Rappels",
        startAt: isoIn(1),
        notifyUrl: "https://a.example/h",
        dryRun: true,
      },
      true,
    ],
    ["no type", { message: voicemail, recipients: ["0612345678"] }, false],
    ["another type", { type: "sms", message: voicemail, recipients: ["0612345678"] }, false],
    [
      "numbers in the message",
      {
        type: "voicemail",
        message: { ...voicemail, phoneNumbers: "06" },
        recipients: ["0612345678"],
      },
      false,
    ],
    [
      "a date in the message",
      { type: "tts", message: { text: "Hi", scheduledDate: isoIn(1) }, recipients: ["0612345678"] },
      false,
    ],
    [
      "an unknown field",
      { type: "tts", message: { text: "Hi" }, recipients: ["0612345678"], colour: 1 },
      false,
    ],
    [
      "recipients as a string",
      { type: "tts", message: { text: "Hi" }, recipients: "0612345678" },
      false,
    ],
    [
      "dryRun as a string",
      { type: "tts", message: { text: "Hi" }, recipients: ["0612345678"], dryRun: "yes" },
      false,
    ],
    [
      "a voicemail message without e-mail",
      { type: "voicemail", message: { tokenAudio: "a" }, recipients: ["0612345678"] },
      false,
    ],
  ])("%s", async (_, body, expected) => {
    expect(await accepted(body)).toBe(expected)
    expect(checkJson(schema(), body, doc).length === 0).toBe(expected)
  })
})

describe("POST /v1/broadcasts with a CSV upload: the query's schema agrees with the gateway", () => {
  // biome-ignore lint/suspicious/noExplicitAny: the document is walked as plain JSON
  const create = () => (doc as any).paths["/v1/broadcasts"].post
  const querySchema = (): JsonSchema => create().requestBody.content["text/csv"]["x-query"]
  /** Each documented query parameter's own schema (what a client generator sees). */
  const parameterSchema = (name: string): JsonSchema =>
    create().parameters.find((p: { name?: string }) => p.name === name).schema

  const refusedFields = (error: ApiError): Verdict => {
    const e = (error.body as { error: { issues?: ReadonlyArray<{ readonly field: string }> } })
      .error
    return { ok: false, fields: [...new Set((e.issues ?? []).map((i) => i.field))] }
  }
  /** What the route checks before it reads the body: the parameters, then the broadcast. */
  const gatewayReads = (query: Record<string, string>): Verdict => {
    const read = csvFields(
      new URL(`https://gateway.test/v1/broadcasts?${new URLSearchParams(query)}`),
    )
    if (!read.ok) return refusedFields(read.error)
    const checked = validateBroadcast(read.fields, planRecipients(["+33600000000"]), {
      now: NOW,
      quota: {},
      naming: "query",
    })
    return checked.ok ? { ok: true } : refusedFields(checked.error)
  }
  const schemaAccepts = (query: Record<string, string>) => {
    const problems = checkJson(querySchema(), query, doc)
    // Each parameter's own schema never refuses what the whole query's accepts.
    if (problems.length === 0)
      for (const [name, value] of Object.entries(query))
        if (CSV_PARAMETERS.includes(name))
          expect(checkJson(parameterSchema(name), value, doc), `${name}=${value}`).toEqual([])
    return problems
  }
  /** The real route, with a one-number file: 200 (a dry run) or 201 passed, 400 refused. */
  const viaCsvRoute = async (query: Record<string, string>) => {
    const a = await answer(
      await gateway(`/v1/broadcasts?${new URLSearchParams(query)}`, {
        token: TOKENS.alpha,
        method: "POST",
        headers: { "content-type": "text/csv" },
        body: "Téléphone\r\n06 12 34 56 78\r\n",
      }),
    )
    return a.status === 200 || a.status === 201 ? "passed" : a.status === 400 ? "refused" : a.status
  }
  /** The rules JSON Schema cannot state: the schema accepts more there. */
  const SEMANTIC = ["tokenAudio", "sender", "notifyUrl", "startAt", "speechRate", "name"]

  const voicemail = { type: "voicemail", tokenAudio: "dev-audio", emailForNotification: "o@x.fr" }
  const both: ReadonlyArray<readonly [string, Record<string, string>]> = [
    ["README's upload", { ...voicemail, name: "Relance novembre" }],
    [
      "every voicemail parameter",
      {
        ...voicemail,
        sender: "06 12 34 56 78",
        startAt: parisIn(2),
        notifyUrl: "https://a.example/h",
        dryRun: "false",
        column: "téléphone",
      },
    ],
    ["a voicemail ignores text and lang", { ...voicemail, text: " ,,, ", lang: "xyz" }],
    ["a voicemail reads speechRate, then ignores it", { ...voicemail, speechRate: "1" }],
    ["a voice SMS of a text", { type: "tts", text: "Bonjour" }],
    ["a voice SMS of an audio file", { type: "tts", tokenAudio: "dev-audio" }],
    ["text and tokenAudio: the audio wins", { type: "tts", text: "", tokenAudio: "dev-audio" }],
    [
      "a voice SMS ignores emailForNotification and sender",
      {
        type: "tts",
        text: "Hi",
        emailForNotification: "nope",
        sender: "",
      },
    ],
    ["lang spaced, in capitals", { type: "tts", text: "Hello", lang: " EN " }],
    ...["1", " .5 ", "-1", "1e1", "0x10", "2."].map(
      (rate) => [`speechRate ${rate}`, { type: "tts", text: "Hi", speechRate: rate }] as const,
    ),
    ["startAt in ISO 8601", { type: "tts", text: "Hi", startAt: isoIn(1), dryRun: "true" }],
    ["apiKey (ignored)", { type: "tts", text: "Hi", apiKey: "token", dryRun: "true" }],
  ]
  const neither: ReadonlyArray<readonly [string, Record<string, string>]> = [
    ["no type", { tokenAudio: "dev-audio", emailForNotification: "o@x.fr" }],
    ["another type", { ...voicemail, type: "sms" }],
    ["a voicemail without e-mail", { type: "voicemail", tokenAudio: "dev-audio" }],
    ["a voicemail without audio", { type: "voicemail", emailForNotification: "o@x.fr" }],
    ["a voicemail with a bad e-mail", { ...voicemail, emailForNotification: "ops@example" }],
    ["a voicemail with an empty tokenAudio", { ...voicemail, tokenAudio: " " }],
    ["a voicemail with a speechRate in words", { ...voicemail, speechRate: "fast" }],
    ["a voice SMS of nothing", { type: "tts" }],
    ["a text with nothing to read", { type: "tts", text: " ,,, " }],
    ["a three-letter lang", { type: "tts", text: "Hi", lang: "fra" }],
    ["an empty lang", { type: "tts", text: "Hi", lang: "" }],
    ...["", "fast", "Infinity", "1,5", "0x", "-0x1"].map(
      (rate) => [`speechRate "${rate}"`, { type: "tts", text: "Hi", speechRate: rate }] as const,
    ),
    ["an unknown parameter", { type: "tts", text: "Hi", colour: "blue" }],
    ["the samples' speed", { type: "tts", text: "Hi", speed: "1" }],
    ["dryRun yes", { type: "tts", text: "Hi", dryRun: "yes" }],
    ["an empty name", { type: "tts", text: "Hi", name: "  " }],
    ["a name of 201", { type: "tts", text: "Hi", name: "x".repeat(201) }],
    ["startAt in words", { type: "tts", text: "Hi", startAt: "tomorrow" }],
    ["an empty notifyUrl", { type: "tts", text: "Hi", notifyUrl: "" }],
  ]
  const semantic: ReadonlyArray<readonly [string, Record<string, string>]> = [
    ["a speechRate too large for a number", { type: "tts", text: "Hi", speechRate: "1e400" }],
    ["startAt past", { type: "tts", text: "Hi", startAt: isoIn(-1) }],
    ["startAt too far", { type: "tts", text: "Hi", startAt: isoIn(400) }],
    ["a sender that is not a number", { ...voicemail, sender: "x" }],
    ["an ftp notifyUrl", { type: "tts", text: "Hi", notifyUrl: "ftp://a.b/" }],
    ["a zero-width tokenAudio", { type: "tts", tokenAudio: "\u200b" }],
    ["a name of 101 emoji (202 UTF-16 units)", { type: "tts", text: "Hi", name: "😀".repeat(101) }],
  ]

  it("documents the query of every CSV parameter, and refuses any other", () => {
    // biome-ignore lint/suspicious/noExplicitAny: the document is walked as plain JSON
    for (const alternative of (querySchema() as any).oneOf) {
      expect(
        Object.keys(alternative.properties)
          .filter((k) => k !== "apiKey")
          .sort(),
      ).toEqual([...CSV_PARAMETERS].sort())
      expect(alternative.additionalProperties).toBe(false)
    }
  })
  it.each(both)("both accept: %s", async (_, query) => {
    expect(gatewayReads(query)).toEqual({ ok: true })
    expect(schemaAccepts(query)).toEqual([])
    expect(await viaCsvRoute(query)).toBe("passed")
  })
  it.each(neither)("both refuse: %s", async (_, query) => {
    expect(gatewayReads(query).ok).toBe(false)
    expect(schemaAccepts(query)).not.toEqual([])
    expect(await viaCsvRoute(query)).toBe("refused")
  })
  it.each(semantic)("only the gateway can tell: %s", async (_, query) => {
    const verdict = gatewayReads(query)
    expect(verdict.ok).toBe(false)
    if (!verdict.ok) for (const field of verdict.fields) expect(SEMANTIC).toContain(field)
    expect(schemaAccepts(query)).toEqual([])
    expect(await viaCsvRoute(query)).toBe("refused")
  })

  it("generated queries: the schema never refuses what the gateway accepts", () => {
    const word = fc.oneof(
      { weight: 3, arbitrary: text },
      fc.integer().map(String),
      fc.double({ noNaN: true }).map(String),
      fc.constantFrom("true", "false", "null", ""),
    )
    const query = fc.record(
      {
        type: fc.oneof({ weight: 6, arbitrary: fc.constantFrom("voicemail", "tts") }, word),
        tokenAudio: fc.oneof(fc.constantFrom("dev-audio", " a ", "\u200b"), word),
        emailForNotification: fc.oneof(fc.constantFrom("ops@example.com", "a@b"), word),
        sender: fc.oneof(phone, word),
        text: fc.oneof(fc.constantFrom("Bonjour", "1", " ,,, "), word),
        lang: fc.oneof(fc.constantFrom("fr", " EN ", "fra", "\u212Aa"), word),
        speechRate: fc.oneof(
          fc.constantFrom("1", " .5 ", "1e3", "-1.", "0x1f", "0b2", "1e400", "Infinity"),
          word,
        ),
        name: fc.oneof(fc.constantFrom("Relance", " ", "x".repeat(201)), word),
        startAt: fc.oneof(
          fc.constantFrom(isoIn(2), parisIn(2), isoIn(-2), "2030-02-30 10:00"),
          word,
        ),
        notifyUrl: fc.oneof(fc.constantFrom("https://a.example/h", "ftp://x", "nope"), word),
        dryRun: fc.oneof(fc.constantFrom("true", "false"), word),
        column: word,
        extra: word,
      },
      { requiredKeys: [] },
    )
    fc.assert(
      fc.property(query, (generated) => {
        const q = generated as Record<string, string>
        const gateway = gatewayReads(q)
        const problems = schemaAccepts(q)
        if (gateway.ok) expect(problems, JSON.stringify(q)).toEqual([])
        else if (problems.length === 0)
          for (const field of gateway.fields) expect(SEMANTIC, JSON.stringify(q)).toContain(field)
      }),
      { numRuns: 3000 },
    )
  })
})
