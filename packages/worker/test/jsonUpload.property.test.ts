// The streaming JSON body reader (broadcast/jsonUpload.ts, through the route's
// readJsonBroadcast) against what the route did before it: the whole text, the nesting
// check, JSON.parse, recipientList and planRecipients. Generated bodies: objects with
// duplicate and escaped keys, random whitespace, escapes, any UTF-16 (lone surrogates
// too), nesting around the limit; then malformed by mutations; the bytes cut anywhere
// (inside UTF-8 sequences and escapes).
import { seededRandom } from "@voicepartner/emulator/faults"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { recipientList } from "../src/broadcast/broadcastRequest.js"
import { JsonBodyScanner } from "../src/broadcast/jsonUpload.js"
import { planRecipients } from "../src/broadcast/recipientPlan.js"
import { apiError } from "../src/http/apiError.js"
import { readJsonBroadcast } from "../src/routes/broadcastRoutes.js"

/** The route's JSON source as it was: parseBoundedJson (its depth count copied as it was). */
const before = (text: string) => {
  const depthOf = (limit: number): number => {
    let depth = 0
    let inString = false
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i)
      if (inString) {
        if (c === 0x5c) i++
        else if (c === 0x22) inString = false
      } else if (c === 0x22) inString = true
      else if (c === 0x5b || c === 0x7b) {
        if (++depth > limit) return depth
      } else if (c === 0x5d || c === 0x7d) depth--
    }
    return depth
  }
  let value: unknown
  if (depthOf(32) > 32)
    return {
      refusal: apiError(400, "INVALID_JSON", "the request body nests deeper than 32 levels"),
    }
  try {
    value = JSON.parse(text)
  } catch {
    return { refusal: apiError(400, "INVALID_JSON", "the request body is not valid JSON") }
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return { refusal: apiError(400, "INVALID_JSON", "the request body must be a JSON object") }
  const { recipients, apiKey: _apiKey, ...fields } = value as Record<string, unknown>
  const list = recipientList(recipients)
  return list.ok ? { fields, recipients: planRecipients(list.inputs) } : { refusal: list.error }
}

/** Pieces of `bytes` cut at `cuts` (positions taken modulo its length). */
const cut = (bytes: Uint8Array, cuts: ReadonlyArray<number>): Array<Uint8Array> => {
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b)
  const pieces: Array<Uint8Array> = []
  let from = 0
  for (const to of [...at, bytes.length]) {
    pieces.push(bytes.slice(from, to))
    from = to
  }
  return pieces
}

/** The pieces as a stream: a byte stream (read into one buffer, as a request's body is) or not. */
const streamOf = (pieces: ReadonlyArray<Uint8Array>, bytes: boolean) => {
  const queue = bytes ? pieces.filter((p) => p.length > 0) : [...pieces]
  let i = 0
  return bytes
    ? new ReadableStream({
        type: "bytes",
        pull: (controller) => {
          const piece = queue[i++]
          if (piece === undefined) controller.close()
          else controller.enqueue(piece)
        },
      })
    : new ReadableStream<Uint8Array>({
        pull: (controller) => {
          const piece = queue[i++]
          if (piece === undefined) controller.close()
          else controller.enqueue(piece)
        },
      })
}

/** Values as JSON text shows them: a number as written, an object's members in order (a key may repeat). */
type Doc =
  | { readonly t: "lit"; readonly text: string }
  | { readonly t: "num"; readonly text: string }
  | { readonly t: "str"; readonly s: string }
  | { readonly t: "arr"; readonly items: ReadonlyArray<Doc> }
  | { readonly t: "obj"; readonly members: ReadonlyArray<readonly [string, Doc]> }

/** A small deterministic generator for the writing choices of a document (the emulator's). */
const random = seededRandom

const SHORT: Readonly<Record<string, string>> = {
  '"': '\\"',
  "\\": "\\\\",
  "\b": "\\b",
  "\f": "\\f",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
}

/** `doc` as JSON text: random whitespace between tokens, random escapes in strings. */
const write = (doc: Doc, seed: number): string => {
  const next = random(seed)
  const space = () => {
    if (next() < 0.6) return ""
    let s = ""
    const n = 1 + Math.floor(next() * 3)
    for (let i = 0; i < n; i++) s += " \t\n\r"[Math.floor(next() * 4)]
    return s
  }
  const hex = (c: number) => {
    const h = c.toString(16).padStart(4, "0")
    return `\\u${next() < 0.5 ? h : h.toUpperCase()}`
  }
  const string = (s: string) => {
    let out = '"'
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i)
      const short = SHORT[s[i] as string]
      if (short !== undefined || c < 0x20)
        out += short !== undefined && next() < 0.7 ? short : hex(c)
      else if (next() < 0.12) out += hex(c)
      else if (c === 0x2f && next() < 0.5) out += "\\/"
      else out += s[i]
    }
    return `${out}"`
  }
  const value = (d: Doc): string => {
    switch (d.t) {
      case "lit":
      case "num":
        return d.text
      case "str":
        return string(d.s)
      case "arr":
        return `[${space()}${d.items.map((item) => `${value(item)}${space()}`).join(`,${space()}`)}]`
      case "obj":
        return `{${space()}${d.members
          .map(([k, v]) => `${string(k)}${space()}:${space()}${value(v)}${space()}`)
          .join(`,${space()}`)}}`
    }
  }
  return `${space()}${value(doc)}${space()}`
}

const anyString = fc.string({
  unit: fc.oneof(
    fc.constantFrom(
      "0",
      "6",
      " ",
      "+",
      "é",
      "€",
      "🎉",
      "\ud800",
      "\udfff",
      '"',
      "\\",
      "/",
      "\n",
      "\u0000",
      "\u001f",
      "\u2028",
      "[",
    ),
    fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
  ),
  maxLength: 12,
})
const phone = fc.oneof(
  fc.constantFrom(
    "06 12 34 56 78",
    "+33612345678",
    "0612345678",
    "01 23 45 67 89",
    "0752345678",
    "12",
    "",
    " ",
    "+44 20 7946 0958",
    "0033 6 12 34 56 78",
  ),
  fc.stringMatching(/^\+?[0-9 .-]{0,16}$/),
  anyString,
)
const number = fc.oneof(
  fc.integer().map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
  fc.constantFrom("-0", "0.0", "1E5", "1e-7", "-12.5e+3", "1e400", "0e0", "2E-0"),
)
/** Values whose leaves are `leaf` (and strings, arrays, objects). */
const docOf = (leaf: fc.Arbitrary<Doc>): fc.Arbitrary<Doc> =>
  fc.letrec<{ value: Doc }>((tie) => ({
    value: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      leaf,
      anyString.map((s): Doc => ({ t: "str", s })),
      fc.array(tie("value"), { maxLength: 4 }).map((items): Doc => ({ t: "arr", items })),
      fc
        .array(
          fc.tuple(
            fc.oneof(anyString, fc.constantFrom("a", "__proto__", "recipients")),
            tie("value"),
          ),
          { maxLength: 4 },
        )
        .map((members): Doc => ({ t: "obj", members })),
    ),
  })).value
const literal = fc.constantFrom<Doc>(
  { t: "lit", text: "true" },
  { t: "lit", text: "false" },
  { t: "lit", text: "null" },
)
const doc = docOf(
  fc.oneof(
    literal,
    number.map((text): Doc => ({ t: "num", text })),
  ),
)
/** Numbers and literals JSON does not have, among good ones: for malformed bodies. */
const badDoc = docOf(
  fc.oneof(
    literal,
    number.map((text): Doc => ({ t: "num", text })),
    fc
      .constantFrom(
        "01",
        "-",
        "1.",
        ".5",
        "1e",
        "1e+",
        "+1",
        "0x1",
        "1.e3",
        "-01",
        "00",
        "Infinity",
        "NaN",
        "tru",
        "nul",
        "falsey",
        "1.5.3",
        "- 1",
        "0.",
        "1E",
      )
      .map((text): Doc => ({ t: "num", text })),
  ),
)
const bodyOf = (doc: fc.Arbitrary<Doc>): fc.Arbitrary<Doc> => {
  /** Nested `levels` deep around a value: the limit is 32 levels, the body's object one of them. */
  const deep = fc
    .tuple(fc.integer({ min: 28, max: 36 }), doc, fc.boolean())
    .map(([levels, inner, objects]) => {
      let d = inner
      for (let i = 0; i < levels; i++)
        d = objects && i % 2 ? { t: "obj", members: [["k", d]] } : { t: "arr", items: [d] }
      return d
    })
  const recipients: fc.Arbitrary<Doc> = fc.oneof(
    {
      weight: 6,
      arbitrary: fc
        .array(phone, { maxLength: 12 })
        .map((list): Doc => ({ t: "arr", items: list.map((s) => ({ t: "str", s })) })),
    },
    {
      weight: 2,
      arbitrary: fc
        .array(
          fc.oneof(
            phone.map((s): Doc => ({ t: "str", s })),
            doc,
          ),
          { maxLength: 6 },
        )
        .map((items): Doc => ({ t: "arr", items })),
    },
    { weight: 1, arbitrary: doc },
    { weight: 1, arbitrary: deep },
  )
  const field = fc.oneof(
    fc.constantFrom(
      "type",
      "message",
      "name",
      "startAt",
      "notifyUrl",
      "dryRun",
      "apiKey",
      "__proto__",
      "recipients",
      "constructor",
      "1",
    ),
    anyString,
  )
  const member = fc.oneof(
    { weight: 3, arbitrary: fc.tuple(fc.constant("recipients"), recipients) },
    { weight: 1, arbitrary: fc.tuple(fc.constant("apiKey"), doc) },
    { weight: 6, arbitrary: fc.tuple(field, doc) },
    { weight: 1, arbitrary: fc.tuple(field, deep) },
  )
  return fc.oneof(
    {
      weight: 12,
      arbitrary: fc.array(member, { maxLength: 7 }).map((members): Doc => ({ t: "obj", members })),
    },
    { weight: 1, arbitrary: doc },
  )
}
const body = bodyOf(doc)
const badBody = bodyOf(badDoc)

/** A malformed copy: bytes dropped, inserted, replaced (from JSON's syntax, and not UTF-8), or cut short. */
const mutation = fc.tuple(
  fc.constantFrom("drop", "insert", "replace", "truncate"),
  fc.nat(),
  fc.constantFrom(
    0x22,
    0x5c,
    0x5b,
    0x5d,
    0x7b,
    0x7d,
    0x2c,
    0x3a,
    0x20,
    0x30,
    0x2d,
    0x2e,
    0x65,
    0x75,
    0x78,
    0xff,
    0xc3,
    0xe2,
    0xf0,
    0x00,
    0x0a,
    0x74,
  ),
)
const mutate = (bytes: Uint8Array, mutations: ReadonlyArray<readonly [string, number, number]>) => {
  let out = [...bytes]
  for (const [kind, position, byte] of mutations) {
    const at = position % (out.length + 1)
    if (kind === "drop") out.splice(at, 1)
    else if (kind === "insert") out.splice(at, 0, byte)
    else if (kind === "replace") out[at] = byte
    else out = out.slice(0, at)
  }
  return new Uint8Array(out)
}

/** Compared as text: the members in order, -0 told from 0. */
const shown = (value: unknown) =>
  JSON.stringify(value, (_key, v: unknown) => (Object.is(v, -0) ? "-0" : v))

const agree = async (bytes: Uint8Array, cuts: ReadonlyArray<number>) => {
  const expected = before(new TextDecoder().decode(bytes))
  // An odd number of cuts: a byte stream.
  const actual = await readJsonBroadcast(streamOf(cut(bytes, cuts), cuts.length % 2 === 1))
  if ("refusal" in expected) {
    expect(actual).toEqual(expected)
    return
  }
  if ("refusal" in actual) throw new Error(`refused: ${JSON.stringify(actual.refusal.body)}`)
  expect(Object.getPrototypeOf(actual.fields)).toBe(Object.prototype)
  expect(Object.keys(actual.fields)).toEqual(Object.keys(expected.fields))
  expect(shown(actual.fields)).toBe(shown(expected.fields))
  expect(actual.recipients).toEqual(expected.recipients)
}

const encode = (text: string) => new TextEncoder().encode(text)
const cuts = fc.array(fc.nat(), { maxLength: 12 })

describe("the streaming JSON body reader", () => {
  it("reads generated bodies as JSON.parse and the route's checks did, cut anywhere", async () => {
    await fc.assert(
      fc.asyncProperty(body, fc.integer(), cuts, async (d, seed, at) => {
        await agree(encode(write(d, seed)), at)
      }),
      { numRuns: 600 },
    )
  }, 120_000)

  it("refuses malformed bodies as they were refused, or reads them as they were read", async () => {
    await fc.assert(
      fc.asyncProperty(
        badBody,
        fc.integer(),
        fc.array(mutation, { maxLength: 3 }),
        cuts,
        async (d, seed, mutations, at) => {
          await agree(mutate(encode(write(d, seed)), mutations), at)
        },
      ),
      { numRuns: 600 },
    )
  }, 120_000)

  it("agrees at every cut of bodies written with escapes and multi-byte characters", async () => {
    const texts = [
      '{"recip\\u0069ents":["06 12 34 56 78","\\ud83c\\udf89","é€🎉","\\ud800"],"name":"a\\/b\\"c\\\\","apiKey":[1,{"x":null}]}',
      '\ufeff {"type":"tts","message":{"text":"🎉"},"recipients":["0612345678"],"dryRun":true } ',
      '{"recipients":[],"recipients":["0612345678",-0.5e+3],"a":-0,"a":[],"__proto__":{"__proto__":1}}',
      '{"recipients":["06\\u12G4"]}',
      '{"recipients":["0612345678"]}x',
      `{"a":${"[".repeat(31)}${"]".repeat(31)},"b":"\\"[[["}`,
    ]
    for (const text of texts) {
      const bytes = encode(text)
      for (let k = 0; k <= bytes.length; k++) await agree(bytes, [k])
      await agree(
        bytes,
        Array.from(bytes, (_, k) => k),
      )
    }
  }, 120_000)

  it("compares with the text Request.text() gives: TextDecoder's, BOM and bad UTF-8 alike", async () => {
    const odd = fc.constantFrom(
      0xef,
      0xbb,
      0xbf,
      0xff,
      0xc0,
      0x80,
      0xed,
      0xa0,
      0xf0,
      0x9f,
      0x22,
      0x61,
    )
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 40 }),
        fc.array(odd, { maxLength: 8 }),
        async (bytes, extra) => {
          const all = new Uint8Array([...extra, ...bytes, ...extra])
          expect(await new Request("https://gw.test/", { method: "POST", body: all }).text()).toBe(
            new TextDecoder().decode(all),
          )
        },
      ),
      { numRuns: 300 },
    )
  })

  it("stays refused past the nesting limit whatever follows", () => {
    const scanner = new JsonBodyScanner()
    scanner.write(encode(`{"recipients":${"[".repeat(40)}`))
    scanner.write(encode("x".repeat(1_000)))
    expect(scanner.end()).toEqual({ kind: "refused", reason: "nests deeper than 32 levels" })
  })
})
