import type { Context } from "hono"
import type { ContentfulStatusCode } from "hono/utils/http-status"
import type { QuotaState } from "../quota/QuotaState.js"
import { quotaStub } from "../quota/quotaStub.js"
import { rateLimitFields } from "../quota/rateLimitFields.js"
import type { GatewayEnv } from "./GatewayEnv.js"

/**
 * Answers an authenticated upstream route: JSON body plus the `RateLimit` fields of the
 * route's endpoint, from the state the call reported or, when the call never reached
 * the quota (bad input), from a snapshot.
 */
export const respond = async (
  c: Context<GatewayEnv>,
  answer: {
    readonly status: ContentfulStatusCode
    readonly body: unknown
    readonly headers?: Readonly<Record<string, string>> | undefined
  },
  quota?: QuotaState,
): Promise<Response> => {
  const endpoint = c.get("endpoint")
  let state = quota
  if (state === undefined && endpoint !== undefined) {
    state = await quotaStub(c.env, c.get("config"))
      .snapshot(endpoint)
      .catch(() => undefined)
  }
  const headers: Record<string, string> = {
    ...(state !== undefined && rateLimitFields(state)),
    ...answer.headers,
  }
  return c.json(answer.body as object, answer.status, headers)
}
