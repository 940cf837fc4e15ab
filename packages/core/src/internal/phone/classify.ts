import type { PhoneKind } from "../../phone/PhoneNumber.js"
import {
  countryKind,
  countryPlan,
  frenchNational,
  kindAt,
  lookup,
  markerAt,
  overseasKind,
  phoneKind,
} from "./plans.js"

/**
 * Classifies a national significant number of a given country, from numbering metadata
 * generated from libphonenumber-js (`metadata.generated.ts`): exactly for France and
 * overseas France (09 VoIP lines ring like landlines, 08 are service numbers); elsewhere
 * from the first digit (two for the neighbours, Portugal and the Maghreb), mobile or
 * landline where every number of that prefix is, else "other". A number that does not
 * exist is "other" too: `parsePhoneNumber` refuses it.
 *
 * @example
 * ```ts
 * classify("33", "612345678") // "mobile"
 * classify("33", "144556677") // "landline"
 * classify("262", "692123456") // "mobile"
 * classify("32", "470123456") // "mobile"
 * ```
 */
export const classify = (countryCode: string, nationalNumber: string): PhoneKind => {
  if (countryCode === "33") {
    const at = lookup(frenchNational, nationalNumber, 0)
    // +33 6 92… does not exist: it is Réunion's 06 92…
    return markerAt(frenchNational, at) === undefined
      ? phoneKind(kindAt(frenchNational, at))
      : "other"
  }
  const overseas = overseasKind(countryCode, nationalNumber)
  if (overseas !== undefined) return phoneKind(overseas)
  const plan = countryPlan(countryCode)
  if (plan === undefined) return "other"
  return plan.trie === "*" ? "other" : phoneKind(countryKind(plan, nationalNumber))
}
