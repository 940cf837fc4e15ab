import { Hono } from "hono"
import { apiError } from "./http/apiError.js"
import type { GatewayEnv } from "./http/GatewayEnv.js"
import { limitBody, requestLog, sendError, withConfig } from "./http/middleware.js"
import { accountRoutes } from "./routes/accountRoutes.js"
import { callbackRoutes } from "./routes/callbackRoutes.js"
import { campaignRoutes } from "./routes/campaignRoutes.js"
import { metaRoutes } from "./routes/metaRoutes.js"
import { sendRoutes } from "./routes/sendRoutes.js"

/** Methods each known path answers, for 405s with an `Allow` field. */
const allowed: ReadonlyArray<readonly [string, string]> = [
  ["/v1/tts/send", "POST"],
  ["/v1/campaign/send", "POST"],
  ["/v1/me", "GET"],
  ["/v1/me/:apiKey", "GET"],
  ["/v1/audios", "GET"],
  ["/v1/audios/:apiKey", "GET"],
  ["/v1/audio-file/rename", "POST"],
  ["/v1/campaign/cancel/:campaignId", "DELETE"],
  ["/v1/campaign/cancel/:apiKey/:campaignId", "DELETE"],
  ["/v1/campaigns/:campaignId", "GET"],
  ["/callbacks/:clientId/:sendId/:expiresAt/:to/:signature", "GET, POST"],
  ["/health", "GET"],
  ["/openapi.json", "GET"],
]

/**
 * The gateway as a Hono app: `export default app` is the Worker's fetch handler.
 *
 * @example
 * ```ts
 * const response = await app.request("/health", {}, env) // 200 { status: "ok" }
 * ```
 */
export const app = new Hono<GatewayEnv>()

app.use(requestLog)
metaRoutes(app)
app.use(limitBody, withConfig)
sendRoutes(app)
accountRoutes(app)
campaignRoutes(app)
callbackRoutes(app)
for (const [path, methods] of allowed) {
  app.all(path, (c) =>
    sendError(
      c,
      apiError(405, "METHOD_NOT_ALLOWED", `${c.req.method} is not allowed here; use ${methods}`, {
        headers: { Allow: methods },
      }),
    ),
  )
}
app.notFound((c) =>
  sendError(c, apiError(404, "NOT_FOUND", "no such route; see GET /openapi.json")),
)
app.onError((error, c) => {
  // Only the error's name: messages of runtime errors can quote request data.
  console.error(JSON.stringify({ level: "error", msg: "unhandled", error: error.name }))
  return sendError(
    c,
    apiError(500, "INTERNAL_ERROR", "the gateway failed; nothing is known to have been sent"),
  )
})
