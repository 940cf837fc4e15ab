import { type CallError, execute } from "@voicepartner/core/http/execute"
import type { UpstreamAnswer, UpstreamCall } from "@voicepartner/core/http/UpstreamCall"
import type { RetryPolicy } from "@voicepartner/core/retry/RetryPolicy"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type { GatewayConfig } from "../config/GatewayConfig.js"
import { makeDurableRateLimiter } from "../quota/durableRateLimiter.js"
import type { QuotaObject } from "../quota/QuotaObject.js"
import type { QuotaState } from "../quota/QuotaState.js"

/** How an upstream call ended, with the last quota state the Durable Object reported. */
export type UpstreamOutcome =
  | {
      readonly kind: "answer"
      readonly answer: UpstreamAnswer
      readonly quota: QuotaState | undefined
    }
  | { readonly kind: "error"; readonly error: CallError; readonly quota: QuotaState | undefined }
  /** The quota object could not be reached: nothing was sent. */
  | { readonly kind: "unavailable"; readonly quota: QuotaState | undefined }

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

/**
 * One upstream call through core's transport (`execute`: limiter, retry policy,
 * redaction), with the account's Durable Object as the limiter. `maxWaitMs` is how long
 * the caller accepted to wait for a slot (`Prefer: wait`), 0 by default. `execute` is
 * called directly: the limiter differs per request, and a client Layer built per request
 * only added code to the bundle.
 *
 * @example
 * ```ts
 * const outcome = await callUpstream(config, quota, { endpoint: "me" }, 0)
 * ```
 */
export const callUpstream = async (
  config: GatewayConfig,
  quota: DurableObjectStub<QuotaObject>,
  call: UpstreamCall,
  maxWaitMs: number,
): Promise<UpstreamOutcome> => {
  let last: QuotaState | undefined
  const limiter = makeDurableRateLimiter(
    quota,
    (state) => {
      last = state
    },
    config.accountId,
  )
  const exit = await Effect.runPromiseExit(
    execute(
      {
        apiKey: config.apiKey,
        baseUrl: config.baseUrl,
        fetch: (input, init) => globalThis.fetch(input, init),
        retry: gatewayRetry,
        timeoutMs: 25_000,
        maxWaitMs,
        limiter,
      },
      call,
    ),
  )
  if (Exit.isSuccess(exit)) return { kind: "answer", answer: exit.value, quota: last }
  const failure = exit.cause.reasons.find(Cause.isFailReason)
  return failure === undefined
    ? { kind: "unavailable", quota: last }
    : { kind: "error", error: failure.error, quota: last }
}
