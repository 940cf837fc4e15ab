/** A usage problem found before anything was sent (exit code 2). */
export class UsageError extends Error {
  readonly _tag = "UsageError"
}
