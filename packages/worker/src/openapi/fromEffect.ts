import type * as Schema from "effect/Schema"
import * as AST from "effect/SchemaAST"
import type { JsonSchema } from "./jsonSchema.js"

/**
 * The JSON Schema of what a decoder accepts: the JSON a client receives from an answer
 * that core (or the gateway) decoded — or built — with `schema`. Unlike
 * `Schema.toJsonSchemaDocument`, which describes the canonical JSON codec (`null` for an
 * optional key, `"NaN"` for a number), this reads the schema's *encoded* side as
 * `Schema.decodeUnknown` sees it:
 *
 * - an optional key, or one whose value may be `undefined` (absent in JSON), is not
 *   required, and never `null` unless the schema says `null`;
 * - a number is a JSON number (finite by nature); a number decoded from a string is a
 *   string; unions of plain types are one `type` list (`["number", "string"]`);
 * - unknown keys are allowed (decoding keeps or ignores them), so no `additionalProperties`;
 * - a check JSON Schema cannot say (a refinement, a transformation's rule) is left out: the
 *   result is never stricter than the decoder, at worst looser. The checks it can say are
 *   kept: bounds (`isGreaterThanOrEqualTo` → `minimum`, …), `isPattern` (a `u`-compatible
 *   regular expression) → `pattern`, an array's `isMinLength`/`isMaxLength` →
 *   `minItems`/`maxItems`, a string's `isMaxLength` → `maxLength`;
 * - `description` and `format` annotations are kept (on the schema or its last check);
 * - a schema annotated with an `identifier` listed in `refs` is `{ $ref:
 *   "#/components/schemas/<identifier>" }` wherever it appears inside another (the
 *   component itself is that schema given to `fromEffect` alone).
 *
 * @example
 * ```ts
 * import * as Schema from "effect/Schema"
 * fromEffect(Schema.Struct({ credit: Schema.Union([Schema.Finite, Schema.FiniteFromString]) }))
 * // { type: "object", properties: { credit: { type: ["number", "string"] } }, required: ["credit"] }
 * ```
 */
export const fromEffect = (
  schema: Schema.Top,
  options: { readonly refs?: ReadonlyArray<string> } = {},
): Readonly<Record<string, unknown>> => {
  const refs = new Set(options.refs ?? [])
  const top = AST.toEncoded(schema.ast)
  const convert = (ast: AST.AST): Out => {
    const id = annotation(ast, "identifier")
    return ast !== top && typeof id === "string" && refs.has(id)
      ? { $ref: `#/components/schemas/${id}` }
      : convertNode(ast, convert)
  }
  return convert(top)
}

type Out = Readonly<Record<string, unknown>>

const UNKNOWN: Out = {}

/** Plain `{ type }` schemas (no other keyword) can merge into one `type` list. */
const plainType = (schema: Out): ReadonlyArray<string> | undefined => {
  const keys = Object.keys(schema)
  if (keys.length !== 1 || keys[0] !== "type") return undefined
  return Array.isArray(schema.type) ? (schema.type as Array<string>) : [schema.type as string]
}

const hasCheck = (ast: AST.AST, id: string): boolean =>
  (ast.checks ?? []).some(
    (check) =>
      (check.annotations as { representation?: { id?: string } } | undefined)?.representation
        ?.id === id,
  )

/** An annotation of the schema, or of its last check (where `.check(…).annotate(…)` puts it). */
const annotation = (ast: AST.AST, key: string): unknown => {
  const own = (ast.annotations as Readonly<Record<string, unknown>> | undefined)?.[key]
  if (own !== undefined) return own
  const last = ast.checks?.[ast.checks.length - 1]
  return (last?.annotations as Readonly<Record<string, unknown>> | undefined)?.[key]
}

/** Checks whose JSON Schema keywords are kept, and the keywords each may give. */
const KEPT_CHECKS: Readonly<Record<string, ReadonlyArray<string>>> = {
  "effect/schema/isGreaterThanOrEqualTo": ["minimum"],
  "effect/schema/isLessThanOrEqualTo": ["maximum"],
  "effect/schema/isBetween": ["minimum", "maximum"],
  "effect/schema/isPattern": ["pattern"],
  "effect/schema/isMinLength": ["minItems"],
  "effect/schema/isMaxLength": ["maxItems", "maxLength"],
}

/**
 * The keywords of the schema's checks that JSON Schema says exactly, for a value of `type`
 * (Effect's own `toJsonSchema` of each check; an approximate one is never stricter).
 */
const checkKeywords = (ast: AST.AST, type: string): Out => {
  const out: Record<string, unknown> = {}
  for (const check of ast.checks ?? []) {
    const annotations = check.annotations as Readonly<Record<string, unknown>> | undefined
    const id = (annotations?.representation as { id?: unknown } | undefined)?.id
    const kept = typeof id === "string" ? KEPT_CHECKS[id] : undefined
    const toJsonSchema = annotations?.toJsonSchema
    if (kept === undefined || typeof toJsonSchema !== "function") continue
    const result: unknown = toJsonSchema({ type, schemas: [] })
    const fragment = (Array.isArray(result) ? result[0] : result) as Out | undefined
    for (const key of kept) if (fragment?.[key] !== undefined) out[key] = fragment[key]
  }
  return out
}

const described = (ast: AST.AST, schema: Out): Out => {
  const description = annotation(ast, "description")
  const format = annotation(ast, "format")
  return {
    ...schema,
    ...(typeof format === "string" && { format }),
    ...(typeof description === "string" && { description }),
  }
}

const union = (members: ReadonlyArray<Out>): Out => {
  if (members.length === 0) return { not: {} }
  if (members.some((m) => Object.keys(m).length === 0)) return UNKNOWN
  if (members.length === 1) return members[0] as Out
  const literals = members.every((m) => "const" in m && Object.keys(m).length === 1)
  if (literals) return { enum: members.map((m) => m.const) }
  const types = members.map(plainType)
  if (types.every((t) => t !== undefined)) return { type: [...new Set(types.flat())] }
  return { anyOf: members }
}

/** Whether an AST can be `undefined`: such a key is absent from the JSON. */
const mayBeUndefined = (ast: AST.AST): boolean =>
  ast._tag === "Undefined" ||
  ast._tag === "Void" ||
  (ast._tag === "Union" && ast.types.some(mayBeUndefined))

const convertNode = (ast: AST.AST, convert: (ast: AST.AST) => Out): Out => {
  switch (ast._tag) {
    case "String":
    case "TemplateLiteral":
      return described(ast, { type: "string", ...checkKeywords(ast, "string") })
    case "Number":
      return described(ast, {
        type: hasCheck(ast, "effect/schema/isInt") ? "integer" : "number",
        ...checkKeywords(ast, "number"),
      })
    case "Boolean":
      return described(ast, { type: "boolean" })
    case "Null":
      return { type: "null" }
    case "Literal":
      return described(ast, { const: ast.literal })
    case "Enum":
      return described(ast, { enum: ast.enums.map(([, value]) => value) })
    case "Union":
      return described(
        ast,
        union(ast.types.filter((t) => t._tag !== "Undefined" && t._tag !== "Void").map(convert)),
      )
    case "Arrays": {
      const items = ast.rest[0] === undefined ? undefined : convert(ast.rest[0])
      return described(ast, {
        type: "array",
        ...(ast.elements.length > 0 && { prefixItems: ast.elements.map(convert) }),
        ...(items !== undefined && { items }),
        ...(ast.rest.length === 0 && { maxItems: ast.elements.length }),
        ...checkKeywords(ast, "array"),
      })
    }
    case "Objects": {
      const properties: Record<string, JsonSchema> = {}
      const required: Array<string> = []
      for (const p of ast.propertySignatures) {
        const name = String(p.name)
        properties[name] = convert(p.type)
        if (!AST.isOptional(p.type) && !mayBeUndefined(p.type)) required.push(name)
      }
      const index = ast.indexSignatures[0]
      return described(ast, {
        type: "object",
        ...(ast.propertySignatures.length > 0 && { properties }),
        ...(required.length > 0 && { required }),
        ...(index !== undefined && { additionalProperties: convert(index.type) }),
      })
    }
    case "Suspend":
      return convert(AST.toEncoded(ast.thunk()))
    case "Declaration":
      // A declaration without a structural encoding (e.g. a class instance): any JSON.
      return UNKNOWN
    default:
      // Unknown, Any, ObjectKeyword… and anything else: no constraint (never stricter).
      return UNKNOWN
  }
}
