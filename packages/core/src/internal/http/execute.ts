import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Random from "effect/Random"
import * as Redacted from "effect/Redacted"
import { DecodeError } from "../../errors/DecodeError.js"
import type { RateLimitedError } from "../../errors/RateLimitedError.js"
import type { RateLimiterUnavailable } from "../../errors/RateLimiterUnavailable.js"
import { TransportError } from "../../errors/TransportError.js"
import { failureOfReason, type VoicePartnerApiError } from "../../errors/VoicePartnerApiError.js"
import type { Endpoint } from "../../model/Endpoint.js"
import type { RateLimiter } from "../../ratelimit/RateLimiter.js"
import { waitForReservation } from "../../ratelimit/RateLimiter.js"
import {
  backoffMs,
  isRetryable,
  type RetryableFailure,
  type RetryPolicy,
} from "../../retry/RetryPolicy.js"
import { classifyAnswer } from "./classifyAnswer.js"
import { retryAfterMs } from "./rateLimitHeaders.js"
import { redact } from "./redact.js"
import { buildRequest, type UpstreamAnswer, type UpstreamCall } from "./UpstreamCall.js"

/** Everything a call can fail with once validated. */
export type CallError =
  | VoicePartnerApiError
  | TransportError
  | DecodeError
  | RateLimitedError
  | RateLimiterUnavailable

/** How the transport reaches the upstream. */
export interface TransportOptions {
  readonly apiKey: Redacted.Redacted<string>
  readonly baseUrl: string
  readonly fetch: typeof globalThis.fetch
  readonly retry: RetryPolicy
  /** Per attempt, from sending the request to reading the whole body. */
  readonly timeoutMs: number
  /** Longest wait for a rate-limit slot before failing with `RateLimitedError`. */
  readonly maxWaitMs: number | undefined
  readonly limiter: RateLimiter["Service"]
}

// Connection failures that happen before a byte of the request is sent. Only these
// are known-safe for sends; any other fetch rejection may come after the request left.
const connectFailure =
  /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|connection refused|getaddrinfo|dns error|failed to lookup/i

const describe = (error: unknown): string => {
  const parts: Array<string> = []
  let current: unknown = error
  for (let depth = 0; depth < 4 && current !== undefined && current !== null; depth++) {
    if (current instanceof Error) {
      const code = (current as { code?: unknown }).code
      parts.push(typeof code === "string" ? `${current.message} [${code}]` : current.message)
      current = (current as { cause?: unknown }).cause
    } else {
      parts.push(String(current))
      break
    }
  }
  return parts.join(": ")
}

/**
 * Sends one upstream call under the limiter with the retry policy: each attempt reserves
 * a slot first, a 429 blocks the limiter until the upstream's reset, and only failures
 * the policy deems safe are retried, after an exponential, jittered delay that honours
 * `Retry-After` / `x-ratelimit-reset`. The API key never leaves this function: every
 * text that could carry it is redacted.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 *
 * declare const options: TransportOptions
 * const credits = Effect.gen(function* () {
 *   const answer = yield* execute(options, { endpoint: "me" })
 *   return answer.json // as the upstream sent it: { success: true, credit: "19", … }
 * })
 * ```
 */
export const execute = (
  options: TransportOptions,
  call: UpstreamCall,
): Effect.Effect<UpstreamAnswer, CallError> => {
  const { endpoint } = call
  const attempt = attemptOnce(options, call)
  // The configured policy decides, from each failure's family: the same failure may be
  // retried for a read and not for a send (a timeout may hide messages that went out).
  const retried = (error: CallError): boolean => {
    if (error._tag === "RateLimiterUnavailable") return error.retryable
    const family = retryFamily(error)
    return family !== undefined && isRetryable(options.retry, endpoint, family)
  }
  const loop = (n: number): Effect.Effect<UpstreamAnswer, CallError> =>
    Effect.catch(attempt, (error) => {
      if (!retried(error) || n >= options.retry.maxAttempts) return Effect.fail(error)
      const hint = "retryAfterMs" in error ? error.retryAfterMs : undefined
      return Random.next.pipe(
        Effect.flatMap((r) => Effect.sleep(backoffMs(options.retry, n, r, hint))),
        Effect.andThen(loop(n + 1)),
      )
    })
  return loop(1)
}

/** The retry family of a failure, if a policy may retry it at all. */
const retryFamily = (error: CallError): RetryableFailure | undefined => {
  switch (error._tag) {
    case "TransportError":
      return error.reason
    case "RateLimitedError":
      return "RateLimited"
    case "VoicePartnerApiError":
      return failureOfReason(error.reason)
    default:
      return undefined
  }
}

const attemptOnce = (
  options: TransportOptions,
  call: UpstreamCall,
): Effect.Effect<UpstreamAnswer, CallError> =>
  Effect.gen(function* () {
    const { endpoint } = call
    const secret = Redacted.value(options.apiKey)
    const reservation = yield* options.limiter.acquire(endpoint, { maxWaitMs: options.maxWaitMs })
    // A caller that leaves while waiting for its slot sends nothing: give the slot back.
    yield* waitForReservation(reservation).pipe(
      Effect.onInterrupt(() => options.limiter.release(reservation)),
    )
    const { url, init } = buildRequest(call, secret, options.baseUrl)
    const transportError = (reason: TransportError["reason"], detail: string) =>
      new TransportError({
        reason,
        endpoint,
        detail: redact(detail, secret),
      })
    const exchange = Effect.tryPromise({
      try: async (signal) => {
        const response = await options.fetch(url, { ...init, signal })
        const text = await response.text().catch((cause: unknown) => {
          throw new BodyReadError(cause)
        })
        return { response, text }
      },
      catch: (error) =>
        error instanceof BodyReadError
          ? transportError("ConnectionDropped", `the answer was cut off: ${describe(error.cause)}`)
          : connectFailure.test(describe(error))
            ? transportError("ConnectFailed", describe(error))
            : transportError("ConnectionDropped", describe(error)),
    })
    const { response, text } = yield* exchange.pipe(
      Effect.timeoutOrElse({
        duration: call.timeoutMs ?? options.timeoutMs,
        orElse: () =>
          Effect.fail(
            transportError("Timeout", `no answer within ${call.timeoutMs ?? options.timeoutMs} ms`),
          ),
      }),
      // Once the request may be on the wire, an interruption waits for the answer:
      // abandoning it would leave the caller unsure whether messages went out.
      Effect.uninterruptible,
    )
    const now = yield* Clock.currentTimeMillis
    let json: unknown
    try {
      json = text.length > 0 ? JSON.parse(text) : undefined
    } catch {
      json = undefined
    }
    const hint = retryAfterMs(response.headers, now)
    if (response.status === 429) yield* options.limiter.block(endpoint, now + (hint ?? 60_000))
    const error = classifyAnswer(endpoint, response.status, json, {
      retryAfterMs: hint,
      textOnFailure: text.slice(0, 200) || `HTTP ${response.status}`,
      sanitize: (t) => redact(t, secret),
    })
    if (error !== undefined) return yield* Effect.fail(error)
    return { status: response.status, headers: response.headers, json }
  })

class BodyReadError {
  constructor(readonly cause: unknown) {}
}

/** Which endpoint a call error concerns (all call errors carry it). */
export const endpointOf = (error: CallError): Endpoint => error.endpoint

/** Decodes a successful answer with a tolerant schema, failing with `DecodeError`. */
export const decodeAnswer = <A>(
  endpoint: Endpoint,
  answer: UpstreamAnswer,
  decode: (
    json: unknown,
  ) =>
    | { readonly _tag: "Success"; readonly success: A }
    | { readonly _tag: "Failure"; readonly failure: string },
  apiKey: Redacted.Redacted<string>,
): Effect.Effect<A, DecodeError> => {
  const result = decode(answer.json)
  return result._tag === "Success"
    ? Effect.succeed(result.success)
    : Effect.fail(
        new DecodeError({
          reason: "UnexpectedShape",
          endpoint,
          status: answer.status,
          detail: redact(result.failure, Redacted.value(apiKey)),
        }),
      )
}
