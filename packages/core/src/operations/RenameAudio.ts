import {
  type RenameAudioInput,
  type RenameAudioRequest,
  validateRenameAudio,
} from "../model/RenameAudioRequest.js"
import { RenameAudioResponse } from "../model/responses.js"
import { callExtras, type Operation } from "./Operation.js"

/**
 * `POST /audio-file/rename`: gives an approved audio file a new name (3 to 50 characters).
 *
 * @example
 * ```ts
 * import { RenameAudio } from "@voicepartner/core/operations/RenameAudio"
 * RenameAudio.endpoint // "audio-file/rename"
 * ```
 */
export const RenameAudio: Operation<
  RenameAudioInput,
  RenameAudioRequest,
  typeof RenameAudioResponse,
  "audio-file/rename"
> = {
  endpoint: "audio-file/rename",
  validate: (input) => validateRenameAudio(input as RenameAudioInput),
  toCall: (request, overrides) => ({
    endpoint: "audio-file/rename",
    body: { tokenAudio: request.tokenAudio, filename: request.filename },
    ...callExtras(overrides),
  }),
  success: RenameAudioResponse,
}
