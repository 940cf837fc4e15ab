/**
 * The transport, for code that brings its own rate limiter (the gateway's Durable
 * Object, a shared store): one upstream call under a `RateLimiter` and a retry policy,
 * with every text that could carry the API key redacted. Everything else calls through
 * the operations (`@voicepartner/core/operations/*`) and the clients.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import * as Redacted from "effect/Redacted"
 * import { RateLimiter } from "@voicepartner/core/ratelimit/RateLimiter"
 * import { defaultRetryPolicy } from "@voicepartner/core/retry/RetryPolicy"
 * import { execute } from "@voicepartner/core/transport"
 *
 * declare const apiKey: string
 *
 * const credits = Effect.gen(function* () {
 *   const limiter = yield* RateLimiter
 *   return yield* execute(
 *     { apiKey: Redacted.make(apiKey), baseUrl: "http://127.0.0.1:8788/v1", fetch, retry: defaultRetryPolicy, timeoutMs: 10_000, maxWaitMs: 0, limiter },
 *     { endpoint: "me" },
 *   )
 * }).pipe(Effect.provide(RateLimiter.memory()))
 * ```
 */
export {
  type CallError,
  decodeAnswer,
  execute,
  type TransportOptions,
} from "./internal/http/execute.js"
export type { UpstreamAnswer, UpstreamCall } from "./internal/http/UpstreamCall.js"
