/**
 * The JSON Schemas of the gateway's OpenAPI document, and a small checker for them.
 *
 * The checker knows the subset of JSON Schema 2020-12 the document uses and throws on any
 * other keyword, so that the document cannot grow a constraint the tests would silently
 * skip. `pattern`s are ECMAScript regular expressions with the `u` flag (what ajv and most
 * validators use); `minLength`/`maxLength` count code points, as JSON Schema says.
 * `format` is an annotation (2020-12's default), never asserted. It runs anywhere: workerd
 * forbids `eval`, so it interprets the schema instead of compiling it.
 *
 * Used by the tests (workerd and end to end) on the document the gateway serves; the
 * gateway itself never imports it.
 */

/** A JSON Schema: `true`/`false`, or an object of keywords. */
export type JsonSchema = boolean | { readonly [keyword: string]: unknown }

/** One way a value does not match: where (a JSON pointer) and why. */
export interface SchemaProblem {
  readonly at: string
  readonly message: string
}

/** How {@link checkJson} reads a schema. */
export interface CheckOptions {
  /**
   * Whether an object schema that lists `properties` (and says nothing of
   * `additionalProperties`) is closed: a key it does not list is a problem ("is not
   * documented"). For answers, whose schemas leave `additionalProperties` out so that
   * clients keep working when a field is added: closed, they must still list every field
   * the gateway sends. Never inside `not` (it would turn a refusal into an acceptance).
   */
  readonly closed?: boolean
}

const ANNOTATIONS = new Set([
  "title",
  "description",
  "default",
  "examples",
  "format",
  "deprecated",
  "readOnly",
  "writeOnly",
  "$comment",
  "contentMediaType",
])

const ASSERTIONS = new Set([
  "$ref",
  "type",
  "const",
  "enum",
  "properties",
  "required",
  "additionalProperties",
  "items",
  "prefixItems",
  "minItems",
  "maxItems",
  "minLength",
  "maxLength",
  "pattern",
  "minimum",
  "maximum",
  "anyOf",
  "oneOf",
  "allOf",
  "not",
])

type Json = null | boolean | number | string | ReadonlyArray<Json> | { readonly [k: string]: Json }

const typeOf = (value: unknown): string =>
  value === null
    ? "null"
    : Array.isArray(value)
      ? "array"
      : typeof value === "number" && Number.isInteger(value)
        ? "integer"
        : typeof value

const hasType = (value: unknown, type: string): boolean => {
  const actual = typeOf(value)
  return actual === type || (type === "number" && actual === "integer")
}

const equal = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b)

const isObject = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const codePoints = (text: string): number => [...text].length

const patterns = new Map<string, RegExp>()
const regex = (source: string): RegExp => {
  let compiled = patterns.get(source)
  if (compiled === undefined) {
    compiled = new RegExp(source, "u")
    patterns.set(source, compiled)
  }
  return compiled
}

/** Resolves a local `$ref` (`#/components/schemas/X`, `#/$defs/X`) in the root document. */
const resolve = (root: unknown, ref: string): JsonSchema => {
  if (!ref.startsWith("#/")) throw new Error(`only local $refs are supported: ${ref}`)
  let node: unknown = root
  for (const part of ref.slice(2).split("/")) {
    const key = part.replaceAll("~1", "/").replaceAll("~0", "~")
    if (!isObject(node) || !(key in node)) throw new Error(`unresolved $ref ${ref}`)
    node = node[key]
  }
  if (typeof node !== "boolean" && !isObject(node)) throw new Error(`$ref ${ref} is not a schema`)
  return node as JsonSchema
}

const check = (
  schema: JsonSchema,
  value: unknown,
  at: string,
  root: unknown,
  problems: Array<SchemaProblem>,
  closed: boolean,
): void => {
  if (schema === true) return
  if (schema === false) {
    problems.push({ at, message: "is not allowed here" })
    return
  }
  for (const keyword of Object.keys(schema))
    if (!ASSERTIONS.has(keyword) && !ANNOTATIONS.has(keyword) && !keyword.startsWith("x-"))
      throw new Error(`JSON Schema keyword ${keyword} (at ${at}) is not supported by the checker`)
  const s = schema as Readonly<Record<string, unknown>>
  const fail = (message: string) => problems.push({ at, message })
  if (typeof s.$ref === "string") check(resolve(root, s.$ref), value, at, root, problems, closed)
  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? (s.type as Array<string>) : [s.type as string]
    if (!types.some((t) => hasType(value, t))) {
      fail(`must be ${types.join(" or ")}, got ${typeOf(value)}`)
      return
    }
  }
  if ("const" in s && !equal(s.const, value)) fail(`must be ${JSON.stringify(s.const)}`)
  if (Array.isArray(s.enum) && !s.enum.some((e) => equal(e, value)))
    fail(`must be one of ${JSON.stringify(s.enum)}`)
  if (typeof value === "string") {
    const length = codePoints(value)
    if (typeof s.minLength === "number" && length < s.minLength)
      fail(`must have at least ${s.minLength} characters`)
    if (typeof s.maxLength === "number" && length > s.maxLength)
      fail(`must have at most ${s.maxLength} characters`)
    if (typeof s.pattern === "string" && !regex(s.pattern).test(value))
      fail(`must match ${s.pattern}`)
  }
  if (typeof value === "number") {
    if (typeof s.minimum === "number" && value < s.minimum) fail(`must be ≥ ${s.minimum}`)
    if (typeof s.maximum === "number" && value > s.maximum) fail(`must be ≤ ${s.maximum}`)
  }
  if (Array.isArray(value)) {
    if (typeof s.minItems === "number" && value.length < s.minItems)
      fail(`must have at least ${s.minItems} items`)
    if (typeof s.maxItems === "number" && value.length > s.maxItems)
      fail(`must have at most ${s.maxItems} items`)
    const prefix = Array.isArray(s.prefixItems) ? (s.prefixItems as Array<JsonSchema>) : []
    value.forEach((item, i) => {
      const itemSchema = i < prefix.length ? prefix[i] : (s.items as JsonSchema | undefined)
      if (itemSchema !== undefined) check(itemSchema, item, `${at}/${i}`, root, problems, closed)
    })
  }
  if (isObject(value)) {
    const properties = isObject(s.properties)
      ? (s.properties as Readonly<Record<string, JsonSchema>>)
      : {}
    if (Array.isArray(s.required))
      for (const key of s.required as Array<string>)
        if (!(key in value)) problems.push({ at: `${at}/${key}`, message: "is required" })
    for (const [key, item] of Object.entries(value)) {
      const where = `${at}/${key.replaceAll("~", "~0").replaceAll("/", "~1")}`
      const propertySchema = properties[key]
      if (propertySchema !== undefined) check(propertySchema, item, where, root, problems, closed)
      else if (s.additionalProperties !== undefined)
        check(s.additionalProperties as JsonSchema, item, where, root, problems, closed)
      else if (closed && isObject(s.properties))
        problems.push({ at: where, message: "is not documented" })
    }
  }
  const matchesIn = (sub: JsonSchema, inClosed: boolean) => {
    const inner: Array<SchemaProblem> = []
    check(sub, value, at, root, inner, inClosed)
    return inner
  }
  const matches = (sub: JsonSchema) => matchesIn(sub, closed)
  if (Array.isArray(s.allOf))
    for (const sub of s.allOf as Array<JsonSchema>) problems.push(...matches(sub))
  if (Array.isArray(s.anyOf)) {
    const results = (s.anyOf as Array<JsonSchema>).map(matches)
    if (!results.some((r) => r.length === 0))
      problems.push(...(results.sort((a, b) => a.length - b.length)[0] ?? []))
  }
  if (Array.isArray(s.oneOf)) {
    const results = (s.oneOf as Array<JsonSchema>).map(matches)
    const passing = results.filter((r) => r.length === 0).length
    if (passing === 0) problems.push(...(results.sort((a, b) => a.length - b.length)[0] ?? []))
    else if (passing > 1) fail(`matches ${passing} of the oneOf alternatives, not exactly one`)
  }
  if (s.not !== undefined && matchesIn(s.not as JsonSchema, false).length === 0)
    fail("matches a schema it must not match")
}

/**
 * Checks a JSON value against a schema; `$ref`s are resolved in `root` (the OpenAPI
 * document). No problem: the value matches.
 *
 * @example
 * ```ts
 * checkJson({ type: "object", required: ["a"] }, {}) // [{ at: "/a", message: "is required" }]
 * const listed = { type: "object", properties: { a: { type: "number" } } }
 * checkJson(listed, { a: 1, b: 2 }, listed, { closed: true }) // [{ at: "/b", message: "is not documented" }]
 * ```
 */
export const checkJson = (
  schema: JsonSchema,
  value: unknown,
  root: unknown = schema,
  options: CheckOptions = {},
): ReadonlyArray<SchemaProblem> => {
  const problems: Array<SchemaProblem> = []
  check(schema, value as Json, "", root, problems, options.closed === true)
  return problems
}
