import {
  type CancelCampaignInput,
  type CancelCampaignRequest,
  validateCancelCampaign,
} from "../model/CancelCampaignRequest.js"
import { CancelCampaignResponse } from "../model/responses.js"
import { callExtras, type Operation } from "./Operation.js"

/**
 * `DELETE /campaign/cancel/{key}/{campaignId}`: cancels a scheduled send; the credit comes
 * back.
 *
 * @example
 * ```ts
 * import { CancelCampaign } from "@voicepartner/core/operations/CancelCampaign"
 * CancelCampaign.endpoint // "campaign/cancel"
 * ```
 */
export const CancelCampaign: Operation<
  CancelCampaignInput,
  CancelCampaignRequest,
  typeof CancelCampaignResponse,
  "campaign/cancel"
> = {
  endpoint: "campaign/cancel",
  validate: (input) => validateCancelCampaign(input as CancelCampaignInput),
  toCall: (request, overrides) => ({
    endpoint: "campaign/cancel",
    pathParam: request.campaignId,
    ...callExtras(overrides),
  }),
  success: CancelCampaignResponse,
}
