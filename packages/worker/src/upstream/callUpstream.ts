import type { RateLimiterUnavailable } from "@voicepartner/core/errors/RateLimiterUnavailable"
import { RateLimiter, type Reservation } from "@voicepartner/core/ratelimit/RateLimiter"
import type { ShareRequest } from "@voicepartner/core/ratelimit/SharedSlots"
import type { RetryPolicy } from "@voicepartner/core/retry/RetryPolicy"
import type { UpstreamAnswer, UpstreamCall } from "@voicepartner/core/transport"
import { type CallError, execute } from "@voicepartner/core/transport"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type { GatewayConfig } from "../config/GatewayConfig.js"
import { admission, durableQuota } from "../quota/durableRateLimiter.js"
import type { QuotaObject } from "../quota/QuotaObject.js"
import type { QuotaState } from "../quota/QuotaState.js"
import { probedFetch, tcpReachable } from "./probedFetch.js"

/**
 * How an upstream call ended, with the state of the quota object's last answer. When the
 * object could not answer, an `error` with `RateLimiterUnavailable`: nothing was sent.
 */
export type UpstreamOutcome =
  | {
      readonly kind: "answer"
      readonly answer: UpstreamAnswer
      readonly quota: QuotaState | undefined
    }
  | { readonly kind: "error"; readonly error: CallError; readonly quota: QuotaState | undefined }
  /** The call died without a typed failure (a defect): answered 503, as before. */
  | { readonly kind: "unavailable"; readonly quota: QuotaState | undefined }
  /** The caller left before the request went out: nothing was sent, the slot was freed. */
  | { readonly kind: "abandoned"; readonly quota: QuotaState | undefined }

/**
 * The gateway's retry policy: core's safe set minus rate limits. A 429 (ours or the
 * upstream's) goes straight back to the caller with `Retry-After` instead of holding the
 * request open; a 503 or a refused connection is tried once more, soon.
 */
const gatewayRetry: RetryPolicy = {
  maxAttempts: 2,
  baseDelayMs: 250,
  maxDelayMs: 1_000,
  sendRetryOn: ["ServiceUnavailable", "ConnectFailed"],
  otherRetryOn: [
    "ServiceUnavailable",
    "ConnectFailed",
    "ServerError",
    "Timeout",
    "ConnectionDropped",
  ],
}

/** How the caller waits: for a slot, and while its connection is open. */
export interface CallOptions {
  /** How long the caller accepted to wait for a slot (`Prefer: wait`), in ms; 0 by default. */
  readonly maxWaitMs?: number | undefined
  /** The caller's connection (`request.signal`): aborted when it goes away. */
  readonly signal?: AbortSignal | undefined
  /** Keeps work alive past the request (`ctx.waitUntil`): a cancelled request runs nothing else. */
  readonly waitUntil?: ((promise: Promise<unknown>) => void) | undefined
  /**
   * A broadcast's call: it takes a slot only if one is free now, within the windows less
   * the reserve single sends keep, and in its client's turn (see core's `QuotaMachine`).
   */
  readonly share?: ShareRequest | undefined
  /**
   * Called synchronously just before each attempt's request leaves (after its slot is
   * granted): a broadcast marks its chunk in flight there, durably, and a chunk found in
   * flight after a restart is never resent.
   */
  readonly beforeSend?: (() => void) | undefined
}

/**
 * One upstream call through core's transport (`execute`: limiter, retry policy,
 * redaction), with the account's Durable Object as the limiter. If the caller goes away
 * while the call waits for its slot, nothing is sent and the slot is given back; a
 * request already on the wire is always completed. `execute` is called directly: the
 * limiter differs per request, and a client Layer built per request only added code to
 * the bundle.
 *
 * @example
 * ```ts
 * import type { Context } from "hono"
 * import type { GatewayEnv } from "../http/GatewayEnv.js"
 * import { quotaStub } from "../quota/quotaStub.js"
 *
 * async function credits(c: Context<GatewayEnv>) {
 *   const config = c.get("config")
 *   const quota = quotaStub(c.env, config)
 *   const outcome = await callUpstream(config, quota, { endpoint: "me" }, { signal: c.req.raw.signal })
 *   return outcome.kind // "answer", "error", "unavailable" or "abandoned"
 * }
 * ```
 */
export const callUpstream = async (
  config: GatewayConfig,
  quota: DurableObjectStub<QuotaObject>,
  call: UpstreamCall,
  options: CallOptions = {},
): Promise<UpstreamOutcome> => {
  const answers = durableQuota(quota, config.accountId)
  // The state of the quota object's latest answer: the answer's RateLimit fields.
  let last: QuotaState | undefined
  const settle = (answer: Effect.Effect<QuotaState, RateLimiterUnavailable>) =>
    Effect.ignore(
      Effect.map(answer, (state) => {
        last = state
      }),
    )
  // The slot reserved and not yet used. workerd cancels a request whose client reset
  // its connection: nothing after that point runs (core's own release included), so the
  // abort listener gives the slot back in `waitUntil`. Whoever releases first does it.
  let held: Reservation | undefined
  const releaseHeld = () => {
    const slot = held
    held = undefined
    return slot
  }
  // Core's limiter over the object's answers. A release or a block that cannot reach the
  // object is dropped: a slot kept too long is a refusal too many, never an admission too
  // many, and the upstream itself refuses again while it is blocked.
  const limiter = RateLimiter.of({
    acquire: (endpoint, o) =>
      Effect.flatMap(answers.acquire(endpoint, o?.maxWaitMs ?? 0, options.share), (decision) => {
        last = decision.state
        return Effect.tap(admission(endpoint, decision), (slot) =>
          Effect.sync(() => {
            held = slot
          }),
        )
      }),
    release: (slot) =>
      held === slot && releaseHeld()
        ? settle(answers.release(slot.endpoint, slot.at))
        : Effect.void,
    block: (endpoint, untilMs) => settle(answers.block(endpoint, untilMs)),
    snapshot: (endpoint) => Effect.orDie(answers.snapshot(endpoint)),
  })
  const onAbort = () => {
    const slot = releaseHeld()
    if (slot !== undefined)
      options.waitUntil?.(quota.release(slot.endpoint, slot.at).catch(() => undefined))
  }
  options.signal?.addEventListener("abort", onAbort, { once: true })
  const send = probedFetch((input, init) => globalThis.fetch(input, init), tcpReachable)
  const exit = await Effect.runPromiseExit(
    execute(
      {
        apiKey: config.apiKey,
        baseUrl: config.baseUrl,
        fetch: (input, init) => {
          held = undefined // the slot is being used: it is no longer anyone's to give back
          options.beforeSend?.()
          return send(input, init)
        },
        retry: gatewayRetry,
        timeoutMs: 25_000,
        maxWaitMs: options.maxWaitMs ?? 0,
        limiter,
      },
      call,
    ),
    { signal: options.signal },
  )
  options.signal?.removeEventListener("abort", onAbort)
  if (Exit.isSuccess(exit)) return { kind: "answer", answer: exit.value, quota: last }
  if (Cause.hasInterruptsOnly(exit.cause)) return { kind: "abandoned", quota: last }
  const failure = exit.cause.reasons.find(Cause.isFailReason)
  return failure === undefined
    ? { kind: "unavailable", quota: last }
    : { kind: "error", error: failure.error, quota: last }
}
