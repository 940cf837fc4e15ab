import { type Endpoint, isSend } from "../model/Endpoint.js"

/** Failures a policy may choose to retry. */
export type RetryableFailure =
  | "RateLimited"
  | "ServiceUnavailable"
  | "ConnectFailed"
  | "ServerError"
  | "Timeout"
  | "ConnectionDropped"

/**
 * When to try again. By default a send is retried only when it cannot have gone out —
 * an upstream 429, a 503, a connection that never opened — because a timeout or a
 * dropped connection after the request left may mean the messages were sent. Reads,
 * renames and cancellations are harmless to repeat and retry on any transient failure.
 *
 * @example
 * ```ts
 * const patient: RetryPolicy = { ...defaultRetryPolicy, maxAttempts: 8 }
 * ```
 */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  readonly maxAttempts: number
  readonly baseDelayMs: number
  readonly maxDelayMs: number
  readonly sendRetryOn: ReadonlyArray<RetryableFailure>
  readonly otherRetryOn: ReadonlyArray<RetryableFailure>
}

export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 1_000,
  maxDelayMs: 60_000,
  sendRetryOn: ["RateLimited", "ServiceUnavailable", "ConnectFailed"],
  otherRetryOn: [
    "RateLimited",
    "ServiceUnavailable",
    "ConnectFailed",
    "ServerError",
    "Timeout",
    "ConnectionDropped",
  ],
}

/**
 * Whether `failure` on `endpoint` may be retried under `policy`.
 *
 * @example
 * ```ts
 * isRetryable(defaultRetryPolicy, "tts/send", "Timeout") // false: the message may be out
 * isRetryable(defaultRetryPolicy, "me", "Timeout") // true
 * ```
 */
export const isRetryable = (
  policy: RetryPolicy,
  endpoint: Endpoint,
  failure: RetryableFailure,
): boolean => (isSend(endpoint) ? policy.sendRetryOn : policy.otherRetryOn).includes(failure)

/**
 * Delay before attempt `attempt + 1`: exponential with "equal jitter" (half fixed, half
 * random, so retries of many clients spread out), never shorter than the upstream's own
 * hint. `random` is in [0, 1).
 *
 * @example
 * ```ts
 * backoffMs(defaultRetryPolicy, 1, 0.5, undefined) // 1_500
 * ```
 */
export const backoffMs = (
  policy: RetryPolicy,
  attempt: number,
  random: number,
  hintMs: number | undefined,
): number => {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1))
  const jittered = exponential / 2 + (exponential / 2) * random
  return Math.max(jittered, hintMs ?? 0)
}
