import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import type * as Result from "effect/Result"
import type * as Schema from "effect/Schema"
import type { ValidationError } from "../errors/ValidationError.js"
import {
  type CallError,
  decodeAnswer,
  execute,
  type TransportOptions,
} from "../internal/http/execute.js"
import type { UpstreamAnswer, UpstreamCall } from "../internal/http/UpstreamCall.js"
import type { CampaignSendInput, CampaignSendRequest } from "../model/CampaignSendRequest.js"
import type { CancelCampaignInput } from "../model/CancelCampaignRequest.js"
import type { RenameAudioInput } from "../model/RenameAudioRequest.js"
import {
  type AudioListResponse,
  type CampaignSendResponse,
  type CancelCampaignResponse,
  type CreditsResponse,
  decodeTolerant,
  type RenameAudioResponse,
  type Tolerant,
  type TtsSendResponse,
} from "../model/responses.js"
import type { TtsSendInput, TtsSendRequest } from "../model/TtsSendRequest.js"
import type { Validated } from "../model/Validated.js"
import { CampaignSend } from "../operations/CampaignSend.js"
import { CancelCampaign } from "../operations/CancelCampaign.js"
import type { Operation } from "../operations/Operation.js"
import { Audios, Credits } from "../operations/Reads.js"
import { RenameAudio } from "../operations/RenameAudio.js"
import { TtsSend } from "../operations/TtsSend.js"
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
 * Options of one call: an `Idempotency-Key` (honoured by the gateway: a repeated key
 * replays the first answer instead of sending again) and a timeout per attempt.
 */
export interface CallOptions {
  readonly idempotencyKey?: string | undefined
  readonly timeoutMs?: number | undefined
}

const VoicePartnerClientBase: Context.ServiceClass<
  VoicePartnerClient,
  "@voicepartner/core/VoicePartnerClient",
  {
    readonly sendTts: (
      input: TtsSendInput,
      options?: CallOptions,
    ) => Effect.Effect<Tolerant<TtsSendResponse>, SendError>
    readonly sendCampaign: (
      input: CampaignSendInput,
      options?: CallOptions,
    ) => Effect.Effect<Tolerant<CampaignSendResponse>, SendError>
    readonly credits: (options?: CallOptions) => Effect.Effect<Tolerant<CreditsResponse>, CallError>
    readonly listAudios: (
      options?: CallOptions,
    ) => Effect.Effect<Tolerant<AudioListResponse>, CallError>
    readonly renameAudio: (
      input: RenameAudioInput,
      options?: CallOptions,
    ) => Effect.Effect<Tolerant<RenameAudioResponse>, SendError>
    readonly cancelCampaign: (
      input: CancelCampaignInput,
      options?: CallOptions,
    ) => Effect.Effect<Tolerant<CancelCampaignResponse>, SendError>
    /** Sends an already validated voice SMS (bulk chunks use this). */
    readonly sendTtsRequest: (
      request: TtsSendRequest,
      options?: CallOptions,
    ) => Effect.Effect<Tolerant<TtsSendResponse>, CallError>
    /** Sends an already validated voicemail drop. */
    readonly sendCampaignRequest: (
      request: CampaignSendRequest,
      options?: CallOptions,
    ) => Effect.Effect<Tolerant<CampaignSendResponse>, CallError>
    /**
     * The raw call under the same limiter, retry and redaction, answering the upstream's
     * status and JSON untouched (the gateway passes them through).
     */
    readonly execute: (call: UpstreamCall) => Effect.Effect<UpstreamAnswer, CallError>
  }
> = Context.Service<VoicePartnerClient, VoicePartnerClient["Service"]>()(
  "@voicepartner/core/VoicePartnerClient",
)

/**
 * The Voice Partner API as an Effect service. Every method validates its input before
 * any IO, reserves a rate-limit slot, and retries only what is safe (see `RetryPolicy`).
 * It needs a {@link RateLimiter}: `RateLimiter.memory()` in a process, the gateway's
 * Durable Object across Workers isolates.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import * as Redacted from "effect/Redacted"
 * import { RateLimiter, VoicePartnerClient } from "@voicepartner/core"
 * declare const apiKey: string
 *
 * const program = Effect.gen(function* () {
 *   const voice = yield* VoicePartnerClient
 *   const sent = yield* voice.sendTts({ phoneNumbers: "0612345678", text: "Bonjour" })
 *   yield* Effect.log(`campaign ${sent.campaignId} cost ${sent.cost} ${sent.currency}`)
 * })
 * program.pipe(
 *   Effect.provide(VoicePartnerClient.layer({ apiKey: Redacted.make(apiKey), baseUrl: "http://127.0.0.1:8788/v1" })),
 *   Effect.provide(RateLimiter.memory()),
 *   Effect.runPromise,
 * )
 * ```
 */
export class VoicePartnerClient extends VoicePartnerClientBase {
  /**
   * A client from explicit options.
   *
   * @example
   * ```ts
   * import * as Redacted from "effect/Redacted"
   * import { VoicePartnerClient } from "@voicepartner/core"
   * declare const apiKey: string
   *
   * const layer = VoicePartnerClient.layer({
   *   apiKey: Redacted.make(apiKey),
   *   baseUrl: "http://127.0.0.1:8788/v1",
   * })
   * ```
   */
  static layer(
    options: VoicePartnerClientOptions,
  ): Layer.Layer<VoicePartnerClient, never, RateLimiter> {
    return Layer.effect(VoicePartnerClient, makeVoicePartnerClient(options))
  }
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
export const makeVoicePartnerClient = (
  options: VoicePartnerClientOptions,
): Effect.Effect<VoicePartnerClient["Service"], never, RateLimiter> =>
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
    // One path for every operation: validate (warnings logged), build the call, decode.
    const call = <Req, S extends Schema.Decoder<unknown>>(
      op: Operation<unknown, Req, S>,
      request: Req,
      perCall: CallOptions | undefined,
    ): Effect.Effect<Tolerant<S["Type"]>, CallError> =>
      Effect.flatMap(execute(transport, op.toCall(request, perCall)), (answer) =>
        decodeAnswer(
          op.endpoint,
          answer,
          (json) => decodeTolerant(op.success, json),
          options.apiKey,
        ),
      )
    const perform = <In, Req, S extends Schema.Decoder<unknown>>(
      op: Operation<In, Req, S>,
      input: In | undefined,
      perCall: CallOptions | undefined,
    ): Effect.Effect<Tolerant<S["Type"]>, SendError> =>
      Clock.currentTimeMillis.pipe(
        Effect.flatMap((now) => validated(op.validate(input, { now }))),
        Effect.flatMap((request) => call(op as Operation<unknown, Req, S>, request, perCall)),
      )
    return VoicePartnerClient.of({
      sendTtsRequest: (request, perCall) => call(TtsSend, request, perCall),
      sendCampaignRequest: (request, perCall) => call(CampaignSend, request, perCall),
      sendTts: Effect.fn("VoicePartnerClient.sendTts")(function* (input, perCall) {
        return yield* perform(TtsSend, input, perCall)
      }),
      sendCampaign: Effect.fn("VoicePartnerClient.sendCampaign")(function* (input, perCall) {
        return yield* perform(CampaignSend, input, perCall)
      }),
      // Nothing to validate: straight to the call.
      credits: Effect.fn("VoicePartnerClient.credits")(function* (perCall) {
        return yield* call(Credits, undefined, perCall)
      }),
      listAudios: Effect.fn("VoicePartnerClient.listAudios")(function* (perCall) {
        return yield* call(Audios, undefined, perCall)
      }),
      renameAudio: Effect.fn("VoicePartnerClient.renameAudio")(function* (input, perCall) {
        return yield* perform(RenameAudio, input, perCall)
      }),
      cancelCampaign: Effect.fn("VoicePartnerClient.cancelCampaign")(function* (input, perCall) {
        return yield* perform(CancelCampaign, input, perCall)
      }),
      execute: (call) => execute(transport, call),
    })
  })
