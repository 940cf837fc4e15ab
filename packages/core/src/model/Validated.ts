import * as Schema from "effect/Schema"
import type { RecipientList } from "../phone/normalizeRecipients.js"

const ValidationWarningBase: Schema.Class<
  ValidationWarning,
  Schema.Struct<{ readonly field: Schema.String; readonly message: Schema.String }>,
  // biome-ignore lint/complexity/noBannedTypes: the empty brand Schema.Class gives by default
  {}
> = Schema.Class<ValidationWarning>("ValidationWarning")({
  field: Schema.String,
  message: Schema.String,
})

/** Something accepted but changed or worth knowing, e.g. a speech rate clamped to 2. */
export class ValidationWarning extends ValidationWarningBase {}

/**
 * A request that passed validation, ready to encode, with what validation learnt on the
 * way: the normalised recipient list (kinds, duplicates, skipped entries) and warnings.
 */
export interface Validated<R> {
  readonly request: R
  readonly recipients: RecipientList | undefined
  readonly warnings: ReadonlyArray<ValidationWarning>
}

/**
 * What a validator needs besides the input: the current time, and the limits of the
 * request being built (a single upstream request takes at most 500 numbers; a caller
 * that splits the list itself, like a bulk send, lifts that).
 *
 * @example
 * ```ts
 * const options: ValidateOptions = { now: Date.now(), latestSchedule: Date.now() + 365 * 86_400_000 }
 * ```
 */
export interface ValidateOptions {
  readonly now: number
  /** Most distinct valid numbers accepted; default 500 (`MAX_NUMBERS_PER_REQUEST`). */
  readonly maxRecipients?: number | undefined
  /** Latest accepted `scheduledDate` (epoch ms); none by default. */
  readonly latestSchedule?: number | undefined
}
