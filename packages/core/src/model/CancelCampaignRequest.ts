import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import { ValidationError } from "../errors/ValidationError.js"
import { IssueCollector } from "./fieldChecks.js"
import type { Validated } from "./Validated.js"

const CancelCampaignRequestBase: Schema.Class<
  CancelCampaignRequest,
  Schema.Struct<{ readonly campaignId: Schema.String }>,
  // biome-ignore lint/complexity/noBannedTypes: the empty brand Schema.Class gives by default
  {}
> = Schema.Class<CancelCampaignRequest>("CancelCampaignRequest")({
  campaignId: Schema.String,
})

/**
 * Cancels a scheduled send (`DELETE /campaign/cancel/{apiKey}/{campaignId}`).
 *
 * @example
 * ```ts
 * validateCancelCampaign({ campaignId: "NDA_20230111_00811" })
 * ```
 */
export class CancelCampaignRequest extends CancelCampaignRequestBase {}

export interface CancelCampaignInput {
  readonly campaignId: string
}

/**
 * Validates a cancellation: the id goes into a URL path, so it must be a plain token.
 *
 * @example
 * ```ts
 * validateCancelCampaign({ campaignId: "../me" }) // fails: campaignId
 * ```
 */
export const validateCancelCampaign = (
  input: CancelCampaignInput,
): Result.Result<Validated<CancelCampaignRequest>, ValidationError> => {
  const check = new IssueCollector()
  const campaignId = check.requiredString(
    "campaignId",
    (input as { campaignId?: unknown }).campaignId,
  )
  if (campaignId !== undefined && !/^[A-Za-z0-9_-]{1,100}$/.test(campaignId)) {
    check.add("campaignId", "may contain only letters, digits, _ and - (up to 100)")
  }
  if (check.issues.length > 0 || campaignId === undefined) {
    return Result.fail(ValidationError.fromIssues(check.issues))
  }
  return Result.succeed({
    request: new CancelCampaignRequest({ campaignId }),
    recipients: undefined,
    warnings: [],
  })
}
