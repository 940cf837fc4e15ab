import type { GatewayConfig } from "../config/GatewayConfig.js"
import { type ApiError, apiError } from "../http/apiError.js"
import { checkOutboundUrl } from "./outboundUrl.js"

/**
 * What a send needs before it may take a quota slot or touch the ledger: the
 * deployment's public origin for its callback URL, and a `notifyUrl` (if any) that
 * passes the outbound policy. Otherwise the answer to give: 500 naming `PUBLIC_URL`, or
 * 400 on `notifyUrl`.
 *
 * @example
 * ```ts
 * import type { Context } from "hono"
 * import type { GatewayEnv } from "../http/GatewayEnv.js"
 * import { sendError } from "../http/middleware.js"
 *
 * function callbackUrl(c: Context<GatewayEnv>, notifyUrl: string | undefined, path: string) {
 *   const guard = guardSend(c.get("config"), notifyUrl)
 *   if ("refusal" in guard) return sendError(c, guard.refusal) // 500 or 400, nothing taken
 *   return `${guard.origin}${path}`
 * }
 * ```
 */
export const guardSend = (
  config: GatewayConfig,
  notifyUrl: string | undefined,
): { readonly origin: string } | { readonly refusal: ApiError } => {
  if (config.publicUrl === undefined) {
    const problem =
      "PUBLIC_URL is not set: sends are refused until the gateway is configured with its public origin for callback URLs"
    console.error(JSON.stringify({ level: "error", msg: "misconfigured", problem }))
    return { refusal: apiError(500, "GATEWAY_MISCONFIGURED", problem) }
  }
  if (notifyUrl !== undefined) {
    const check = checkOutboundUrl(notifyUrl, config.outboundHttpAllow)
    if (!check.ok)
      return {
        refusal: apiError(400, "VALIDATION_ERROR", `notifyUrl: ${check.reason}`, {
          field: "notifyUrl",
        }),
      }
  }
  return { origin: config.publicUrl }
}
