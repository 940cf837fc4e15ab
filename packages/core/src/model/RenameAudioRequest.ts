import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import { ValidationError } from "../errors/ValidationError.js"
import { IssueCollector } from "./fieldChecks.js"
import type { Validated } from "./Validated.js"

const RenameAudioRequestBase: Schema.Class<
  RenameAudioRequest,
  Schema.Struct<{ readonly tokenAudio: Schema.String; readonly filename: Schema.String }>,
  // biome-ignore lint/complexity/noBannedTypes: the empty brand Schema.Class gives by default
  {}
> = Schema.Class<RenameAudioRequest>("RenameAudioRequest")({
  tokenAudio: Schema.String,
  filename: Schema.String,
})

/**
 * Renames an audio file (`POST /audio-file/rename`); the body is also the upstream's,
 * without `apiKey`.
 *
 * @example
 * ```ts
 * validateRenameAudio({ tokenAudio: "dev-audio", filename: "Rappel RDV" })
 * ```
 */
export class RenameAudioRequest extends RenameAudioRequestBase {}

export interface RenameAudioInput {
  readonly tokenAudio: string
  /** The new name, 3 to 50 characters. */
  readonly filename: string
}

/**
 * Validates a rename before any IO.
 *
 * @example
 * ```ts
 * validateRenameAudio({ tokenAudio: "abc", filename: "x" }) // fails: filename too short
 * ```
 */
export const validateRenameAudio = (
  input: RenameAudioInput,
): Result.Result<Validated<RenameAudioRequest>, ValidationError> => {
  const check = new IssueCollector()
  const raw = input as Partial<Record<keyof RenameAudioInput, unknown>>
  const tokenAudio = check.requiredString("tokenAudio", raw.tokenAudio)
  const filename = check.requiredString("filename", raw.filename)
  if (filename !== undefined && (filename.length < 3 || filename.length > 50)) {
    check.add("filename", `must be 3 to 50 characters long, got ${filename.length}`)
  }
  if (check.issues.length > 0 || tokenAudio === undefined || filename === undefined) {
    return Result.fail(ValidationError.fromIssues(check.issues))
  }
  return Result.succeed({
    request: new RenameAudioRequest({ tokenAudio, filename }),
    recipients: undefined,
    warnings: [],
  })
}
