/** Deepest nesting of arrays and objects accepted in a request or callback body. */
export const MAX_JSON_DEPTH = 32

/** Parsed JSON, or why the text was refused. */
export type BoundedJson =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly reason: string }

/** How deeply `text` nests arrays and objects (brackets inside strings do not count). */
const depthOf = (text: string, limit: number): number => {
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 0x5c)
        i++ // backslash: skip the escaped character
      else if (c === 0x22) inString = false
    } else if (c === 0x22) inString = true
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return depth
    } else if (c === 0x5d || c === 0x7d) depth--
  }
  return depth
}

/**
 * `JSON.parse` that refuses nesting deeper than {@link MAX_JSON_DEPTH} before parsing:
 * the parser itself copes, but every recursive walk after it (hashing for idempotency,
 * decoding) would overflow the stack on 100,000 levels and answer a 500.
 *
 * @example
 * ```ts
 * parseBoundedJson('{"a":[1]}') // { ok: true, value: { a: [1] } }
 * parseBoundedJson("[".repeat(50) + "]".repeat(50)) // { ok: false, reason: "nests deeper than 32 levels" }
 * ```
 */
export const parseBoundedJson = (text: string): BoundedJson => {
  if (depthOf(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH)
    return { ok: false, reason: `nests deeper than ${MAX_JSON_DEPTH} levels` }
  try {
    return { ok: true, value: JSON.parse(text) as unknown }
  } catch {
    return { ok: false, reason: "is not valid JSON" }
  }
}
