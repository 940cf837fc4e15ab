import type { Endpoint } from "@voicepartner/core/model/Endpoint"
import type { Context } from "hono"
import { quotaRefusal } from "../quota/durableRateLimiter.js"
import { rateLimitFields } from "../quota/rateLimitFields.js"
import { isolateRefusals } from "../quota/refusalCache.js"
import { callErrorAnswer } from "../upstream/outcomeResponse.js"
import type { GatewayEnv } from "./GatewayEnv.js"

/**
 * The 429 for a request the isolate already knows cannot be admitted (see
 * `RefusalCache`), answered before any signing, Effect run or Durable Object call, so a
 * flood over quota costs as little as possible. `undefined` when the quota object must
 * decide. Same error, body and fields as the full path.
 *
 * @example
 * ```ts
 * const early = localRefusal(c, "campaign/send", 0)
 * if (early !== undefined) return early
 * ```
 */
export const localRefusal = (
  c: Context<GatewayEnv>,
  endpoint: Endpoint,
  maxWaitMs: number,
): Response | undefined => {
  const known = isolateRefusals.refusal(c.get("config").accountId, endpoint, Date.now(), maxWaitMs)
  if (known === undefined) return undefined
  const answer = callErrorAnswer(quotaRefusal(endpoint, known.reason, known.retryAfterMs))
  return c.json(answer.body, answer.status, { ...rateLimitFields(known.state), ...answer.headers })
}
