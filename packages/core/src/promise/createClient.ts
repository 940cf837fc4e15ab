import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import type { BulkEvent } from "../bulk/BulkEvent.js"
import type { BulkSummary } from "../bulk/BulkSummary.js"
import { type BulkOptions, sendCampaignBulk, sendTtsBulk } from "../bulk/sendBulk.js"
import {
  type CallOptions,
  VoicePartnerClient,
  type VoicePartnerClientOptions,
} from "../client/VoicePartnerClient.js"
import type { CampaignSendInput } from "../model/CampaignSendRequest.js"
import type { CancelCampaignInput } from "../model/CancelCampaignRequest.js"
import type { RenameAudioInput } from "../model/RenameAudioRequest.js"
import type {
  AudioListResponse,
  CampaignSendResponse,
  CancelCampaignResponse,
  CreditsResponse,
  RenameAudioResponse,
  Tolerant,
  TtsSendResponse,
} from "../model/responses.js"
import type { TtsSendInput } from "../model/TtsSendRequest.js"
import { RateLimiter } from "../ratelimit/RateLimiter.js"
import type { RateLimitPolicy } from "../ratelimit/RateLimitPolicy.js"

/** Options of {@link createClient}: those of the Effect client, with a plain-string key. */
export interface CreateClientOptions extends Omit<VoicePartnerClientOptions, "apiKey"> {
  /** Your Voice Partner API key (kept redacted inside the client). */
  readonly apiKey: string
  /** Rate-limit windows per endpoint; defaults to Voice Partner's documented limits. */
  readonly policy?: RateLimitPolicy | undefined
}

/**
 * Options of one call of the Promise client.
 *
 * @example
 * ```ts
 * const options: PromiseCallOptions = { idempotencyKey: "order-42", signal: AbortSignal.timeout(60_000), timeout: 10_000 }
 * ```
 */
export interface PromiseCallOptions {
  /**
   * Sent as `Idempotency-Key`: through the gateway, the same key and request within 24 h
   * answer the first send's result instead of sending again (Voice Partner ignores it).
   */
  readonly idempotencyKey?: string | undefined
  /**
   * Abort to give up: a call still waiting for its rate-limit slot is dropped (nothing
   * sent); a request already on the wire is completed first, so that its outcome is known.
   */
  readonly signal?: AbortSignal | undefined
  /** Milliseconds each attempt may take, instead of the client's `timeoutMs`. */
  readonly timeout?: number | undefined
}

/** Options of the bulk methods of the Promise client. */
export interface PromiseBulkOptions {
  readonly onProgress?: ((event: BulkEvent) => void) | undefined
  /** Abort to stop before the next request (the one in flight completes). */
  readonly signal?: AbortSignal | undefined
  readonly chunkSize?: number | undefined
  /** Each request's `Idempotency-Key`, from its chunk (see `BulkOptions.idempotencyKey`). */
  readonly idempotencyKey?: BulkOptions["idempotencyKey"]
}

/**
 * The Voice Partner API for code that does not use Effect. Every method validates before
 * any IO and shares one rate limiter per client. Failures reject with the typed errors
 * (`ValidationError`, `VoicePartnerApiError`, `TransportError`, `DecodeError`,
 * `RateLimitedError`): test `error._tag`.
 */
export interface VoicePartnerPromiseClient {
  sendTts(input: TtsSendInput, options?: PromiseCallOptions): Promise<Tolerant<TtsSendResponse>>
  sendCampaign(
    input: CampaignSendInput,
    options?: PromiseCallOptions,
  ): Promise<Tolerant<CampaignSendResponse>>
  credits(options?: PromiseCallOptions): Promise<Tolerant<CreditsResponse>>
  listAudios(options?: PromiseCallOptions): Promise<Tolerant<AudioListResponse>>
  renameAudio(
    input: RenameAudioInput,
    options?: PromiseCallOptions,
  ): Promise<Tolerant<RenameAudioResponse>>
  cancelCampaign(
    input: CancelCampaignInput,
    options?: PromiseCallOptions,
  ): Promise<Tolerant<CancelCampaignResponse>>
  sendTtsBulk(input: TtsSendInput, options?: PromiseBulkOptions): Promise<BulkSummary>
  sendCampaignBulk(input: CampaignSendInput, options?: PromiseBulkOptions): Promise<BulkSummary>
  /** Releases the client's resources. */
  close(): Promise<void>
}

/**
 * Creates a Promise-based client.
 *
 * @example
 * ```ts
 * import { createClient, ValidationError } from "@voicepartner/core"
 *
 * declare const apiKey: string // yours, or the local emulator's (see its README)
 * const voice = createClient({ apiKey, baseUrl: "http://127.0.0.1:8788/v1" })
 * try {
 *   const sent = await voice.sendTts({ phoneNumbers: "06 12 34 56 78", text: "Bonjour" })
 *   console.log(sent.campaignId)
 * } catch (error) {
 *   if (error instanceof ValidationError) console.error(error.message) // names the field
 * } finally {
 *   await voice.close()
 * }
 * ```
 */
export const createClient = (options: CreateClientOptions): VoicePartnerPromiseClient => {
  const { apiKey, policy, ...rest } = options
  const layer = VoicePartnerClient.layer({ ...rest, apiKey: Redacted.make(apiKey) }).pipe(
    Layer.provideMerge(RateLimiter.memory(policy)),
  )
  const runtime = ManagedRuntime.make(layer)
  const use = <A, E>(
    f: (client: VoicePartnerClient["Service"], perCall: CallOptions) => Effect.Effect<A, E>,
    options: PromiseCallOptions | undefined,
  ): Promise<A> =>
    runtime.runPromise(
      Effect.flatMap(VoicePartnerClient, (client) =>
        f(client, { idempotencyKey: options?.idempotencyKey, timeoutMs: options?.timeout }),
      ),
      { signal: options?.signal },
    )
  const bulkOptions = (o: PromiseBulkOptions | undefined) => ({
    signal: o?.signal,
    chunkSize: o?.chunkSize,
    idempotencyKey: o?.idempotencyKey,
    policy,
    onProgress:
      o?.onProgress === undefined
        ? undefined
        : (e: BulkEvent) => Effect.sync(() => o.onProgress?.(e)),
  })
  return {
    sendTts: (input, o) => use((c, perCall) => c.sendTts(input, perCall), o),
    sendCampaign: (input, o) => use((c, perCall) => c.sendCampaign(input, perCall), o),
    credits: (o) => use((c, perCall) => c.credits(perCall), o),
    listAudios: (o) => use((c, perCall) => c.listAudios(perCall), o),
    renameAudio: (input, o) => use((c, perCall) => c.renameAudio(input, perCall), o),
    cancelCampaign: (input, o) => use((c, perCall) => c.cancelCampaign(input, perCall), o),
    sendTtsBulk: (input, o) => runtime.runPromise(sendTtsBulk(input, bulkOptions(o))),
    sendCampaignBulk: (input, o) => runtime.runPromise(sendCampaignBulk(input, bulkOptions(o))),
    close: () => runtime.dispose(),
  }
}
