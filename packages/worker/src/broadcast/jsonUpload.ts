import { bytesOf } from "@voicepartner/core/csv/decode"
import { MAX_JSON_DEPTH, NestingDepth, NOT_JSON, TOO_DEEP } from "../http/boundedJson.js"
import {
  MAX_BROADCAST_RECIPIENTS,
  type PlannedRecipients,
  RecipientPlanner,
} from "./recipientPlan.js"

/** Why a JSON body that is not an object is refused (after "the request body"). */
export const NOT_OBJECT = "must be a JSON object"

/**
 * A JSON body's `recipients` as read: what `recipientList` is to answer (a value that is
 * not an array, `undefined` when absent), an array of more than
 * {@link MAX_BROADCAST_RECIPIENTS} entries (`length`), the index of its first entry that
 * is not a string, or its strings planned, entry `i` on row `i + 1`.
 */
export type JsonRecipients =
  | { readonly kind: "value"; readonly value: unknown }
  | { readonly kind: "tooMany"; readonly length: number }
  | { readonly kind: "notString"; readonly index: number }
  | { readonly kind: "planned"; readonly recipients: PlannedRecipients }

/**
 * A broadcast's JSON body, read: its members but `recipients` and `apiKey` (as
 * `JSON.parse` gives them: the last of a key given twice wins) and its recipients; or
 * why it is refused (`reason` follows "the request body", as `parseBoundedJson`'s); or
 * past the byte limit.
 */
export type JsonBody =
  | {
      readonly kind: "read"
      readonly fields: Readonly<Record<string, unknown>>
      readonly recipients: JsonRecipients
    }
  | { readonly kind: "refused"; readonly reason: string }
  | { readonly kind: "tooLarge" }

// The scanner's states. Outside strings:
/** A value is due: at the start, after `:`, after `,` in an array. */
const VALUE = 0
/** After `{`: a key or `}`. */
const OBJECT_FIRST = 1
/** After `,` in an object: a key. */
const OBJECT_KEY = 2
const COLON = 3
/** After a member's value: `,` or `}`. */
const OBJECT_NEXT = 4
/** After `[`: a value or `]`. */
const ARRAY_FIRST = 5
/** After an element: `,` or `]`. */
const ARRAY_NEXT = 6
/** After the top-level value: whitespace only. */
const END = 7
// In a string:
const STRING = 8
/** After a backslash. */
const ESCAPE = 9
/** In `\uXXXX`. */
const UNICODE = 10
// In a number (JSON's grammar: -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?):
const MINUS = 11
const ZERO = 12
const INT = 13
const DOT = 14
const FRACTION = 15
const EXPONENT_MARK = 16
const EXPONENT_SIGN = 17
const EXPONENT = 18
/** In `true`, `false` or `null`. */
const LITERAL = 19
/** Past a syntax error: only the nesting is counted, since its limit is answered first. */
const FAILED = 20
/** Past the nesting limit: the answer is known, the rest is only read. */
const DEEP = 21

const OBJECT = 1
const ARRAY = 2

/** What the top-level member being read is. */
const SKIPPED = 0 // `apiKey` (never a field of ours), or none being read
const CAPTURED = 1 // kept as its text, parsed when complete
const STREAMED = 2 // the `recipients` array: its strings planned one by one

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09
const isDigit = (c: number) => c >= 0x30 && c <= 0x39
const isHex = (c: number) =>
  (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46)

/** A data property, as `JSON.parse` and spreading make (`__proto__` included). */
const define = (target: Record<string, unknown>, key: string, value: unknown) =>
  Object.defineProperty(target, key, {
    value,
    writable: true,
    enumerable: true,
    configurable: true,
  })

/**
 * Reads one JSON object from its bytes, piece by piece (cut anywhere, inside a UTF-8
 * sequence or an escape too), as `JSON.parse` of the whole text would, without ever
 * holding the text: the `recipients` array's strings go one by one to a
 * {@link RecipientPlanner} (row: position in the array), every other top-level member is
 * kept as its text and parsed once complete (they are small). Invalid JSON anywhere,
 * nesting past {@link MAX_JSON_DEPTH} (counted as `parseBoundedJson` counts, before any
 * other error) and a body that is not an object are refused with `parseBoundedJson`'s
 * reasons. The text is decoded as `Request.text()` does (UTF-8, replacement characters,
 * a leading BOM dropped).
 *
 * @example
 * ```ts
 * const scanner = new JsonBodyScanner()
 * const bytes = new TextEncoder().encode('{"type":"tts","recipients":["06 12 34 56 78","12"]}')
 * scanner.write(bytes.subarray(0, 30))
 * scanner.write(bytes.subarray(30))
 * const body = scanner.end()
 * if (body.kind === "read" && body.recipients.kind === "planned")
 *   body.recipients.recipients.counts // { total: 2, valid: 1, invalidCount: 1, invalid: [{ row: 2, … }], … }
 * ```
 */
export class JsonBodyScanner {
  private readonly decoder = new TextDecoder()
  private state = VALUE
  private depth = 0
  /** The open containers, outermost first (the limit bounds it). */
  private readonly stack = new Uint8Array(MAX_JSON_DEPTH + 1)
  private topObject = false
  /** The nesting count past a syntax error. */
  private nesting: NestingDepth | undefined

  /** The string being read is a key (else a value). */
  private stringIsKey = false
  /** Its text is wanted (a top-level key, a recipient): from `stringStart`, after `stringHead`. */
  private stringKept = false
  private stringStart = 0
  private stringHead = ""
  private stringEscaped = false
  private hexLeft = 0
  private literal = ""
  private literalAt = 0

  /** The current top-level key, and what its value is being read as. */
  private key = ""
  private member = SKIPPED
  /** A captured member's text: from `captureStart` of this piece, after `captureHead`. */
  private captureStart = 0
  private captureHead = ""
  /** The piece of text being read. */
  private piece = ""

  private readonly fields: Record<string, unknown> = {}
  /** `recipients` when it is not an array (absent: undefined). */
  private recipientsValue: unknown
  private recipientsIsArray = false
  /** The array's entries so far, its first non-string, the plan (while it can be used). */
  private length = 0
  private firstNonString = -1
  private planner: RecipientPlanner | undefined

  /** The next bytes of the body. */
  write(bytes: Uint8Array): void {
    if (this.state === DEEP) return
    this.push(this.decoder.decode(bytes, { stream: true }))
  }

  /** The end of the body: what it says, or why it is refused. */
  end(): JsonBody {
    const rest = this.decoder.decode()
    if (rest !== "" && this.state !== DEEP) this.push(rest)
    const state = this.state
    if (state === DEEP) return { kind: "refused", reason: TOO_DEEP }
    // A number ends with the text when it is the whole body.
    if (
      this.depth === 0 &&
      (state === ZERO || state === INT || state === FRACTION || state === EXPONENT)
    )
      this.complete(0)
    if (this.state !== END) return { kind: "refused", reason: NOT_JSON }
    if (!this.topObject) return { kind: "refused", reason: NOT_OBJECT }
    return { kind: "read", fields: this.fields, recipients: this.recipients() }
  }

  private recipients(): JsonRecipients {
    if (!this.recipientsIsArray) return { kind: "value", value: this.recipientsValue }
    if (this.length > MAX_BROADCAST_RECIPIENTS) return { kind: "tooMany", length: this.length }
    if (this.firstNonString >= 0) return { kind: "notString", index: this.firstNonString }
    return { kind: "planned", recipients: (this.planner as RecipientPlanner).finish() }
  }

  /** The next piece of text. */
  private push(text: string): void {
    const n = text.length
    let i = 0
    this.piece = text
    if (this.state === FAILED) {
      if ((this.nesting as NestingDepth).exceeds(text)) this.deep()
      return
    }
    // Each case reads from `i` and moves it on; a syntax error leaves the loop at it.
    scan: while (i < n) {
      const c = text.charCodeAt(i)
      switch (this.state) {
        case STRING: {
          // The hot loop: the body is mostly recipients' characters.
          let d = c
          while (d !== 0x22 && d !== 0x5c && d >= 0x20) {
            if (++i === n) break scan
            d = text.charCodeAt(i)
          }
          if (d === 0x22) this.endString(text, i)
          else if (d === 0x5c) {
            this.stringEscaped = true
            this.state = ESCAPE
          } else break scan // a control character
          i++
          break
        }
        case ESCAPE:
          if (c === 0x75) {
            this.hexLeft = 4
            this.state = UNICODE
          } else if (
            c === 0x22 ||
            c === 0x5c ||
            c === 0x2f ||
            c === 0x62 ||
            c === 0x66 ||
            c === 0x6e ||
            c === 0x72 ||
            c === 0x74
          )
            this.state = STRING
          else break scan
          i++
          break
        case UNICODE:
          if (!isHex(c)) break scan
          if (--this.hexLeft === 0) this.state = STRING
          i++
          break
        case VALUE:
        case ARRAY_FIRST:
          if (c === 0x5d && this.state === ARRAY_FIRST) this.close(i)
          else if (!isSpace(c) && !this.beginValue(c, i)) break scan
          i++
          break
        case OBJECT_FIRST:
        case OBJECT_KEY:
          if (c === 0x22) this.beginString(true, this.depth === 1, i + 1)
          else if (c === 0x7d && this.state === OBJECT_FIRST) this.close(i)
          else if (!isSpace(c)) break scan
          i++
          break
        case COLON:
          if (c === 0x3a) this.state = VALUE
          else if (!isSpace(c)) break scan
          i++
          break
        case OBJECT_NEXT:
        case ARRAY_NEXT:
          if (c === 0x2c) this.state = this.state === OBJECT_NEXT ? OBJECT_KEY : VALUE
          else if (c === (this.state === OBJECT_NEXT ? 0x7d : 0x5d)) this.close(i)
          else if (!isSpace(c)) break scan
          i++
          break
        case END:
          if (!isSpace(c)) break scan
          i++
          break
        case LITERAL:
          if (c !== this.literal.charCodeAt(this.literalAt)) break scan
          i++
          if (++this.literalAt === this.literal.length) this.complete(i)
          break
        case MINUS:
          if (!isDigit(c)) break scan
          this.state = c === 0x30 ? ZERO : INT
          i++
          break
        case ZERO:
        case INT:
        case FRACTION:
          if (isDigit(c) && this.state !== ZERO) i++
          else if (c === 0x2e && this.state !== FRACTION) {
            this.state = DOT
            i++
          } else if (c === 0x65 || c === 0x45) {
            this.state = EXPONENT_MARK
            i++
          } else this.complete(i) // the character after the number is read again
          break
        case DOT:
          if (!isDigit(c)) break scan
          this.state = FRACTION
          i++
          break
        case EXPONENT_MARK:
          if (c === 0x2b || c === 0x2d) this.state = EXPONENT_SIGN
          else if (isDigit(c)) this.state = EXPONENT
          else break scan
          i++
          break
        case EXPONENT_SIGN:
          if (!isDigit(c)) break scan
          this.state = EXPONENT
          i++
          break
        case EXPONENT:
          if (isDigit(c)) i++
          else this.complete(i)
          break
        default:
          // DEEP: nothing more to read.
          return
      }
    }
    if (i < n) {
      this.fail(text, i)
      return
    }
    // The piece ends: keep what a string or a member read so far holds of it.
    this.piece = ""
    const state = this.state
    if (this.stringKept && (state === STRING || state === ESCAPE || state === UNICODE)) {
      this.stringHead += text.slice(this.stringStart)
      this.stringStart = 0
    }
    if (this.member === CAPTURED && state !== DEEP) {
      this.captureHead += text.slice(this.captureStart)
      this.captureStart = 0
    }
  }

  /** The closing bracket at `at`. */
  private close(at: number): void {
    this.depth--
    this.complete(at + 1)
  }

  /** A value's first character `c`, at `i`; false when no value starts so. */
  private beginValue(c: number, i: number): boolean {
    const depth = this.depth
    let keep = false
    if (depth === 0) this.topObject = c === 0x7b
    else if (depth === 1 && this.topObject) {
      // A top-level member's value; a later `recipients` replaces an earlier one.
      if (this.key === "recipients") {
        this.recipientsValue = undefined
        this.recipientsIsArray = c === 0x5b
        this.length = 0
        this.firstNonString = -1
        this.planner = this.recipientsIsArray ? new RecipientPlanner() : undefined
      }
      if (this.key === "recipients" && c === 0x5b) this.member = STREAMED
      else if (this.key === "apiKey") this.member = SKIPPED
      else {
        this.member = CAPTURED
        this.captureStart = i
        this.captureHead = ""
      }
    } else if (depth === 2 && this.member === STREAMED) {
      // An entry of `recipients`: its strings are planned while the list can be valid.
      this.length++
      if (c !== 0x22 && this.firstNonString < 0) this.firstNonString = this.length - 1
      if (c !== 0x22 || this.length > MAX_BROADCAST_RECIPIENTS) this.planner = undefined
      keep = c === 0x22 && this.planner !== undefined
    }
    switch (c) {
      case 0x7b:
      case 0x5b:
        if (depth === MAX_JSON_DEPTH) {
          this.deep()
          return true
        }
        this.stack[depth] = c === 0x7b ? OBJECT : ARRAY
        this.depth = depth + 1
        this.state = c === 0x7b ? OBJECT_FIRST : ARRAY_FIRST
        return true
      case 0x22:
        this.beginString(false, keep, i + 1)
        return true
      case 0x2d:
        this.state = MINUS
        return true
      case 0x30:
        this.state = ZERO
        return true
      case 0x74:
      case 0x66:
      case 0x6e:
        this.literal = c === 0x74 ? "true" : c === 0x66 ? "false" : "null"
        this.literalAt = 1
        this.state = LITERAL
        return true
      default:
        if (!isDigit(c)) return false
        this.state = INT
        return true
    }
  }

  private beginString(isKey: boolean, kept: boolean, start: number): void {
    this.state = STRING
    this.stringIsKey = isKey
    this.stringKept = kept
    this.stringStart = start
    this.stringHead = ""
    this.stringEscaped = false
  }

  /** The closing quote at `at`. */
  private endString(text: string, at: number): void {
    let value = ""
    if (this.stringKept) {
      const raw = this.stringHead + text.slice(this.stringStart, at)
      // Checked already: JSON.parse only decodes the escapes (lone surrogates as it does).
      value = this.stringEscaped ? (JSON.parse(`"${raw}"`) as string) : raw
      this.stringHead = ""
    }
    if (this.stringIsKey) {
      if (this.depth === 1) this.key = value
      this.state = COLON
      return
    }
    if (this.stringKept) (this.planner as RecipientPlanner).add(value, this.length)
    this.complete(at + 1)
  }

  /** A value ended just before `end` (in this piece): the state its container is in then. */
  private complete(end: number): void {
    const depth = this.depth
    if (depth === 0) {
      this.state = END
      return
    }
    if (depth === 1 && this.topObject) this.endMember(end)
    this.state = this.stack[depth - 1] === OBJECT ? OBJECT_NEXT : ARRAY_NEXT
  }

  private endMember(end: number): void {
    if (this.member === CAPTURED) {
      // Valid JSON already (and within the nesting limit): parsed only to build it.
      const value = JSON.parse(
        this.captureHead + this.piece.slice(this.captureStart, end),
      ) as unknown
      this.captureHead = ""
      if (this.key === "recipients") this.recipientsValue = value
      else define(this.fields, this.key, value)
    }
    this.member = SKIPPED
  }

  /** A syntax error at `at`: from there on, only the nesting counts (it is answered first). */
  private fail(text: string, at: number): void {
    const state = this.state
    const inString = state === STRING || state === ESCAPE || state === UNICODE
    this.nesting = new NestingDepth(this.depth, inString, state === ESCAPE)
    this.release()
    this.state = FAILED
    if (this.nesting.exceeds(text, at)) this.deep()
  }

  private deep(): void {
    this.release()
    this.nesting = undefined
    this.state = DEEP
  }

  /** What a refused body held: nothing of it is needed any more. */
  private release(): void {
    this.planner = undefined
    this.captureHead = ""
    this.stringHead = ""
    this.member = SKIPPED
  }
}

/** Bytes read at a time from a byte stream, into one buffer. */
const PIECE = 64 * 1024

/**
 * A body's bytes, piece by piece: a byte stream (a request's body) is read into one
 * buffer, over and over (its default reader makes a new 4 KB buffer per read: 16 MB of
 * garbage for a 16 MB body, before a collection takes it back); any other source as it
 * gives them. Leaving early cancels the stream.
 */
async function* piecesOf(
  body: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>,
): AsyncGenerator<Uint8Array> {
  let reader: ReadableStreamBYOBReader | undefined
  if (typeof (body as ReadableStream<Uint8Array>).getReader === "function")
    try {
      reader = (body as ReadableStream<Uint8Array>).getReader({ mode: "byob" })
    } catch {
      // not a byte stream
    }
  if (reader === undefined) {
    yield* bytesOf(body)
    return
  }
  let finished = false
  try {
    let buffer = new ArrayBuffer(PIECE)
    for (;;) {
      const { done, value } = await reader.read(new Uint8Array(buffer))
      if (done || value === undefined) {
        finished = true
        return
      }
      yield value
      // The read gave the buffer back (the same memory): the next one fills it again.
      buffer = value.buffer as ArrayBuffer
    }
  } finally {
    if (!finished) await reader.cancel().catch(() => undefined)
    reader.releaseLock()
  }
}

/**
 * Reads a broadcast's JSON body as a stream with a {@link JsonBodyScanner}: memory holds a
 * piece of the body, the top-level members but `recipients`, and the plan of the
 * recipients, never the text or the array. Past `maxBytes` (counted, the body may come
 * without Content-Length) it stops reading: `tooLarge`. The whole body is read otherwise,
 * a refused one too: the byte limit is answered before what the body says.
 *
 * @example
 * ```ts
 * const body = new Response('{"type":"tts","recipients":["0612345678"]}').body
 * const read = await readJsonBody(body, 32 * 1024 * 1024)
 * if (read.kind === "read") read.fields // { type: "tts" }
 * ```
 */
export const readJsonBody = async (
  body: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> | null,
  maxBytes: number,
): Promise<JsonBody> => {
  const scanner = new JsonBodyScanner()
  if (body !== null) {
    let size = 0
    // Leaving the loop early cancels the stream.
    for await (const chunk of piecesOf(body)) {
      size += chunk.byteLength
      if (size > maxBytes) return { kind: "tooLarge" }
      scanner.write(chunk)
    }
  }
  return scanner.end()
}
