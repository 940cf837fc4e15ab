import * as Schema from "effect/Schema"
import type { RecipientList } from "../phone/normalizeRecipients.js"

/** Something accepted but changed or worth knowing, e.g. a speech rate clamped to 2. */
export class ValidationWarning extends Schema.Class<ValidationWarning>("ValidationWarning")({
  field: Schema.String,
  message: Schema.String,
}) {}

/**
 * A request that passed validation, ready to encode, with what validation learnt on the
 * way: the normalised recipient list (kinds, duplicates, skipped entries) and warnings.
 */
export interface Validated<R> {
  readonly request: R
  readonly recipients: RecipientList | undefined
  readonly warnings: ReadonlyArray<ValidationWarning>
}
