import * as Schema from "effect/Schema"
import { describe, expect, it } from "vitest"
import { app } from "../src/app.js"
import { isBroadcastId, newBroadcastId } from "../src/broadcast/broadcastIds.js"
import { CSV_PARAMETERS, isCsv, MAX_CSV_BODY_BYTES } from "../src/broadcast/csvUpload.js"
import { LISTED_INVALID, MAX_BROADCAST_RECIPIENTS } from "../src/broadcast/recipientPlan.js"
import { REPORT_HEADER } from "../src/broadcast/reportCsv.js"
import { ApiErrorBodySchema, apiError } from "../src/http/apiError.js"
import { checkJson, type JsonSchema } from "../src/openapi/jsonSchema.js"
import { openApiDocument } from "../src/openapi/openApiDocument.js"
import { MAX_BROADCAST_BODY_BYTES } from "../src/routes/broadcastRoutes.js"
import { answer, gateway, useHarness } from "./harness.js"

useHarness()

// biome-ignore lint/suspicious/noExplicitAny: the document is walked as plain JSON
type Any = any
const doc = openApiDocument() as Any
const METHODS = ["get", "put", "post", "delete", "patch", "head", "options"]

const operations = (): Array<{ key: string; path: string; method: string; op: Any }> =>
  Object.entries(doc.paths as Record<string, Any>).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m] !== undefined).map((method) => ({
      key: `${method.toUpperCase()} ${path}`,
      path,
      method,
      op: item[method],
    })),
  )

const resolve = (node: Any): Any => {
  let current = node
  while (current?.$ref !== undefined) {
    current = current.$ref
      .slice(2)
      .split("/")
      .reduce((n: Any, part: string) => n?.[part.replaceAll("~1", "/")], doc)
  }
  return current
}

/** Hono's `/v1/campaigns/:campaignId` as OpenAPI's `/v1/campaigns/{campaignId}`. */
const template = (honoPath: string) => honoPath.replace(/:([A-Za-z0-9_]+)/g, "{$1}")

/** Voice Partner's callbacks are described in `x-provider-callbacks`, not in `paths`. */
const isCallback = (path: string) => path.startsWith("/callbacks/")

const appOperations = () =>
  new Set(
    app.routes
      .filter((r) => r.method !== "ALL" && r.method !== "HEAD" && !isCallback(r.path))
      .flatMap((r) => {
        const path = template(r.path).replace(/(.)\/$/, "$1")
        return [`${r.method} ${path}`]
      }),
  )

describe("GET /openapi.json", () => {
  it("serves the document", async () => {
    const served = await answer(await gateway("/openapi.json"))
    expect(served.status).toBe(200)
    expect(served.json).toEqual(JSON.parse(JSON.stringify(doc)))
    expect(served.json.openapi).toBe("3.1.0")
  })

  it("documents every route the app serves, and no other", () => {
    const documented = new Set(operations().map((o) => o.key))
    expect([...documented].sort()).toEqual([...appOperations()].sort())
  })

  it("describes the provider's callbacks apart, without spelling their URL", () => {
    const methods = app.routes.filter((r) => isCallback(r.path)).map((r) => r.method.toLowerCase())
    expect(methods.sort()).toEqual(["get", "post"])
    for (const method of methods) {
      const op = doc["x-provider-callbacks"][method]
      expect(op.operationId).toBeTypeOf("string")
      expect(Object.keys(op.responses)).toEqual(
        expect.arrayContaining(["200", "400", "401", "405", "409", "500", "503"]),
      )
    }
    expect(JSON.stringify(doc)).not.toContain("/callbacks/")
  })

  it("gives every operation a unique operationId", () => {
    const ids = operations().map((o) => o.op.operationId)
    for (const [i, id] of ids.entries())
      expect(id, operations()[i]?.key).toMatch(/^[a-z][A-Za-z]+$/)
    expect(new Set(ids).size).toBe(ids.length)
    for (const [name, webhook] of Object.entries(doc.webhooks ?? {}) as Array<[string, Any]>)
      expect(webhook.post.operationId, name).toBeTypeOf("string")
  })

  it("authenticates with a Bearer scheme, and says so on every client operation", () => {
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: "http", scheme: "bearer" })
    for (const { key, op } of operations()) {
      expect(op.security, key).toBeDefined()
      const dropIn = key.includes("{apiKey}")
      if (key.includes(" /v1/") && !dropIn) expect(op.security, key).toEqual([{ bearer: [] }])
      if (dropIn) expect(op.deprecated, key).toBe(true)
    }
  })

  it("answers every error with the one shared error component", () => {
    expect(doc.components.schemas.Error).toBeDefined()
    for (const { key, op } of operations())
      for (const [status, response] of Object.entries(op.responses as Record<string, Any>)) {
        if (status !== "default" && Number(status) < 400) continue
        const content = resolve(response).content
        expect(Object.keys(content), `${key} ${status}`).toEqual(["application/json"])
        expect(content["application/json"].schema, `${key} ${status}`).toEqual({
          $ref: "#/components/schemas/Error",
        })
      }
  })

  it("the shared error component is the gateway's error body (ApiErrorBodySchema)", () => {
    const error = doc.components.schemas.Error as JsonSchema
    const samples = [
      apiError(400, "VALIDATION_ERROR", "phoneNumbers: bad", { field: "phoneNumbers" }).body,
      apiError(401, "UNAUTHORIZED", "missing token").body,
      { success: false, code: "NOT_CREDIT", error: { code: "NOT_CREDIT", message: "no credit" } },
      {
        success: false,
        error: {
          code: "VALIDATION_ERROR",
          message: "x",
          field: "phoneNumbers",
          issues: [{ field: "phoneNumbers", message: "bad", index: 2 }],
          issueCount: 1,
        },
      },
    ]
    for (const body of samples) {
      Schema.decodeUnknownSync(ApiErrorBodySchema)(body)
      expect(checkJson(error, body, doc)).toEqual([])
    }
    expect(checkJson(error, { success: true }, doc)).not.toEqual([])
    expect(checkJson(error, { success: false, error: { code: 1 } }, doc)).not.toEqual([])
  })

  // What each route can answer (the routes' code, README's Errors table); upstream
  // refusals keep Voice Partner's status, hence `default` on every upstream route.
  const upstream = ["429", "500", "502", "503", "504", "default"]
  const client = ["401", "403", "405"]
  const expected: Record<string, ReadonlyArray<string>> = {
    "POST /v1/tts/send": ["200", "400", "402", "404", "409", "413", "422", ...client, ...upstream],
    "POST /v1/campaign/send": [
      "200",
      "400",
      "402",
      "404",
      "409",
      "413",
      "422",
      ...client,
      ...upstream,
    ],
    "GET /v1/me": ["200", ...client, ...upstream],
    "GET /v1/me/{apiKey}": ["200", ...client, ...upstream],
    "GET /v1/audios": ["200", ...client, ...upstream],
    "GET /v1/audios/{apiKey}": ["200", ...client, ...upstream],
    "POST /v1/audio-file/rename": ["200", "400", "404", "413", ...client, ...upstream],
    "DELETE /v1/campaign/cancel/{campaignId}": ["200", "400", "404", ...client, ...upstream],
    "DELETE /v1/campaign/cancel/{apiKey}/{campaignId}": [
      "200",
      "400",
      "404",
      ...client,
      ...upstream,
    ],
    "GET /v1/campaigns/{campaignId}": ["200", "400", "404", "500", ...client],
    "GET /health": ["200", "405"],
    "GET /openapi.json": ["200", "405"],
  }

  it.each(Object.entries(expected))("%s documents its statuses", (key, statuses) => {
    const found = operations().find((o) => o.key === key)
    expect(found, key).toBeDefined()
    expect(Object.keys(found?.op.responses ?? {}).sort()).toEqual(
      expect.arrayContaining([...statuses]),
    )
  })

  it("documents every status a broadcast route answers", () => {
    for (const { key, op } of operations().filter((o) => o.path.startsWith("/v1/broadcasts"))) {
      const statuses = Object.keys(op.responses)
      expect(statuses, key).toEqual(expect.arrayContaining(["401", "403", "405", "500"]))
      if (key.includes("{id}")) expect(statuses, key).toContain("404")
      if (op.requestBody !== undefined) expect(statuses, key).toContain("413")
    }
  })

  it("never says a number may be NaN or Infinity, nor that an optional answer field may be null", () => {
    const text = JSON.stringify(doc)
    expect(text).not.toContain('"NaN"')
    expect(text).not.toContain('"Infinity"')
    const credits = resolve(
      doc.paths["/v1/me"].get.responses["200"].content["application/json"].schema,
    )
    expect(credits.required).toEqual(["credit"])
    expect(credits.properties.success).toEqual({ type: "boolean" })
    expect(credits.properties.credit.type).toEqual(["number", "string"])
  })

  it("describes what the gateway accepts, not the upstream body: lang optional, lists of numbers", () => {
    const tts = doc.paths["/v1/tts/send"].post.requestBody.content["application/json"].schema
    const accepts = (body: unknown) => checkJson(tts, body, doc)
    expect(accepts({ phoneNumbers: "06 12 34 56 78", text: "Bonjour" })).toEqual([])
    expect(accepts({ phoneNumbers: ["0612345678", "+32470123456"], text: "Bonjour" })).toEqual([])
    expect(accepts({ phoneNumbers: "0612345678", text: "Bonjour", speechRate: "NaN" })).not.toEqual(
      [],
    )
  })

  it("documents the gateway's fields on the answers that carry them", () => {
    const send = doc.paths["/v1/tts/send"].post.responses
    const headers = (status: string) => Object.keys(resolve(send[status]).headers ?? {})
    expect(headers("200")).toEqual(
      expect.arrayContaining([
        "RateLimit",
        "RateLimit-Policy",
        "X-Gateway-Send-Id",
        "Idempotent-Replayed",
      ]),
    )
    expect(headers("429")).toEqual(
      expect.arrayContaining(["RateLimit", "RateLimit-Policy", "Retry-After"]),
    )
    expect(headers("401")).toContain("WWW-Authenticate")
    expect(headers("405")).toContain("Allow")
  })
})

describe("the broadcasts' contract", () => {
  const create = () => doc.paths["/v1/broadcasts"].post
  const csvParameters = () =>
    (create().parameters as Array<Any>).map(resolve).filter((p: Any) => p.in === "query")
  const parameter = (name: string) => csvParameters().find((p: Any) => p.name === name)

  it("POST /v1/broadcasts takes a CSV file as the body (text/csv or application/csv), besides JSON", () => {
    const content = create().requestBody.content
    expect(Object.keys(content).sort()).toEqual(["application/csv", "application/json", "text/csv"])
    for (const media of ["text/csv", "application/csv"]) {
      expect(isCsv(media), media).toBe(true)
      const schema = content[media].schema
      expect(schema.type, media).toBe("string")
      expect(checkJson(schema, "Nom;Téléphone\r\nDupont;06 12 34 56 78\r\n", doc)).toEqual([])
      expect(schema.description).toContain(MAX_BROADCAST_RECIPIENTS.toLocaleString("en"))
      expect(schema.description).toContain("column")
    }
    expect(content["application/json"].schema).toEqual({
      $ref: "#/components/schemas/BroadcastRequest",
    })
  })

  it("documents every query parameter of a CSV upload, and no other; none required, as a JSON body takes none", () => {
    expect(csvParameters().map((p: Any) => p.name)).toEqual([...CSV_PARAMETERS])
    for (const p of csvParameters()) {
      expect(p.required, p.name).toBe(false)
      expect(p.schema, p.name).toBeDefined()
      expect(p.description, p.name).toMatch(/CSV upload/)
    }
  })

  it("says which parameters each type of broadcast requires", () => {
    const says = (name: string) => parameter(name).description as string
    expect(says("type")).toContain("CSV upload: required")
    expect(says("tokenAudio")).toContain("`voicemail`: required")
    expect(says("tokenAudio")).toContain("`tts`: required unless `text` is given")
    expect(says("text")).toContain("`tts`: required unless `tokenAudio` is given")
    expect(says("text")).toContain("`voicemail`: ignored")
    expect(says("emailForNotification")).toContain("`voicemail`: required")
    expect(says("emailForNotification")).toContain("`tts`: ignored")
    expect(says("sender")).toContain("`voicemail`: optional")
    expect(says("lang")).toContain("`tts`: optional")
    expect(says("speechRate")).toContain("`tts`: optional")
    for (const name of ["name", "startAt", "notifyUrl", "dryRun", "column"])
      expect(says(name), name).toContain("optional")
    expect(parameter("dryRun").schema).toEqual({ enum: ["true", "false"] })
    expect(parameter("type").schema).toEqual({ enum: ["voicemail", "tts"] })
    // The query as a whole, for validators: one alternative per type (and per message form).
    const query = create().requestBody.content["text/csv"]["x-query"]
    expect(query.oneOf.map((q: Any) => q.properties.type.const)).toEqual([
      "voicemail",
      "tts",
      "tts",
    ])
    for (const q of query.oneOf) expect(q.additionalProperties).toBe(false)
  })

  it("states the limits: 32 MB of JSON, 100 MB of CSV", () => {
    const tooLarge = create().responses["413"].description as string
    expect(tooLarge).toContain(String(MAX_BROADCAST_BODY_BYTES))
    expect(tooLarge).toContain(String(MAX_CSV_BODY_BYTES))
  })

  it("a plan carries its estimated cost, and the recipients' empty rows", () => {
    const plan = doc.components.schemas.BroadcastPlan
    expect(plan.required).toEqual(
      expect.arrayContaining([
        "recipients",
        "requests",
        "estimatedEndAt",
        "estimatedCost",
        "warnings",
      ]),
    )
    expect(plan.properties.recipients.required).toContain("empty")
    expect(plan.properties.recipients.properties.invalid.maxItems).toBe(LISTED_INVALID)
    const cost = resolve(plan.properties.estimatedCost)
    expect(cost.required).toEqual(["amount", "currency", "estimate", "secondsPerMessage"])
    expect(cost.properties.estimate).toEqual(expect.objectContaining({ const: true }))
    expect(doc.components.schemas.Broadcast.properties.recipientCounts.required).toContain("empty")
  })

  it("a broadcast's id in the answers is what the gateway makes and takes", () => {
    const id = doc.components.schemas.Broadcast.properties.id
    expect(doc.components.schemas.BroadcastCreated.properties.id).toEqual(id)
    for (const candidate of [newBroadcastId(), "bc_", "bc_3F9A0C1E5B7D2A4C6E8F0A1B", "index:alpha"])
      expect(checkJson(id, candidate, doc).length === 0, candidate).toBe(isBroadcastId(candidate))
  })

  it("GET …/report.csv answers CSV, its columns and file name documented", () => {
    const ok = resolve(doc.paths["/v1/broadcasts/{id}/report.csv"].get.responses["200"])
    const schema = ok.content["text/csv"].schema
    expect(checkJson(schema, REPORT_HEADER, doc)).toEqual([])
    expect(
      checkJson(schema, `${REPORT_HEADER}1,+33612345678,mobile,0,sent,NDA_1,,\r\n`, doc),
    ).toEqual([])
    expect(checkJson(schema, "row,phone\r\n", doc)).not.toEqual([])
    expect(Object.keys(ok.headers ?? {})).toContain("Content-Disposition")
  })
})
