import {
  type CampaignSendInput,
  type CampaignSendRequest,
  encodeCampaignSend,
  validateCampaignSend,
} from "../model/CampaignSendRequest.js"
import { CampaignSendResponse } from "../model/responses.js"
import { callExtras, type Operation } from "./Operation.js"

/**
 * `POST /campaign/send`: a voicemail drop (an approved audio file) to at most 500
 * numbers. Landlines ring: the validated recipient list says which numbers are.
 *
 * @example
 * ```ts
 * import { CampaignSend } from "@voicepartner/core/operations/CampaignSend"
 * CampaignSend.endpoint // "campaign/send"
 * ```
 */
export const CampaignSend: Operation<
  CampaignSendInput,
  CampaignSendRequest,
  typeof CampaignSendResponse,
  "campaign/send"
> = {
  endpoint: "campaign/send",
  validate: (input, options) => validateCampaignSend(input as CampaignSendInput, options),
  toCall: (request, overrides) => ({
    endpoint: "campaign/send",
    body: {
      ...encodeCampaignSend(request),
      ...(overrides?.notifyUrl !== undefined && { notifyUrl: overrides.notifyUrl }),
    },
    ...callExtras(overrides),
  }),
  success: CampaignSendResponse,
}
