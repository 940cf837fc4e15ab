import * as Result from "effect/Result"
import { type Context, Hono } from "hono"
import { callbackEvent } from "../callbacks/callbackEvent.js"
import { verifyCallbackPath } from "../callbacks/callbackUrl.js"
import { apiError } from "../http/apiError.js"
import { parseBoundedJson } from "../http/boundedJson.js"
import type { GatewayEnv } from "../http/GatewayEnv.js"
import { sendError } from "../http/middleware.js"

/**
 * Seconds the provider is asked to wait before retrying a callback that came before its
 * send was recorded: that window is the time between the provider's answer and the
 * gateway's write, milliseconds. (The emulator retries after 1, 5 and 25 s whatever the
 * header says; the real provider's retries are undocumented.)
 */
const NOT_RECORDED_RETRY_AFTER_S = 2

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
    const read = parseBoundedJson(await c.req.text())
    if (!read.ok)
      return sendError(c, apiError(400, "INVALID_JSON", `the callback body ${read.reason}`))
    payload = read.value
  } else {
    payload = c.req.query()
  }
  const event = callbackEvent(claims, method, payload)
  if (Result.isFailure(event))
    return sendError(
      c,
      apiError(400, "VALIDATION_ERROR", `unexpected callback payload: ${event.failure}`),
    )
  const outcome = await c.env.LEDGER.get(c.env.LEDGER.idFromName(claims.clientId)).recordEvent(
    claims.clientId,
    event.success,
  )
  switch (outcome.kind) {
    case "stored":
    case "duplicate":
      return c.json({ success: true, duplicate: outcome.kind === "duplicate" })
    case "campaignMismatch":
      // Someone holding this send's URL posts another campaign's status: never store it.
      return sendError(
        c,
        apiError(
          409,
          "CALLBACK_CAMPAIGN_MISMATCH",
          "this callback URL belongs to a send of another campaign",
        ),
      )
    case "sendNotRecorded":
      // The provider answered the send but the gateway has not recorded it yet: retryable.
      return sendError(
        c,
        apiError(
          503,
          "CALLBACK_SEND_NOT_RECORDED",
          "the send of this callback is not recorded yet; retry later",
          { headers: { "Retry-After": String(NOT_RECORDED_RETRY_AFTER_S) } },
        ),
      )
  }
}

/**
 * The provider's callbacks (mounted on `/callbacks`), on the URLs the gateway minted:
 * checked, stored once per send, and answered at once; forwarding happens later from the
 * client's ledger. A callback is stored only for the send its URL was minted for, with
 * that send's campaign id (409 otherwise); one for a send not recorded yet is answered 503
 * with `Retry-After` so that the provider tries again (see `ClientLedger.recordEvent`).
 */
export const callbackRoutes = new Hono<GatewayEnv>().on(
  ["GET", "POST"],
  "/:clientId/:sendId/:expiresAt/:to/:signature",
  receive,
)
