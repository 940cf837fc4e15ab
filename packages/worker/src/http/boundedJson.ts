/** Deepest nesting of arrays and objects accepted in a request or callback body. */
export const MAX_JSON_DEPTH = 32

/** Why a text nesting past {@link MAX_JSON_DEPTH} is refused (after "the request body"). */
export const TOO_DEEP = `nests deeper than ${MAX_JSON_DEPTH} levels`
/** Why a text `JSON.parse` refuses is refused. */
export const NOT_JSON = "is not valid JSON"

/** Parsed JSON, or why the text was refused. */
export type BoundedJson =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly reason: string }

/**
 * How deeply a text nests arrays and objects, counted bracket by bracket over text given
 * in one piece or in several (brackets inside strings do not count; the character after a
 * backslash in a string is skipped). It counts any text, JSON or not: a body's nesting is
 * checked before it is parsed, so the limit is answered first whatever else is wrong.
 *
 * @example
 * ```ts
 * const nesting = new NestingDepth()
 * nesting.exceeds('{"a":"[[[') // false: brackets in a string
 * nesting.exceeds('","b":' + "[".repeat(40)) // true: 41 levels
 * ```
 */
export class NestingDepth {
  /**
   * From a state reached otherwise (a streaming parser that stops at an error goes on
   * counting from where it was): the open levels, inside a string, just after a backslash.
   */
  constructor(
    private depth = 0,
    private inString = false,
    private skip = false,
  ) {}

  /** Counts `text` from `from` on; true once the nesting passed `limit` (then stop). */
  exceeds(text: string, from = 0, limit = MAX_JSON_DEPTH): boolean {
    let depth = this.depth
    let inString = this.inString
    let i = from
    if (this.skip && i < text.length) {
      this.skip = false
      i++
    }
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i)
      if (inString) {
        if (c === 0x5c)
          i++ // backslash: skip the escaped character
        else if (c === 0x22) inString = false
      } else if (c === 0x22) inString = true
      else if (c === 0x5b || c === 0x7b) {
        if (++depth > limit) {
          this.depth = depth
          return true
        }
      } else if (c === 0x5d || c === 0x7d) depth--
    }
    // A backslash ending the piece: its escaped character opens the next one.
    if (i > text.length) this.skip = true
    this.depth = depth
    this.inString = inString
    return false
  }
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
  if (new NestingDepth().exceeds(text)) return { ok: false, reason: TOO_DEEP }
  try {
    return { ok: true, value: JSON.parse(text) as unknown }
  } catch {
    return { ok: false, reason: NOT_JSON }
  }
}
