import type { RateLimitedError } from "@voicepartner/core/errors/RateLimitedError"
import type { Endpoint } from "@voicepartner/core/model/Endpoint"
import type { UpstreamCall } from "@voicepartner/core/transport"
import type { Context, MiddlewareHandler } from "hono"
import { findClient } from "../auth/findClient.js"
import type { ApiError } from "../http/apiError.js"
import { bearerToken } from "../http/dropInErrors.js"
import type { GatewayEnv } from "../http/GatewayEnv.js"
import { preferredWait } from "../http/preferWait.js"
import { waitUntilOf } from "../http/waitUntil.js"
import { quotaRefusal } from "../quota/durableRateLimiter.js"
import type { QuotaState } from "../quota/QuotaState.js"
import { quotaStub } from "../quota/quotaStub.js"
import { rateLimitFields } from "../quota/rateLimitFields.js"
import { isolateRefusals } from "../quota/refusalCache.js"
import { callUpstream, type UpstreamOutcome } from "../upstream/callUpstream.js"
import { callErrorAnswer } from "../upstream/outcomeResponse.js"

// What the routes do with the account's quota: ask the isolate first, then the quota
// object on the way to the upstream, and show what they learnt in the answer's fields.

/** The gateway's context on routes that go through the account's quota. */
export interface QuotaEnv {
  readonly Bindings: GatewayEnv["Bindings"]
  readonly Variables: GatewayEnv["Variables"] & {
    /** The last state the quota object reported for this request, if it was asked. */
    quota: QuotaState | undefined
  }
}

/**
 * The `RateLimit-Policy` and `RateLimit` fields of an authenticated upstream route's
 * answer. From the state the quota reported for this request when it took part (admitted,
 * refused, or refused by the isolate's cache); otherwise — bad input, a refused operation,
 * idempotency answers — only from what the isolate already knows for certain (the
 * endpoint is exhausted, see `RefusalCache`), and else none: an answer that never needed
 * the quota never calls the account's quota object, which every send waits on.
 * Unauthenticated answers (401, unreadable body) never carry them.
 */
export const quotaFields: MiddlewareHandler<QuotaEnv> = async (c, next) => {
  await next()
  const endpoint = c.get("endpoint")
  if (c.error !== undefined || endpoint === undefined || c.get("client") === undefined) return
  if (c.res.headers.has("RateLimit")) return // set with the answer (`localRefusal`)
  const state =
    c.get("quota") ??
    isolateRefusals.refusal(c.get("config").accountId, endpoint, Date.now(), 0)?.state
  if (state === undefined) return
  for (const [name, value] of Object.entries(rateLimitFields(state))) c.header(name, value)
}

/**
 * The 429 for a request the isolate already knows cannot be admitted (see
 * `RefusalCache`), answered before any signing, Effect run or Durable Object call, so a
 * flood over quota costs as little as possible. `undefined` when the quota object must
 * decide. Same error, body and fields as the full path.
 *
 * @example
 * ```ts
 * import type { Context } from "hono"
 *
 * async function send(c: Context<QuotaEnv>) {
 *   const early = localRefusal(c, "campaign/send", 0)
 *   if (early !== undefined) return early // 429, the quota object not called
 *   return c.json({ queued: true }) // … the full path: throughQuota
 * }
 * ```
 */
export const localRefusal = <E extends QuotaEnv>(
  c: Context<E>,
  endpoint: Endpoint,
  maxWaitMs: number,
): Response | undefined => {
  const known = isolateRefusals.refusal(c.get("config").accountId, endpoint, Date.now(), maxWaitMs)
  if (known === undefined) return undefined
  c.set("quota", known.state)
  const answer = refusalAnswer(endpoint, known.reason, known.retryAfterMs)
  // The RateLimit fields with the answer: `quotaFields` then has nothing to add (each
  // field it adds afterwards copies the Response, the largest cost of a flood's 429).
  return c.json(answer.body, answer.status, {
    ...answer.headers,
    ...rateLimitFields(known.state),
  })
}

/**
 * First on a send route, before its body is read: a send with a Bearer token and no
 * `Idempotency-Key`, for an endpoint whose window the isolate knows is full (and whose
 * `Prefer: wait` would not outlast it), from a known client allowed the operation, is
 * answered {@link localRefusal}'s 429 at once. Whatever its body it could not be admitted,
 * and reading, parsing and validating it is what a flood over quota costs; it is judged
 * when it comes back after `Retry-After`. Everything else goes on to the full path: a key
 * may be a replay (which answers what was sent), a drop-in request authenticates from its
 * body, and an unknown token or a refused operation gets its 401 or 403.
 *
 * @example
 * ```ts
 * import { Hono } from "hono"
 *
 * new Hono<QuotaEnv>().post("/campaign/send", refuseWhileFull("campaign/send"), (c) => c.text("judged"))
 * ```
 */
export const refuseWhileFull =
  (endpoint: Endpoint): MiddlewareHandler<QuotaEnv> =>
  async (c, next) => {
    const token = bearerToken(c.req.header("authorization"))
    if (token === undefined || c.req.header("idempotency-key") !== undefined) return next()
    const waitMs = preferredWait(c.req.header("prefer")) * 1000
    // The cheap question first: most requests find the window open and go on.
    const config = c.get("config")
    if (isolateRefusals.refusal(config.accountId, endpoint, Date.now(), waitMs) === undefined)
      return next()
    const client = await findClient(config.clients, token)
    if (client === undefined || !client.operations.has(endpoint)) return next()
    c.set("client", client)
    c.set("endpoint", endpoint)
    c.set("dropIn", false)
    return localRefusal(c, endpoint, waitMs) ?? next()
  }

/**
 * The answer to a refusal: a function of the endpoint, the reason and the whole seconds
 * to wait (its message and `Retry-After`), so a flood reuses one per second instead of
 * building an error (and its stack) per request.
 */
const refusalAnswer = (
  endpoint: Endpoint,
  reason: RateLimitedError["reason"],
  retryAfterMs: number,
): ApiError => {
  const key = `${endpoint} ${reason} ${Math.ceil(retryAfterMs / 1000)}`
  let answer = refusalAnswers.get(key)
  if (answer === undefined) {
    answer = callErrorAnswer(quotaRefusal(endpoint, reason, retryAfterMs))
    if (refusalAnswers.size >= MAX_REFUSAL_ANSWERS) refusalAnswers.clear()
    refusalAnswers.set(key, answer)
  }
  return answer
}
const MAX_REFUSAL_ANSWERS = 64
const refusalAnswers = new Map<string, ApiError>()

/**
 * The upstream call, through the account's quota object (a slot, waiting up to `maxWaitMs`
 * for one) and core's transport; the quota state it reports is kept for the answer's
 * fields. If the caller goes away while waiting, nothing is sent and the slot is freed.
 *
 * @example
 * ```ts
 * import type { Context } from "hono"
 *
 * async function credits(c: Context<QuotaEnv>) {
 *   const outcome = await throughQuota(c, { endpoint: "me" }, 0)
 *   return outcome.kind // "answer", "error", "unavailable" or "abandoned"; c.get("quota") set
 * }
 * ```
 */
export const throughQuota = async <E extends QuotaEnv>(
  c: Context<E>,
  call: UpstreamCall,
  maxWaitMs: number,
): Promise<UpstreamOutcome> => {
  const config = c.get("config")
  const outcome = await callUpstream(config, quotaStub(c.env, config), call, {
    maxWaitMs,
    signal: c.req.raw.signal,
    waitUntil: waitUntilOf(c),
  })
  c.set("quota", outcome.quota)
  return outcome
}
