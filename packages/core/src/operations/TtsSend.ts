import { TtsSendResponse } from "../model/responses.js"
import {
  encodeTtsSend,
  type TtsSendInput,
  type TtsSendRequest,
  validateTtsSend,
} from "../model/TtsSendRequest.js"
import { callExtras, type Operation } from "./Operation.js"

/**
 * `POST /tts/send`: a text-to-speech voice SMS (or an audio file played) to at most 500
 * numbers.
 *
 * @example
 * ```ts
 * import { TtsSend } from "@voicepartner/core/operations/TtsSend"
 * TtsSend.endpoint // "tts/send"
 * ```
 */
export const TtsSend: Operation<TtsSendInput, TtsSendRequest, typeof TtsSendResponse, "tts/send"> =
  {
    endpoint: "tts/send",
    validate: (input, options) => validateTtsSend(input as TtsSendInput, options),
    toCall: (request, overrides) => ({
      endpoint: "tts/send",
      body: {
        ...encodeTtsSend(request),
        ...(overrides?.notifyUrl !== undefined && { notifyUrl: overrides.notifyUrl }),
      },
      ...callExtras(overrides),
    }),
    success: TtsSendResponse,
  }
