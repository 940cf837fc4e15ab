import type * as Cause from "effect/Cause"
import * as Schema from "effect/Schema"

const ValidationIssueBase: Schema.Class<
  ValidationIssue,
  Schema.Struct<{
    /** The request field, e.g. `phoneNumbers`, `scheduledDate`. */
    readonly field: Schema.String
    readonly message: Schema.String
    /** For list fields: the position of the offending entry. */
    readonly index: Schema.optional<Schema.Number>
    /** For list fields: the entry as given. */
    readonly input: Schema.optional<Schema.String>
  }>,
  // biome-ignore lint/complexity/noBannedTypes: the empty brand Schema.Class gives by default
  {}
> = Schema.Class<ValidationIssue>("ValidationIssue")({
  field: Schema.String,
  message: Schema.String,
  index: Schema.optional(Schema.Number),
  input: Schema.optional(Schema.String),
})

/** One thing wrong with a request, named by the field it concerns. */
export class ValidationIssue extends ValidationIssueBase {}

const ValidationErrorBase: Schema.Class<
  ValidationError,
  Schema.TaggedStruct<
    "ValidationError",
    {
      readonly reason: Schema.Literals<readonly ["InvalidRequest", "InvalidRecipients"]>
      readonly issues: Schema.$Array<typeof ValidationIssue>
    }
  >,
  Cause.YieldableError
> = Schema.TaggedError<ValidationError>()("ValidationError", {
  reason: Schema.Literals(["InvalidRequest", "InvalidRecipients"]),
  issues: Schema.Array(ValidationIssue),
})

/**
 * A request refused before any IO: nothing was sent. `issues` lists every problem, one
 * per field or per invalid recipient.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import type { SendError } from "@voicepartner/core"
 *
 * declare const program: Effect.Effect<void, SendError>
 * const checked = program.pipe(
 *   Effect.catchTag("ValidationError", (e) => Effect.logWarning(e.message)),
 * )
 * ```
 */
export class ValidationError extends ValidationErrorBase {
  override get message(): string {
    const [first] = this.issues
    if (first === undefined) return "Invalid request"
    const where = first.index === undefined ? first.field : `${first.field}[${first.index}]`
    const more = this.issues.length > 1 ? ` (and ${this.issues.length - 1} more issues)` : ""
    return `${where}: ${first.message}${more}`
  }

  /** Builds the error from issues; `reason` says whether only recipients were at fault. */
  static fromIssues(issues: ReadonlyArray<ValidationIssue>): ValidationError {
    const onlyRecipients = issues.every((i) => i.field === "phoneNumbers")
    return new ValidationError({
      reason: onlyRecipients ? "InvalidRecipients" : "InvalidRequest",
      issues,
    })
  }
}
