import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import type * as Result from "effect/Result"
import type { ValidationError } from "../errors/ValidationError.js"
import { type CallError, decodeAnswer, execute, type TransportOptions } from "../http/execute.js"
import type { UpstreamAnswer, UpstreamCall } from "../http/UpstreamCall.js"
import {
  type CampaignSendInput,
  type CampaignSendRequest,
  encodeCampaignSend,
  validateCampaignSend,
} from "../model/CampaignSendRequest.js"
import { type CancelCampaignInput, validateCancelCampaign } from "../model/CancelCampaignRequest.js"
import { type RenameAudioInput, validateRenameAudio } from "../model/RenameAudioRequest.js"
import {
  AudioListResponse,
  CampaignSendResponse,
  CancelCampaignResponse,
  CreditsResponse,
  decodeTolerant,
  RenameAudioResponse,
  type Tolerant,
  TtsSendResponse,
} from "../model/responses.js"
import {
  encodeTtsSend,
  type TtsSendInput,
  type TtsSendRequest,
  validateTtsSend,
} from "../model/TtsSendRequest.js"
import type { Validated } from "../model/Validated.js"
import { RateLimiter } from "../ratelimit/RateLimiter.js"
import { defaultRetryPolicy, type RetryPolicy } from "../retry/RetryPolicy.js"

/** Where and how to reach Voice Partner. */
export interface VoicePartnerClientOptions {
  readonly apiKey: Redacted.Redacted<string>
  /** Defaults to `https://api.voicepartner.fr/v1`; the emulator is `http://127.0.0.1:8788/v1`. */
  readonly baseUrl?: string | undefined
  /** Defaults to `globalThis.fetch`. */
  readonly fetch?: typeof globalThis.fetch | undefined
  readonly retry?: Partial<RetryPolicy> | undefined
  /** Per attempt; default 30 s. */
  readonly timeoutMs?: number | undefined
  /** Longest wait for a rate-limit slot; by default calls wait as long as needed. */
  readonly maxWaitMs?: number | undefined
}

export const DEFAULT_BASE_URL = "https://api.voicepartner.fr/v1"

/** Every way a validated-then-sent call can fail. */
export type SendError = ValidationError | CallError

/**
 * The Voice Partner API as an Effect service. Every method validates its input before
 * any IO, reserves a rate-limit slot, and retries only what is safe (see `RetryPolicy`).
 * It needs a {@link RateLimiter}: `RateLimiter.memory()` in a process, the gateway's
 * Durable Object across Workers isolates.
 *
 * @example
 * ```ts
 * const program = Effect.gen(function* () {
 *   const voice = yield* VoicePartnerClient
 *   const sent = yield* voice.sendTts({ phoneNumbers: "0612345678", text: "Bonjour" })
 *   yield* Effect.log(`campaign ${sent.campaignId} cost ${sent.cost} ${sent.currency}`)
 * })
 * program.pipe(
 *   Effect.provide(VoicePartnerClient.layerConfig),
 *   Effect.provide(RateLimiter.memory()),
 *   Effect.runPromise,
 * )
 * ```
 */
export class VoicePartnerClient extends Context.Service<
  VoicePartnerClient,
  {
    readonly sendTts: (input: TtsSendInput) => Effect.Effect<Tolerant<TtsSendResponse>, SendError>
    readonly sendCampaign: (
      input: CampaignSendInput,
    ) => Effect.Effect<Tolerant<CampaignSendResponse>, SendError>
    readonly credits: () => Effect.Effect<Tolerant<CreditsResponse>, CallError>
    readonly listAudios: () => Effect.Effect<Tolerant<AudioListResponse>, CallError>
    readonly renameAudio: (
      input: RenameAudioInput,
    ) => Effect.Effect<Tolerant<RenameAudioResponse>, SendError>
    readonly cancelCampaign: (
      input: CancelCampaignInput,
    ) => Effect.Effect<Tolerant<CancelCampaignResponse>, SendError>
    /** Sends an already validated voice SMS (bulk chunks use this). */
    readonly sendTtsRequest: (
      request: TtsSendRequest,
    ) => Effect.Effect<Tolerant<TtsSendResponse>, CallError>
    /** Sends an already validated voicemail drop. */
    readonly sendCampaignRequest: (
      request: CampaignSendRequest,
    ) => Effect.Effect<Tolerant<CampaignSendResponse>, CallError>
    /**
     * The raw call under the same limiter, retry and redaction, answering the upstream's
     * status and JSON untouched (the gateway passes them through).
     */
    readonly execute: (call: UpstreamCall) => Effect.Effect<UpstreamAnswer, CallError>
  }
>()("@voicepartner/core/VoicePartnerClient") {
  /**
   * A client from explicit options.
   *
   * @example
   * ```ts
   * VoicePartnerClient.layer({ apiKey: Redacted.make("dev-key"), baseUrl: "http://127.0.0.1:8788/v1" })
   * ```
   */
  static layer(
    options: VoicePartnerClientOptions,
  ): Layer.Layer<VoicePartnerClient, never, RateLimiter> {
    return Layer.effect(VoicePartnerClient, makeVoicePartnerClient(options))
  }

  /** A client configured from `VOICEPARTNER_API_KEY` (secret) and `VOICEPARTNER_BASE_URL`. */
  static readonly layerConfig: Layer.Layer<VoicePartnerClient, Config.ConfigError, RateLimiter> =
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
}

const validated = <R>(
  result: Result.Result<Validated<R>, ValidationError>,
): Effect.Effect<R, ValidationError> =>
  Effect.flatMap(Effect.fromResult(result), ({ request, warnings }) =>
    Effect.as(
      Effect.forEach(warnings, (w) => Effect.logWarning(`${w.field}: ${w.message}`), {
        discard: true,
      }),
      request,
    ),
  )

/** Builds the client service over a given limiter (exposed for custom layers). */
export const makeVoicePartnerClient = (options: VoicePartnerClientOptions) =>
  Effect.gen(function* () {
    const limiter = yield* RateLimiter
    const transport: TransportOptions = {
      apiKey: options.apiKey,
      baseUrl: options.baseUrl ?? DEFAULT_BASE_URL,
      fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
      retry: { ...defaultRetryPolicy, ...options.retry },
      timeoutMs: options.timeoutMs ?? 30_000,
      maxWaitMs: options.maxWaitMs,
      limiter,
    }
    const run = <S extends Parameters<typeof decodeTolerant>[0]>(call: UpstreamCall, schema: S) =>
      Effect.flatMap(execute(transport, call), (answer) =>
        decodeAnswer(call.endpoint, answer, (json) => decodeTolerant(schema, json), options.apiKey),
      ) as Effect.Effect<Tolerant<S["Type"]>, CallError>
    const now = Clock.currentTimeMillis
    const sendTtsRequest = (request: TtsSendRequest) =>
      run({ endpoint: "tts/send", body: encodeTtsSend(request) }, TtsSendResponse)
    const sendCampaignRequest = (request: CampaignSendRequest) =>
      run({ endpoint: "campaign/send", body: encodeCampaignSend(request) }, CampaignSendResponse)
    return VoicePartnerClient.of({
      sendTtsRequest,
      sendCampaignRequest,
      sendTts: (input) =>
        now.pipe(
          Effect.flatMap((at) => validated(validateTtsSend(input, { now: at }))),
          Effect.flatMap(sendTtsRequest),
        ),
      sendCampaign: (input) =>
        now.pipe(
          Effect.flatMap((at) => validated(validateCampaignSend(input, { now: at }))),
          Effect.flatMap(sendCampaignRequest),
        ),
      credits: () => run({ endpoint: "me" }, CreditsResponse),
      listAudios: () => run({ endpoint: "audios" }, AudioListResponse),
      renameAudio: (input) =>
        Effect.flatMap(validated(validateRenameAudio(input)), (request) =>
          run(
            {
              endpoint: "audio-file/rename",
              body: { tokenAudio: request.tokenAudio, filename: request.filename },
            },
            RenameAudioResponse,
          ),
        ),
      cancelCampaign: (input) =>
        Effect.flatMap(validated(validateCancelCampaign(input)), (request) =>
          run(
            { endpoint: "campaign/cancel", pathParam: request.campaignId },
            CancelCampaignResponse,
          ),
        ),
      execute: (call) => execute(transport, call),
    })
  })
