import * as Schema from "effect/Schema"

/**
 * How a number is reached. A voicemail drop goes straight to voicemail on a mobile but
 * RINGS a landline (the message is left only if nobody answers), so callers must be able
 * to see which of their recipients are landlines before sending.
 */
export const PhoneKind: Schema.Literals<readonly ["mobile", "landline", "other"]> = Schema.Literals(
  ["mobile", "landline", "other"],
)
export type PhoneKind = typeof PhoneKind.Type

/**
 * A recipient normalised to E.164.
 *
 * @example
 * ```ts
 * import { parsePhoneNumber } from "@voicepartner/core/phone/parsePhoneNumber"
 * const parsed = parsePhoneNumber("06 12 34 56 78")
 * if (parsed.ok) parsed.value // { e164: "+33612345678", countryCode: "33", kind: "mobile" }
 * ```
 */
export const PhoneNumber: Schema.Struct<{
  readonly e164: Schema.String
  readonly countryCode: Schema.String
  readonly kind: typeof PhoneKind
}> = Schema.Struct({
  e164: Schema.String,
  countryCode: Schema.String,
  kind: PhoneKind,
})
export type PhoneNumber = typeof PhoneNumber.Type

/**
 * The outcome of parsing one number: never throws, so bulk lists stay fast. `warning` says
 * what was guessed when the number was accepted but not as written (a spreadsheet that ate
 * the leading 0 of `612345678`); callers should show it.
 */
export type PhoneParseResult =
  | { readonly ok: true; readonly value: PhoneNumber; readonly warning?: string }
  | { readonly ok: false; readonly reason: string }
