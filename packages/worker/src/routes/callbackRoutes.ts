import * as Result from "effect/Result"
import type { Context, Hono } from "hono"
import { callbackEvent } from "../callbacks/callbackEvent.js"
import { verifyCallbackPath } from "../callbacks/callbackUrl.js"
import { apiError } from "../http/apiError.js"
import type { GatewayEnv } from "../http/GatewayEnv.js"
import { sendError } from "../http/middleware.js"

const PATH = "/callbacks/:clientId/:sendId/:expiresAt/:to/:signature"

const receive = async (c: Context<GatewayEnv>): Promise<Response> => {
  const config = c.get("config")
  const p = c.req.param() as Record<
    "clientId" | "sendId" | "expiresAt" | "to" | "signature",
    string
  >
  const claims = await verifyCallbackPath(p, config.callbackKey, Date.now())
  if (claims === undefined || !config.clients.some((client) => client.id === claims.clientId))
    return sendError(c, apiError(401, "UNAUTHORIZED", "invalid or expired callback URL"))
  const method = c.req.method === "POST" ? "POST" : "GET"
  let payload: unknown
  if (method === "POST") {
    try {
      payload = JSON.parse(await c.req.text())
    } catch {
      return sendError(c, apiError(400, "INVALID_JSON", "the callback body is not valid JSON"))
    }
  } else {
    payload = c.req.query()
  }
  const event = callbackEvent(claims, method, payload)
  if (Result.isFailure(event))
    return sendError(
      c,
      apiError(400, "VALIDATION_ERROR", `unexpected callback payload: ${event.failure}`),
    )
  const { stored } = await c.env.LEDGER.get(c.env.LEDGER.idFromName(claims.clientId)).recordEvent(
    claims.clientId,
    event.success,
  )
  return c.json({ success: true, duplicate: !stored })
}

/**
 * The provider's callbacks, on the URLs the gateway minted: checked, stored once, and
 * answered at once; forwarding happens later from the client's ledger.
 */
export const callbackRoutes = (app: Hono<GatewayEnv>): void => {
  app.on(["GET", "POST"], PATH, receive)
}
