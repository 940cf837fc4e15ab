import { type CheckOptions, checkJson, type JsonSchema } from "./jsonSchema.js"

// Does a real answer match the document? Used by the tests, in workerd and end to end, on
// answers recorded from the running gateway; the gateway itself never imports it.

type Doc = Readonly<Record<string, unknown>>
type Obj = Readonly<Record<string, unknown>>

const isObject = (value: unknown): value is Obj =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const deref = (doc: Doc, node: unknown): Obj => {
  let current = node
  for (let i = 0; i < 10 && isObject(current) && typeof current.$ref === "string"; i++) {
    let target: unknown = doc
    for (const part of current.$ref.slice(2).split("/"))
      target = isObject(target)
        ? target[part.replaceAll("~1", "/").replaceAll("~0", "~")]
        : undefined
    current = target
  }
  if (!isObject(current)) throw new Error("unresolvable $ref in the document")
  return current
}

const templateMatches = (template: string, path: string): boolean => {
  const t = template.split("/")
  const p = path.split("/")
  return (
    t.length === p.length &&
    t.every((part, i) => (part.startsWith("{") && part.endsWith("}") ? p[i] !== "" : part === p[i]))
  )
}

/**
 * The document's path template and operation for a request, preferring the template with
 * the most literal segments (as routers do): `/v1/me/{apiKey}` for `/v1/me/abc`.
 */
export const findOperation = (
  doc: Doc,
  method: string,
  path: string,
): { readonly template: string; readonly operation: Obj } | undefined => {
  const paths = isObject(doc.paths) ? doc.paths : {}
  const candidates = Object.keys(paths)
    .filter((template) => templateMatches(template, path))
    .sort((a, b) => a.split("{").length - b.split("{").length)
  for (const template of candidates) {
    const item = deref(doc, paths[template])
    const operation = item[method.toLowerCase()]
    if (isObject(operation)) return { template, operation }
  }
  // The provider's callbacks are described apart: their URLs are never spelt out.
  const callbacks = doc["x-provider-callbacks"]
  const operation = isObject(callbacks) ? callbacks[method.toLowerCase()] : undefined
  if (path.startsWith("/callbacks/") && isObject(operation))
    return { template: "x-provider-callbacks", operation }
  return undefined
}

/** The response object an operation documents for a status (or its `default`), resolved. */
export const documentedResponse = (doc: Doc, operation: Obj, status: number): Obj | undefined => {
  const responses = isObject(operation.responses) ? operation.responses : {}
  const response =
    responses[String(status)] ?? responses[`${String(status)[0]}XX`] ?? responses.default
  return response === undefined ? undefined : deref(doc, response)
}

/** The JSON schema of an operation's request body (`application/json`), if it has one. */
export const requestBodySchema = (doc: Doc, method: string, path: string): JsonSchema => {
  const found = findOperation(doc, method, path)
  if (found === undefined) throw new Error(`${method} ${path} is not documented`)
  const body = found.operation.requestBody
  const content = body === undefined ? undefined : deref(doc, body).content
  const json = isObject(content) ? content["application/json"] : undefined
  if (!isObject(json) || json.schema === undefined)
    throw new Error(`${method} ${path} documents no JSON request body`)
  return json.schema as JsonSchema
}

/** The gateway's own response fields: each one an answer carries must be documented. */
export const GATEWAY_HEADERS = [
  "ratelimit",
  "ratelimit-policy",
  "retry-after",
  "x-gateway-send-id",
  "idempotent-replayed",
  "preference-applied",
  "www-authenticate",
  "allow",
  "location",
] as const

/** An answer the gateway gave, as the tests record it. */
export interface RecordedAnswer {
  readonly method: string
  /** The request's path, without the query. */
  readonly path: string
  readonly status: number
  readonly headers: Headers
  /** The parsed JSON body, or the text of a non-JSON one. */
  readonly body: unknown
}

/**
 * What does not match the document in a real answer: the operation and status must be
 * documented, the body must match the response's schema for its media type, and each
 * gateway field (`RateLimit`, `Retry-After`, …) it carries must be a documented header of
 * that response. Empty: the document tells the truth about this answer. `closed`: every
 * field of the body must be documented too (see {@link CheckOptions}): the document then
 * tells the whole truth.
 *
 * @example
 * ```ts
 * import { openApiDocument } from "./openApiDocument.js"
 * const health = { method: "GET", path: "/health", status: 200, body: { status: "ok" } }
 * answerProblems(openApiDocument(), { ...health, headers: new Headers() }) // []
 * ```
 */
export const answerProblems = (
  doc: Doc,
  answer: RecordedAnswer,
  options: CheckOptions = {},
): ReadonlyArray<string> => {
  const where = `${answer.method} ${answer.path} → ${answer.status}`
  // A 405 answers a method the path does not have: it is documented on the path's others.
  const found =
    findOperation(doc, answer.method, answer.path) ??
    (answer.status === 405
      ? ["GET", "POST", "DELETE", "PUT", "PATCH"]
          .map((m) => findOperation(doc, m, answer.path))
          .find((f) => f !== undefined)
      : undefined)
  if (found === undefined) return [`${where}: the operation is not documented`]
  const response = documentedResponse(doc, found.operation, answer.status)
  if (response === undefined) return [`${where}: the status is not documented`]
  const problems: Array<string> = []
  const headers = isObject(response.headers) ? response.headers : {}
  const documented = new Set(Object.keys(headers).map((h) => h.toLowerCase()))
  for (const name of GATEWAY_HEADERS)
    if (answer.headers.has(name) && !documented.has(name))
      problems.push(`${where}: header ${name} is not documented`)
  const type = (answer.headers.get("content-type") ?? "").split(";")[0]?.trim() ?? ""
  const content = isObject(response.content) ? response.content : {}
  if (Object.keys(content).length === 0) {
    if (answer.body !== undefined && answer.body !== "")
      problems.push(`${where}: a body is not documented`)
    return problems
  }
  const media = content[type]
  if (!isObject(media)) return [...problems, `${where}: media type ${type} is not documented`]
  if (media.schema !== undefined)
    for (const p of checkJson(media.schema as JsonSchema, answer.body, doc, options))
      problems.push(`${where}: body${p.at} ${p.message}`)
  return problems
}

/** A request the gateway was sent, as the tests record it. */
export interface RecordedRequest {
  readonly method: string
  /** The path and its query (`/v1/broadcasts?type=tts`). */
  readonly url: string
  /** `Content-Type`, when there is a body. */
  readonly contentType?: string | undefined
  /** The parsed JSON body, or the text of a non-JSON one; `undefined`: no body. */
  readonly body?: unknown
}

/** A query parameter's value as its schema types it (`limit=5`: the integer 5). */
const typed = (schema: unknown, value: string): unknown => {
  const type = isObject(schema) ? schema.type : undefined
  const types = Array.isArray(type) ? type : [type]
  if ((types.includes("integer") || types.includes("number")) && /^-?\d+(\.\d+)?$/.test(value))
    return Number(value)
  if (types.includes("boolean") && (value === "true" || value === "false")) return value === "true"
  return value
}

/**
 * What does not match the document in a request the gateway accepted: the operation must
 * be documented; each query parameter must be one of its documented parameters, match its
 * schema, and the required ones be there; the body's media type must be documented and the
 * body match its schema; and when that media type documents the query as a whole
 * (`x-query`: a JSON Schema of the query as an object of strings, as a CSV upload's), the
 * query must match it. Empty: a client following the document could have sent it.
 *
 * @example
 * ```ts
 * import { openApiDocument } from "./openApiDocument.js"
 * requestProblems(openApiDocument(), { method: "GET", url: "/v1/broadcasts?limit=5" }) // []
 * ```
 */
export const requestProblems = (doc: Doc, request: RecordedRequest): ReadonlyArray<string> => {
  const url = new URL(request.url, "http://gateway.invalid")
  const where = `${request.method} ${url.pathname}`
  const found = findOperation(doc, request.method, url.pathname)
  if (found === undefined) return [`${where}: the operation is not documented`]
  const problems: Array<string> = []
  const parameters = (Array.isArray(found.operation.parameters) ? found.operation.parameters : [])
    .map((p: unknown) => deref(doc, p))
    .filter((p) => p.in === "query")
  const byName = new Map(parameters.map((p) => [String(p.name), p]))
  const query: Record<string, string> = {}
  for (const [name, value] of url.searchParams) {
    if (name in query) problems.push(`${where}: query parameter ${name} is given twice`)
    query[name] = value
    const parameter = byName.get(name)
    if (parameter === undefined) {
      problems.push(`${where}: query parameter ${name} is not documented`)
      continue
    }
    if (parameter.schema !== undefined)
      for (const p of checkJson(
        parameter.schema as JsonSchema,
        typed(parameter.schema, value),
        doc,
      ))
        problems.push(`${where}: query parameter ${name}${p.at} ${p.message}`)
  }
  for (const [name, parameter] of byName)
    if (parameter.required === true && !url.searchParams.has(name))
      problems.push(`${where}: query parameter ${name} is required`)
  if (request.body === undefined) return problems
  const type = (request.contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? ""
  const body = found.operation.requestBody
  const content = body === undefined ? {} : deref(doc, body).content
  const media = isObject(content) ? content[type] : undefined
  if (!isObject(media))
    return [...problems, `${where}: request media type ${type} is not documented`]
  if (media.schema !== undefined)
    for (const p of checkJson(media.schema as JsonSchema, request.body, doc))
      problems.push(`${where}: request body${p.at} ${p.message}`)
  if (media["x-query"] !== undefined)
    for (const p of checkJson(media["x-query"] as JsonSchema, query, doc))
      problems.push(`${where}: query${p.at === "" ? "" : ` ${p.at.slice(1)}`} ${p.message}`)
  return problems
}
