import { Hono } from "hono"
import { methodNotAllowed } from "hono/method-not-allowed"
import { apiError } from "./http/apiError.js"
import { cors } from "./http/cors.js"
import type { GatewayEnv } from "./http/GatewayEnv.js"
import { limitBody, requestLog, sendError, withConfig } from "./http/middleware.js"
import { accountRoutes } from "./routes/accountRoutes.js"
import { broadcastRoutes } from "./routes/broadcastRoutes.js"
import { callbackRoutes } from "./routes/callbackRoutes.js"
import { campaignRoutes } from "./routes/campaignRoutes.js"
import { metaRoutes } from "./routes/metaRoutes.js"
import { sendRoutes } from "./routes/sendRoutes.js"
import { quotaFields } from "./routes/throughQuota.js"

/**
 * The gateway as a Hono app: `export default app` is the Worker's fetch handler.
 *
 * @example
 * ```ts
 * import type { Env } from "./env.js"
 *
 * declare const env: Env
 * const response = await app.request("/health", {}, env) // 200 { status: "ok" }
 * ```
 */
export const app = new Hono<GatewayEnv>()

app.use(requestLog)
// Browsers (CORS): preflights answered, and a page's Origin checked against the calling
// client's allowedOrigins, before any route (and before the 405 a preflight would get).
app.use(cors({ app }))
// A known path with another method: 405 with the `Allow` field Hono derives from the
// routes below (a GET route also answers HEAD).
app.use(
  methodNotAllowed({
    app,
    onMethodNotAllowed: (c, methods) =>
      sendError(
        c,
        apiError(
          405,
          "METHOD_NOT_ALLOWED",
          `${c.req.method} is not allowed here; use ${methods.join(", ")}`,
          { headers: { Allow: methods.join(", ") } },
        ),
      ),
  }),
)
app.route("/", metaRoutes)
// Before the app's 256 KB body limit: a broadcast's recipient list takes up to 32 MB, under
// the sub-app's own limit (and its own withConfig).
app.route("/v1/broadcasts", broadcastRoutes)
app.use(limitBody, withConfig)
app.use("/v1/*", quotaFields)
app.route("/v1", sendRoutes)
app.route("/v1", accountRoutes)
app.route("/v1/campaigns", campaignRoutes)
app.route("/callbacks", callbackRoutes)
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
