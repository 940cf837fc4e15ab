import { countryPlan } from "./plans.js"

/**
 * The country calling code at the start of `digits` (international digits, without `+`):
 * the assigned code (ITU E.164, as listed by the generated metadata) it starts with. Codes
 * are prefix-free, so at most one matches. When none does, the first three digits (the
 * caller refuses the number: see {@link isCountryCode}).
 *
 * @example
 * ```ts
 * splitCountryCode("33612345678") // "33"
 * splitCountryCode("3524621234") // "352"
 * ```
 */
export const splitCountryCode = (digits: string): string => {
  for (let length = 1; length <= 3; length++) {
    const code = digits.slice(0, length)
    if (countryPlan(code) !== undefined) return code
  }
  return digits.slice(0, 3)
}

/** Whether `code` is an assigned country calling code. */
export const isCountryCode = (code: string): boolean => countryPlan(code) !== undefined
