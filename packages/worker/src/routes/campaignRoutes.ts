import type { Hono } from "hono"
import { apiError } from "../http/apiError.js"
import type { GatewayEnv } from "../http/GatewayEnv.js"
import { authenticate, sendError } from "../http/middleware.js"
import type { CampaignView } from "../ledger/ledgerTypes.js"

/**
 * `GET /v1/campaigns/:campaignId`: what the gateway recorded of one of the caller's
 * sends (by Voice Partner's campaign id or the gateway's `X-Gateway-Send-Id`) and every
 * callback event with its forwarding state. A client sees only its own sends.
 */
export const campaignRoutes = (app: Hono<GatewayEnv>): void => {
  app.get("/v1/campaigns/:campaignId", authenticate("campaigns", undefined), async (c) => {
    const id = c.req.param("campaignId")
    if (!/^[A-Za-z0-9_-]{1,100}$/.test(id))
      return sendError(
        c,
        apiError(400, "VALIDATION_ERROR", "may contain only letters, digits, _ and - (up to 100)", {
          field: "campaignId",
        }),
      )
    const client = c.get("client")
    // RPC typing drops `unknown`-valued records (event data); the value is what campaign() returns.
    const view = (await c.env.LEDGER.get(c.env.LEDGER.idFromName(client.id)).campaign(
      id,
    )) as unknown as CampaignView | null
    if (view === null)
      return sendError(c, apiError(404, "NOT_FOUND", `no send or event known for campaign ${id}`))
    return c.json({ success: true, campaignId: id, ...view })
  })
}
