import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { RateLimiter } from "../ratelimit/RateLimiter.js"
import {
  DEFAULT_BASE_URL,
  makeVoicePartnerClient,
  VoicePartnerClient,
} from "./VoicePartnerClient.js"

/**
 * A client configured from `VOICEPARTNER_API_KEY` (a secret, kept redacted) and
 * `VOICEPARTNER_BASE_URL` (default Voice Partner's). A missing key fails with a
 * `ConfigError` that names it. In a module of its own: `Config` weighs 3 KB gzip in a
 * bundle that does not need it.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import * as Layer from "effect/Layer"
 * import { layerFromConfig } from "@voicepartner/core/client/layerFromConfig"
 * import { VoicePartnerClient } from "@voicepartner/core/client/VoicePartnerClient"
 * import { RateLimiter } from "@voicepartner/core/ratelimit/RateLimiter"
 *
 * const live = layerFromConfig.pipe(Layer.provide(RateLimiter.memory()))
 * const credits = Effect.gen(function* () {
 *   const voice = yield* VoicePartnerClient
 *   return yield* voice.credits()
 * }).pipe(Effect.provide(live))
 * ```
 */
export const layerFromConfig: Layer.Layer<VoicePartnerClient, Config.ConfigError, RateLimiter> =
  Layer.effect(
    VoicePartnerClient,
    Effect.gen(function* () {
      const apiKey = yield* Config.Redacted("VOICEPARTNER_API_KEY")
      const baseUrl = yield* Config.String("VOICEPARTNER_BASE_URL").pipe(
        Config.withDefault(DEFAULT_BASE_URL),
      )
      return yield* makeVoicePartnerClient({ apiKey, baseUrl })
    }),
  )
