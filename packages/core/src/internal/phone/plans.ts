import type { PhoneKind } from "../../phone/PhoneNumber.js"
import { countryPlans, frenchNational, overseasPlans } from "./metadata.generated.js"

/**
 * Reading the generated numbering tries (grammar in `metadata.generated.ts`). Plain string
 * scanning, no decoding: a trie is read only for the numbers that need it, and French lists
 * mostly never get here (see {@link frenchTable}).
 */

/** Digits read by the last {@link lookup} before it decided: 3 or fewer means a whole block. */
let decidedAfter = 0

/**
 * Where, in `trie`, the value for the digits of `digits` from `from` starts: 0 for the trie's
 * own kind (no item matched), else the position of a kind letter or of a `{code}` marker.
 */
export const lookup = (trie: string, digits: string, from: number): number => {
  let i = 1
  let at = from
  let digit = digits.charCodeAt(at) - 48 // NaN past the end: matches no class
  for (;;) {
    const c = trie.charCodeAt(i)
    if (c === 41 /* ) */ || i >= trie.length) {
      decidedAfter = at - from + 1
      return 0
    }
    let match: boolean
    if (c === 91 /* [ */) {
      match = false
      i++
      while (trie.charCodeAt(i) !== 93 /* ] */) {
        const low = trie.charCodeAt(i) - 48
        let high = low
        if (trie.charCodeAt(i + 1) === 45 /* - */) {
          high = trie.charCodeAt(i + 2) - 48
          i += 3
        } else i++
        if (digit >= low && digit <= high) match = true
      }
      i++
    } else {
      match = c === 100 /* d */ ? digit >= 0 && digit <= 9 : c - 48 === digit
      i++
    }
    if (match) {
      if (trie.charCodeAt(i) !== 40 /* ( */) {
        decidedAfter = at - from + 1
        return i
      }
      i++
      at++
      digit = digits.charCodeAt(at) - 48
      continue
    }
    // not this item: skip its value
    if (trie.charCodeAt(i) === 40) {
      let depth = 1
      i++
      while (depth > 0) {
        const v = trie.charCodeAt(i++)
        if (v === 40) depth++
        else if (v === 41) depth--
      }
    } else {
      if (trie.charCodeAt(i) === 123 /* { */) i = trie.indexOf("}", i) + 1
      i++
      // by length: "/cdo"
      while (trie.charCodeAt(i) === 47) {
        i++
        while (!isKindLetter(trie.charCodeAt(i))) i++
        i++
      }
    }
  }
}

/**
 * The kind letter at a value's position: after its marker if any, and, where the value tells
 * kinds apart by length (`m/cdo`: 12 and 13 digits are other), the one of `length`.
 */
export const kindAt = (trie: string, at: number, length = 9): number => {
  let i = trie.charCodeAt(at) === 123 ? trie.indexOf("}", at) + 1 : at
  const kind = trie.charCodeAt(i)
  const digit = length.toString(36).charCodeAt(0)
  while (trie.charCodeAt(++i) === 47 /* / */) {
    const start = i + 1
    do i++
    while (!isKindLetter(trie.charCodeAt(i)))
    if (trie.slice(start, i).includes(String.fromCharCode(digit))) return trie.charCodeAt(i)
  }
  return kind
}

/** The overseas code a value is marked with, or undefined for +33. */
export const markerAt = (trie: string, at: number): string | undefined =>
  trie.charCodeAt(at) === 123 ? trie.slice(at + 1, trie.indexOf("}", at)) : undefined

export const KIND_LANDLINE = 108 // l
export const KIND_MOBILE = 109 // m
export const KIND_OTHER = 111 // o
export const KIND_NONE = 120 // x

export const phoneKind = (letter: number): PhoneKind =>
  letter === KIND_MOBILE ? "mobile" : letter === KIND_LANDLINE ? "landline" : "other"

/** French national numbers: routing to +33 or overseas France, exact. */
export { frenchNational }

/**
 * The kind letter of a national number of an overseas code (`262`…), exactly: the national
 * routing's if it routes the number there, else the code's own shared ranges'.
 */
export const overseasKind = (code: string, national: string): number | undefined => {
  const shared = overseasPlans[code]
  if (shared === undefined) return undefined
  const at = lookup(frenchNational, national, 0)
  if (markerAt(frenchNational, at) === code) return kindAt(frenchNational, at)
  return kindAt(shared, lookup(shared, national, 0))
}

/** The codes of overseas France, by the index the French table stores (0 is +33). */
export const FRENCH_CODES: ReadonlyArray<string> = ["33", "262", "590", "594", "596"]

let table: Uint8Array | undefined

/**
 * For each first three digits of a French national significant number, the answer when it
 * is the same for the whole block: `code index << 2 | kind` (kind 1 landline, 2 mobile,
 * 3 other), 0 when the block needs the trie (mixed, or not allocated). 06, 07, 01-05 and 09
 * blocks are whole, so the hot path is one array read.
 */
export const frenchTable = (): Uint8Array => {
  if (table !== undefined) return table
  const out = new Uint8Array(1000)
  for (let block = 0; block < 1000; block++) {
    const digits = `${String(block).padStart(3, "0")}000000`
    const at = lookup(frenchNational, digits, 0)
    if (decidedAfter > 3) continue
    const kind = kindAt(frenchNational, at)
    if (kind === KIND_NONE) continue
    const code = FRENCH_CODES.indexOf(markerAt(frenchNational, at) ?? "33")
    out[block] = (code << 2) | (kind === KIND_LANDLINE ? 1 : kind === KIND_MOBILE ? 2 : 3)
  }
  table = out
  return out
}

/** A calling code abroad: the lengths of its national numbers (base 36) and its trie. */
export interface CountryPlan {
  readonly lengths: string
  readonly trie: string
}

/** The French codes, whose plans are exact (see `frenchNational`): no trie here. */
const FRENCH: CountryPlan = { lengths: "9", trie: "*" }

let countries: Map<string, CountryPlan> | undefined

/** The plan of an assigned calling code (the French ones have no trie: see `frenchNational`). */
export const countryPlan = (code: string): CountryPlan | undefined => {
  if (countries === undefined) {
    countries = new Map()
    let previous = 0
    for (const entry of countryPlans.split(";")) {
      let at = 1
      if (entry.charCodeAt(0) === 58 /* : */) {
        at = entry.indexOf(":", 1) + 1
        previous = Number(entry.slice(1, at - 1))
      } else previous += Number.parseInt(entry[0] as string, 36)
      let trie = at
      while (trie < entry.length && !isKindLetter(entry.charCodeAt(trie))) trie++
      const plan = entry.endsWith("*")
        ? FRENCH
        : { lengths: entry.slice(at, trie), trie: entry.slice(trie) }
      countries.set(String(previous), plan)
    }
  }
  return countries.get(code)
}

const isKindLetter = (c: number): boolean =>
  c === KIND_LANDLINE || c === KIND_MOBILE || c === KIND_OTHER || c === KIND_NONE || c === 42

/**
 * Whether a national number abroad starting with 0 starts with the country's trunk 0 (no
 * item of the trie matches its 0): `+49 030…` does, `+39 06…` does not.
 */
export const hasTrunkZero = (plan: CountryPlan, national: string): boolean =>
  lookup(plan.trie, national, 0) === 0 && decidedAfter === 1

/** The kind letter of a national number abroad (without its trunk 0). */
export const countryKind = (plan: CountryPlan, national: string): number => {
  const at = lookup(plan.trie, national, 0)
  if (at === 0 && decidedAfter === 1 && national.charCodeAt(0) === 48) return KIND_NONE
  return kindAt(plan.trie, at, national.length)
}

/** The lengths of a plan, for messages: "9", "8 or 9", "5, 6, 7 or 8". */
export const describeLengths = (plan: CountryPlan): string =>
  [...plan.lengths]
    .map((c) => Number.parseInt(c, 36))
    .join(", ")
    .replace(/, (\d+)$/, " or $1")
