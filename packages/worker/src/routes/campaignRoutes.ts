import { CancelCampaign } from "@voicepartner/core/operations/CancelCampaign"
import * as Result from "effect/Result"
import { Hono } from "hono"
import { apiError } from "../http/apiError.js"
import type { GatewayEnv } from "../http/GatewayEnv.js"
import { authenticate, sendError } from "../http/middleware.js"
import { validationAnswer } from "../http/validationAnswer.js"
import type { CampaignView } from "../ledger/ledgerTypes.js"

/**
 * `GET /:campaignId` (mounted on `/v1/campaigns`): what the gateway recorded of one of the
 * caller's sends (by Voice Partner's campaign id or the gateway's `X-Gateway-Send-Id`) and
 * every callback event with its forwarding state. A client sees only its own sends.
 */
export const campaignRoutes = new Hono<GatewayEnv>().get(
  "/:campaignId",
  authenticate("campaigns", undefined),
  async (c) => {
    // Core's rule for a campaign id (it goes into upstream URL paths), not a copy of it.
    const checked = CancelCampaign.validate({ campaignId: c.req.param("campaignId") }, { now: 0 })
    if (Result.isFailure(checked)) return sendError(c, validationAnswer(checked.failure))
    const id = checked.success.request.campaignId
    const client = c.get("client")
    // RPC typing drops `unknown`-valued records (event data); the value is what campaign() returns.
    const view = (await c.env.LEDGER.get(c.env.LEDGER.idFromName(client.id)).campaign(
      id,
    )) as unknown as CampaignView | null
    if (view === null)
      return sendError(c, apiError(404, "NOT_FOUND", `no send or event known for campaign ${id}`))
    return c.json({ success: true, campaignId: id, ...view })
  },
)
