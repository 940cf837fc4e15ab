#!/usr/bin/env node
// Generates src/internal/phone/metadata.generated.ts, the numbering data of core's phone parser, from
// libphonenumber-js's metadata.max.json (Google's libphonenumber numbering plans).
//
//   node scripts/generate-phone-metadata.mjs           write the module
//   node scripts/generate-phone-metadata.mjs --check   exit 1 if the committed module differs
//
// Run it after upgrading libphonenumber-js (a devDependency: nothing of it ships at runtime).
// What it writes, per calling code, is a trie of leading digits (grammar in the header below):
//   - France and overseas France (+33, +262, +590, +594, +596): exact. Every 9-digit
//     national number is routed (metropolitan or which overseas code) and classified as the
//     metadata does, except the overseas prefixes the Voice Partner docs list, which always
//     route to their own code (libphonenumber-js also lists 0263, 0269 and 0596 as
//     metropolitan landlines).
//   - Every other code: compact, not exact. The lengths of its numbers, whether it has a
//     trunk 0, and the kind decided by the first digit (two for PRECISE): mobile or landline
//     where every number of a prefix is, other where the prefix mixes kinds or holds service
//     numbers. Allocated blocks are not kept (~10,000 automaton states: the whole world's
//     would weigh more than the rest of a browser client).
// The regular expressions are libphonenumber's subset (digits, \d, classes, groups, ?, {n,m}),
// turned into one minimal automaton per calling code that classifies numbers exactly as
// libphonenumber-js's getNumberType does; the tries are read off those automata.
import { readFileSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { fileURLToPath } from "node:url"

/**
 * Leading digits kept for the kind abroad: one, and two for the countries French senders
 * call most (the neighbours, Portugal, the Maghreb). Two everywhere would add 1 KB gzip to
 * every browser bundle; the budget for a whole tts client is 50 KB.
 */
const PRECISE = [
  "31",
  "32",
  "34",
  "39",
  "41",
  "44",
  "49",
  "212",
  "213",
  "216",
  "351",
  "352",
  "376",
  "377",
]
/** E.164: at most 15 digits with the country code. Longer national-only numbers are left out. */
const E164_MAX = 15
const FRENCH_CODES = ["33", "262", "590", "594", "596"]
/**
 * Overseas prefixes of the French national plan (voicepartner-api.md, "Phone numbers and
 * dates"): written nationally, these are their own code's numbers, never +33.
 */
const OVERSEAS_PREFIXES = {
  262: ["262", "263", "269", "639", "692", "693"],
  590: ["590", "690", "691"],
  594: ["594", "694"],
  596: ["596", "696", "697"],
}

const require = createRequire(import.meta.url)
const target = fileURLToPath(
  new URL("../src/internal/phone/metadata.generated.ts", import.meta.url),
)

// ---------------------------------------------------------------------------------------
// libphonenumber patterns: digits, \d, [..] classes, (?:..) groups, |, ?, {n} and {n,m}.

const parsePattern = (src) => {
  let i = 0
  const fail = (what) => {
    throw new Error(`unsupported ${what} at ${i} in ${src}`)
  }
  const alternation = () => {
    const branches = [sequence()]
    while (src[i] === "|") {
      i++
      branches.push(sequence())
    }
    return branches.length === 1 ? branches[0] : { t: "alt", branches }
  }
  const sequence = () => {
    const items = []
    while (i < src.length && src[i] !== "|" && src[i] !== ")") items.push(quantified(atom()))
    return { t: "seq", items }
  }
  const atom = () => {
    const c = src[i]
    if (c === "(") {
      if (src.slice(i, i + 3) !== "(?:") fail("group")
      i += 3
      const inner = alternation()
      if (src[i] !== ")") fail("unclosed group")
      i++
      return inner
    }
    if (c === "\\") {
      if (src[i + 1] !== "d") fail("escape")
      i += 2
      return { t: "set", mask: 1023 }
    }
    if (c === "[") {
      i++
      let mask = 0
      while (src[i] !== "]") {
        if (src[i] === "\\" && src[i + 1] === "d") {
          mask = 1023
          i += 2
          continue
        }
        const a = src.charCodeAt(i) - 48
        if (a < 0 || a > 9) fail("class")
        if (src[i + 1] === "-") {
          for (let d = a; d <= src.charCodeAt(i + 2) - 48; d++) mask |= 1 << d
          i += 3
        } else {
          mask |= 1 << a
          i++
        }
      }
      i++
      return { t: "set", mask }
    }
    const d = src.charCodeAt(i) - 48
    if (d < 0 || d > 9) fail(`character ${c}`)
    i++
    return { t: "set", mask: 1 << d }
  }
  const quantified = (node) => {
    if (src[i] === "?") {
      i++
      return { t: "rep", node, min: 0, max: 1 }
    }
    if (src[i] === "{") {
      const m = /^\{(\d+)(?:,(\d+))?\}/.exec(src.slice(i))
      if (m === null) fail("quantifier")
      i += m[0].length
      return { t: "rep", node, min: Number(m[1]), max: Number(m[2] ?? m[1]) }
    }
    return node
  }
  const ast = alternation()
  if (i !== src.length) fail("trailing input")
  return ast
}

/** A pattern as a Thompson automaton over digits, with the number lengths it may match (any if undefined). */
class Matcher {
  constructor(pattern, lengths) {
    this.eps = []
    this.edges = []
    const start = this.state()
    this.end = this.build(parsePattern(pattern), start)
    this.lengths = lengths === undefined ? undefined : new Set(lengths)
    this.start = this.closure([start])
  }
  state() {
    this.eps.push([])
    this.edges.push([])
    return this.eps.length - 1
  }
  build(node, from) {
    if (node.t === "set") {
      const to = this.state()
      this.edges[from].push([node.mask, to])
      return to
    }
    if (node.t === "seq") return node.items.reduce((s, item) => this.build(item, s), from)
    const end = this.state()
    if (node.t === "alt") {
      for (const branch of node.branches) {
        const s = this.state()
        this.eps[from].push(s)
        this.eps[this.build(branch, s)].push(end)
      }
      return end
    }
    let s = from
    for (let k = 0; k < node.min; k++) s = this.build(node.node, s)
    this.eps[s].push(end)
    for (let k = node.min; k < node.max; k++) {
      s = this.build(node.node, s)
      this.eps[s].push(end)
    }
    return end
  }
  closure(states) {
    const out = new Set(states)
    const stack = [...states]
    while (stack.length > 0) {
      for (const t of this.eps[stack.pop()]) {
        if (!out.has(t)) {
          out.add(t)
          stack.push(t)
        }
      }
    }
    return [...out].sort((a, b) => a - b)
  }
  step(states, digit) {
    const next = []
    for (const s of states)
      for (const [mask, to] of this.edges[s]) if (mask & (1 << digit)) next.push(to)
    return this.closure(next)
  }
  accepts(states, length) {
    return (this.lengths === undefined || this.lengths.has(length)) && states.includes(this.end)
  }
}

// Number types in libphonenumber-js's order (metadata.js) and the order getNumberType tries them.
const FIXED_LINE = 0
const MOBILE = 1
const VOIP = 8
const NON_FIXED_LINE = [1, 3, 2, 9, 8, 4, 7, 6, 5]

/** One region's plan: its general pattern and one matcher per number type. */
const regionPlan = (country, french) => {
  const lengths = country[3]
  const types = country[11] ?? []
  return {
    french,
    // getNumberType matches the general pattern without lengths: those are each type's
    general: new Matcher(country[2], undefined),
    types: Array.from({ length: 10 }, (_, t) => {
      const def = types[t]
      if (!def) return undefined
      if (def[0] === "") return "same-as-fixed-line"
      return new Matcher(def[0], def[1] ?? lengths)
    }),
  }
}

/**
 * The kind libphonenumber-js's getNumberType gives: "l" fixed line, "m" mobile, "b" its
 * FIXED_LINE_OR_MOBILE, "o" service numbers (toll-free, premium, UAN…), "" when the number is
 * not valid. French VoIP numbers (09) ring like landlines.
 */
const kindOf = (plan, states, length) => {
  const [general, ...types] = states
  if (!plan.general.accepts(general, length)) return ""
  const is = (t) => plan.types[t] instanceof Matcher && plan.types[t].accepts(types[t], length)
  if (is(FIXED_LINE)) {
    return plan.types[MOBILE] === undefined ||
      plan.types[MOBILE] === "same-as-fixed-line" ||
      is(MOBILE)
      ? "b"
      : "l"
  }
  for (const t of NON_FIXED_LINE) {
    if (is(t)) return t === MOBILE ? "m" : t === VOIP && plan.french ? "l" : "o"
  }
  return ""
}

const startStates = (plan) => [
  plan.general.start,
  ...plan.types.map((m) => (m instanceof Matcher ? m.start : [])),
]
const stepStates = (plan, states, digit) =>
  states.map((s, i) => {
    const m = i === 0 ? plan.general : plan.types[i - 1]
    return m instanceof Matcher ? m.step(s, digit) : []
  })

/**
 * The minimal acyclic automaton of a calling code: node 0 rejects everything, every node has
 * `kind` (the kind of the digits read so far, "" if not a valid number) and ten successors.
 * Regions sharing a code are tried in metadata order, as libphonenumber-js does.
 */
const codeAutomaton = (plans, maxLength) => {
  const nodes = [{ kind: "", next: Array(10).fill(0) }]
  const interned = new Map([[`|${Array(10).fill(0).join(",")}`, 0]])
  const memo = new Map()
  const visit = (statesPerPlan, depth) => {
    const key = `${depth}/${statesPerPlan.map((s) => (s === null ? "-" : s.map((x) => x.join(".")).join(";"))).join("/")}`
    const known = memo.get(key)
    if (known !== undefined) return known
    let kind = ""
    for (let p = 0; p < plans.length && kind === ""; p++) {
      if (statesPerPlan[p] !== null) kind = kindOf(plans[p], statesPerPlan[p], depth)
    }
    const next = []
    for (let d = 0; d < 10; d++) {
      if (depth === maxLength) {
        next.push(0)
        continue
      }
      const stepped = statesPerPlan.map((s, p) => {
        if (s === null) return null
        const n = stepStates(plans[p], s, d)
        return n[0].length === 0 ? null : n
      })
      next.push(stepped.every((s) => s === null) ? 0 : visit(stepped, depth + 1))
    }
    const signature = `${kind}|${next.join(",")}`
    let id = interned.get(signature)
    if (id === undefined) {
      id = nodes.length
      nodes.push({ kind, next })
      interned.set(signature, id)
    }
    memo.set(key, id)
    return id
  }
  const root = visit(plans.map(startStates), 0)
  return { nodes, root }
}

const automatonOf = (metadata, code) => {
  const french = FRENCH_CODES.includes(code)
  const regions = metadata.country_calling_codes[code] ?? []
  const countries = regions.map((r) => metadata.countries[r]).filter(Boolean)
  if (metadata.nonGeographic?.[code]) countries.push(metadata.nonGeographic[code])
  const plans = countries.map((c) => regionPlan(c, french))
  return codeAutomaton(plans, E164_MAX - code.length)
}

// ---------------------------------------------------------------------------------------
// Tries, written in the grammar of the generated module's header.

const digitClass = (digits) => {
  if (digits.length === 10) return "d"
  if (digits.length === 1) return String(digits[0])
  let out = ""
  for (let i = 0; i < digits.length; ) {
    let j = i
    while (j + 1 < digits.length && digits[j + 1] === digits[j] + 1) j++
    out += j - i >= 2 ? `${digits[i]}-${digits[j]}` : digits.slice(i, j + 1).join("")
    i = j + 1
  }
  return `[${out}]`
}

/** A trie node: `{ leaf }` (a value such as "m" or "{262}l") or `{ kids }` (ten nodes). */
const writeItems = (node, defaultLeaf, dontCare = () => false) => {
  const groups = new Map()
  const spare = []
  node.kids.forEach((kid, digit) => {
    if (dontCare(kid)) {
      spare.push(digit)
      return
    }
    const inner = kid.leaf === undefined ? writeItems(kid, defaultLeaf, dontCare) : ""
    if (kid.leaf === defaultLeaf || (kid.leaf === undefined && inner === "")) return
    const text = kid.leaf ?? `(${inner})`
    if (!groups.has(text)) groups.set(text, [])
    groups.get(text).push(digit)
  })
  let out = ""
  for (const [text, digits] of groups) {
    // a digit nothing is known of may join a class if that writes it shorter
    const wider = [...digits, ...spare].sort((a, b) => a - b)
    const cls =
      digitClass(wider).length < digitClass(digits).length ? digitClass(wider) : digitClass(digits)
    out += cls + text
  }
  return out
}

/** The exact trie of 9-digit numbers: a node is a leaf once all its completions agree. */
const exactTrie = (labelOf) => {
  const memo = new Map()
  const build = (prefix, key) => {
    if (prefix.length === 9) return { leaf: labelOf(prefix) }
    const memoKey = key(prefix)
    if (memoKey !== undefined && memo.has(memoKey)) return memo.get(memoKey)
    const kids = Array.from({ length: 10 }, (_, d) => build(prefix + d, key))
    const first = kids[0].leaf
    const node =
      first !== undefined && kids.every((k) => k.leaf === first) ? { leaf: first } : { kids }
    if (memoKey !== undefined) memo.set(memoKey, node)
    return node
  }
  return build
}

/** The kind of `digits` in a code's automaton, "b" (fixed line or mobile) written "o". */
const walk = ({ nodes, root }, digits) => {
  let id = root
  for (const c of digits) id = nodes[id].next[c.charCodeAt(0) - 48]
  return nodes[id].kind === "b" ? "o" : nodes[id].kind
}

/** The routing of French national numbers and the exact plans of the overseas codes. */
const frenchTries = (metadata) => {
  const automata = Object.fromEntries(FRENCH_CODES.map((c) => [c, automatonOf(metadata, c)]))
  const overseasOf = new Map()
  for (const [code, prefixes] of Object.entries(OVERSEAS_PREFIXES)) {
    for (const p of prefixes) overseasOf.set(p, code)
  }
  // Memoising by automaton states keeps the walk small: the key is the prefix's state in
  // every plan (and, before the third digit, the prefix itself, which decides overseas).
  const stateOf = (code, prefix) => {
    const { nodes, root } = automata[code]
    let id = root
    for (const c of prefix) id = nodes[id].next[c.charCodeAt(0) - 48]
    return id
  }
  const routingKey = (prefix) =>
    prefix.length < 3
      ? `p${prefix}`
      : `${prefix.length}:${overseasOf.get(prefix.slice(0, 3)) ?? ""}:${FRENCH_CODES.map((c) => stateOf(c, prefix)).join(",")}`
  const route = (nine) => {
    const forced = overseasOf.get(nine.slice(0, 3))
    if (forced !== undefined) {
      const kind = walk(automata[forced], nine)
      return kind === "" ? "x" : `{${forced}}${kind}`
    }
    const metropolitan = walk(automata["33"], nine)
    if (metropolitan !== "") return metropolitan
    for (const code of FRENCH_CODES.slice(1)) {
      const kind = walk(automata[code], nine)
      if (kind !== "") return `{${code}}${kind}`
    }
    return "x"
  }
  const national = `x${writeItems(exactTrie(route)("", routingKey), "x")}`
  // A number of an overseas code is either one the national routing sends there, or one
  // of the few it sends elsewhere (shared service ranges, 08…, 09… VoIP): only those are kept.
  const overseas = {}
  for (const code of FRENCH_CODES.slice(1)) {
    const label = (nine) => {
      if (route(nine).startsWith(`{${code}}`)) return "x"
      return walk(automata[code], nine) || "x"
    }
    overseas[code] = `x${writeItems(exactTrie(label)("", routingKey), "x")}`
  }
  return { national, overseas }
}

/** The lengths and trie of a code abroad (see the header). */
const countryEntry = (metadata, code) => {
  const automaton = automatonOf(metadata, code)
  const { nodes } = automaton
  let { root } = automaton
  // A national (trunk) prefix 0 is dropped after the country code, as libphonenumber-js does
  // ("+44 020…" is "+44 20…"): such countries' numbers starting with 0 (a few service
  // numbers) are left out. Elsewhere a 0 is kept ("+39 06…").
  const trunk = (metadata.country_calling_codes[code] ?? []).some(
    (r) => metadata.countries[r]?.[5] === "0",
  )
  if (trunk) {
    nodes.push({ kind: nodes[root].kind, next: [0, ...nodes[root].next.slice(1)] })
    root = nodes.length - 1
  }
  const depthOf = PRECISE.includes(code) ? 2 : 1
  // per node: the kinds of the valid numbers below it, by remaining length
  const memo = new Map()
  const below = (id) => {
    let out = memo.get(id)
    if (out !== undefined) return out
    out = new Map()
    if (nodes[id].kind !== "") out.set(0, new Set([nodes[id].kind]))
    if (id !== 0) {
      for (const kid of nodes[id].next) {
        if (kid === 0) continue
        for (const [length, kinds] of below(kid)) {
          if (!out.has(length + 1)) out.set(length + 1, new Set())
          for (const k of kinds) out.get(length + 1).add(k)
        }
      }
    }
    memo.set(id, out)
    return out
  }
  const b36 = (lengths) => lengths.map((l) => l.toString(36)).join("")
  /**
   * A prefix's value: the kind of its numbers, "-" if it has none, "o" if kinds mix. Where
   * they mix only across lengths, the last digit kept tells them apart by length: "m/cdo"
   * (Germany's 15…: mobiles, but 12 and 13 digits are voicemail access numbers).
   */
  const summary = (id, depth) => {
    const byLength = new Map()
    for (const [rest, kinds] of below(id)) {
      const [only] = kinds
      byLength.set(depth + rest, kinds.size === 1 && only !== "b" ? only : "o")
    }
    const kinds = new Set(byLength.values())
    if (kinds.size === 0) return "-"
    if (kinds.size === 1) return [...kinds][0]
    if (depth < 2 || depth < depthOf || !(kinds.has("m") || kinds.has("l"))) return "o"
    const lengthsOf = (k) =>
      [...byLength]
        .filter(([, v]) => v === k)
        .map(([l]) => l)
        .sort((a, b) => a - b)
    const main = [...kinds].sort(
      (a, b) => lengthsOf(b).length - lengthsOf(a).length || "mlo".indexOf(a) - "mlo".indexOf(b),
    )[0]
    const others = [...kinds].filter((k) => k !== main).sort()
    return main + others.map((k) => `/${b36(lengthsOf(k))}${k}`).join("")
  }
  const build = (id, depth, digit) => {
    const kind = summary(id, depth)
    // whether numbers may start with 0 is kept exact: "+49 030…" is the trunk 0, "+39 06…" not
    if (kind === "-") return { leaf: depth === 1 && digit === 0 ? "x" : "-" }
    if ((kind !== "o" && depth > 0) || depth === depthOf) return { leaf: kind }
    const kids = nodes[id].next.map((kid, d) => build(kid, depth + 1, d))
    const live = kids.filter((k) => k.leaf !== "-" && k.leaf !== "x")
    if (live.length > 0 && live.every((k) => k.leaf !== undefined && k.leaf === live[0].leaf)) {
      if (depth > 0 || kids.every((k) => k.leaf !== "x")) return { leaf: live[0].leaf }
    }
    return { kids }
  }
  const tree = build(root, 0)
  // The lengths of its phones' numbers: lengths only service numbers have (Canada's 7-digit
  // 310 numbers among +1's 10) are left out, so that "0012345678" is no +1 number.
  const lengths = [...below(root)]
    .filter(([, kinds]) => kinds.has("l") || kinds.has("m") || kinds.has("b"))
    .map(([l]) => l)
    .sort((a, b) => a - b)
  // Where there is a trunk 0, no item matches a 0; else "0x" or the 0's value comes first.
  const zero = tree.leaf === undefined ? tree.kids[0] : tree
  const counts = { l: 0, m: 0, o: 0 }
  const count = (node) => {
    if (node.leaf === undefined) node.kids.forEach(count)
    else if (node.leaf in counts) counts[node.leaf]++
  }
  count(tree)
  const fallback =
    tree.leaf !== undefined ? tree.leaf : Object.entries(counts).sort((a, b) => b[1] - a[1])[0][0]
  if (fallback.length !== 1) throw new Error(`+${code}: a trie's own kind must be one letter`)
  const zeroItems = zero.leaf === undefined ? writeItems(zero, fallback, (k) => k.leaf === "-") : ""
  const zeroText = trunk ? "" : `0${zero.leaf ?? (zeroItems === "" ? fallback : `(${zeroItems})`)}`
  // the 0 is written first or not at all: out of the other classes (which it would widen)
  const rest = tree.leaf === undefined && {
    kids: tree.kids.map((k, d) => (d === 0 ? { leaf: fallback } : k)),
  }
  const items = rest ? writeItems(rest, fallback, (k) => k.leaf === "-") : ""
  return { lengths: b36(lengths), trie: fallback + zeroText + items }
}

// ---------------------------------------------------------------------------------------

const chunk = (text, width) => {
  const lines = []
  for (let i = 0; i < text.length; i += width) lines.push(text.slice(i, i + width))
  return lines
}

/** The generated module's text. */
export const generate = () => {
  const metadata = require("libphonenumber-js/metadata.max.json")
  const { version } = require("libphonenumber-js/package.json")
  const { national, overseas } = frenchTries(metadata)
  const codes = [
    ...Object.keys(metadata.country_calling_codes),
    ...Object.keys(metadata.nonGeographic ?? {}),
  ]
  const unique = [...new Set(codes)].sort((a, b) => a.length - b.length || Number(a) - Number(b))
  // each code as its difference to the previous one (base 36), or ":code:" after a long gap
  let previous = 0
  const entries = unique.map((code) => {
    const gap = Number(code) - previous
    previous = Number(code)
    const head = gap < 36 ? gap.toString(36) : `:${code}:`
    if (FRENCH_CODES.includes(code)) return `${head}9*`
    const { lengths, trie } = countryEntry(metadata, code)
    return head + lengths + trie
  })
  // as biome formats them: on the line when it fits in 100 columns, else in 92-character pieces
  const literal = (head, text, indent, tail) =>
    head.length + JSON.stringify(text).length + tail.length <= 100
      ? `${head}${JSON.stringify(text)}${tail}`
      : `${head.trimEnd()}\n${chunk(text, 92)
          .map((line) => `${indent}${JSON.stringify(line)}`)
          .join(" +\n")}${tail}`
  return `// GENERATED by scripts/generate-phone-metadata.mjs from libphonenumber-js ${version}
// (metadata.max.json). Do not edit: run \`pnpm --filter @voicepartner/core generate:phone\`
// after upgrading libphonenumber-js; test/phone/metadata.test.ts fails when this file and the
// script's output differ.
//
// A trie reads the national significant number digit by digit:
//   trie  := kind item*          the kind of every number no item matches
//   item  := class value         a digit matched by no item of a group gets the trie's kind
//   class := 0-9 | "d" (any) | "[" digits and ranges "]"
//   value := ("{" code "}")? kind | "(" item* ")"   a group reads the next digit
//   kind  := "l" landline | "m" mobile | "o" other (service numbers, or kinds mixed) | "x" none
//            then, where kinds differ by length, ("/" lengths kind)*: "m/cdo" is other for
//            12 and 13 digits (lengths in base 36)
// "{262}m" is a mobile of +262.

/** The libphonenumber-js release the tries below were generated from. */
export const metadataSource = "libphonenumber-js ${version}"

/**
 * French national numbers (0 and these 9 digits), exact: where they belong ("{code}" for
 * overseas France, +33 otherwise) and their kind; "x" where no number is allocated.
 */
${literal("export const frenchNational = ", national, "  ", "")}

/**
 * The numbers of overseas France's codes that \`frenchNational\` routes elsewhere (shared
 * service and VoIP ranges), exact: a number written with its own code (+262…) is one of
 * these, or one \`frenchNational\` marks with that code.
 */
export const overseasPlans: Readonly<Record<string, string>> = {
${Object.entries(overseas)
  .map(([code, trie]) => literal(`  "${code}": `, trie, "    ", ","))
  .join("\n")}
}

/**
 * Every other country calling code, entries separated by ";": the code (its difference to
 * the previous entry's, one base-36 digit, or ":code:" after a long gap), the lengths its
 * national numbers may have (base-36 digits; at most ${E164_MAX} digits with the code; lengths
 * only service numbers have are left out), then its trie. A 0 no item of the first digit
 * matches is a trunk prefix, dropped ("+44 020…" is "+44 20…"); "0x": no number starts with
 * 0 and there is no trunk prefix. Kinds are decided by the first digit (two for
 * ${PRECISE.join(", ")}): not exact, allocated ranges are not kept. "9*"
 * marks the codes of the exact French plans above.
 */
${literal("export const countryPlans = ", entries.join(";"), "  ", "")}
`
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const text = generate()
  if (process.argv.includes("--check")) {
    const current = readFileSync(target, "utf8")
    if (current !== text) {
      console.error(
        "src/internal/phone/metadata.generated.ts is not what scripts/generate-phone-metadata.mjs generates: run `pnpm --filter @voicepartner/core generate:phone`",
      )
      process.exit(1)
    }
    console.log("src/internal/phone/metadata.generated.ts is up to date")
  } else {
    writeFileSync(target, text)
    console.log(`wrote ${target} (${text.length} characters)`)
  }
}
