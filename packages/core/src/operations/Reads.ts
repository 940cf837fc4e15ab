import * as Result from "effect/Result"
import { AudioListResponse, CreditsResponse } from "../model/responses.js"
import { callExtras, type Operation } from "./Operation.js"

// The reads take no input: there is nothing to validate.
const nothing = () => Result.succeed({ request: undefined, recipients: undefined, warnings: [] })

/**
 * `GET /me/{key}`: the credit left.
 *
 * @example
 * ```ts
 * import { Credits } from "@voicepartner/core/operations/Reads"
 * Credits.toCall(undefined) // { endpoint: "me" }
 * ```
 */
export const Credits: Operation<void, undefined, typeof CreditsResponse, "me"> = {
  endpoint: "me",
  validate: nothing,
  toCall: (_request, overrides) => ({ endpoint: "me", ...callExtras(overrides) }),
  success: CreditsResponse,
}

/**
 * `GET /audios/{key}`: the approved audio files and their tokens.
 *
 * @example
 * ```ts
 * import { Audios } from "@voicepartner/core/operations/Reads"
 * Audios.toCall(undefined) // { endpoint: "audios" }
 * ```
 */
export const Audios: Operation<void, undefined, typeof AudioListResponse, "audios"> = {
  endpoint: "audios",
  validate: nothing,
  toCall: (_request, overrides) => ({ endpoint: "audios", ...callExtras(overrides) }),
  success: AudioListResponse,
}
