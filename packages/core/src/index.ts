/**
 * `@voicepartner/core`: the Voice Partner API for TypeScript. The root entry gathers the
 * public API; each module is also reachable on its own deep path
 * (`@voicepartner/core/phone/parsePhoneNumber`, …) for the smallest bundles.
 *
 * @example
 * ```ts
 * import { createClient } from "@voicepartner/core"
 * declare const apiKey: string // yours, or the local emulator's
 * const voice = createClient({ apiKey, baseUrl: "http://127.0.0.1:8788/v1" })
 * await voice.sendTts({ phoneNumbers: "0612345678", text: "Bonjour" })
 * ```
 */
export type { BulkEvent, BulkProgress } from "./bulk/BulkEvent.js"
export type { BulkSummary, FailedChunk, SentChunk } from "./bulk/BulkSummary.js"
export { runBulkPlan } from "./bulk/runPlan.js"
export {
  type BulkOptions,
  MAX_NUMBERS_PER_REQUEST,
  sendCampaignBulk,
  sendTtsBulk,
} from "./bulk/sendBulk.js"
export { layerFromConfig } from "./client/layerFromConfig.js"
export {
  DEFAULT_BASE_URL,
  makeVoicePartnerClient,
  type SendError,
  VoicePartnerClient,
  type VoicePartnerClientOptions,
} from "./client/VoicePartnerClient.js"
export { CsvError, type CsvErrorReason } from "./csv/CsvError.js"
export { type ByteSource, bytesOf, type TextEncoding } from "./csv/decode.js"
export {
  type CsvInput,
  collectPhoneCsv,
  type PhoneCsvSource,
  type ReadPhoneCsvOptions,
  readPhoneCsv,
} from "./csv/readCsv.js"
export { DecodeError } from "./errors/DecodeError.js"
export { nothingWasSent, willNotImprove } from "./errors/failureOutcome.js"
export { RateLimitedError } from "./errors/RateLimitedError.js"
export { RateLimiterUnavailable } from "./errors/RateLimiterUnavailable.js"
export { TransportError } from "./errors/TransportError.js"
export { ValidationError, ValidationIssue } from "./errors/ValidationError.js"
export { ApiErrorReason, VoicePartnerApiError } from "./errors/VoicePartnerApiError.js"
export type { VoicePartnerError } from "./errors/VoicePartnerError.js"
export {
  type CampaignSendInput,
  CampaignSendRequest,
  encodeCampaignSend,
  validateCampaignSend,
} from "./model/CampaignSendRequest.js"
export {
  type CancelCampaignInput,
  CancelCampaignRequest,
  validateCancelCampaign,
} from "./model/CancelCampaignRequest.js"
export { type Endpoint, Endpoints, isRead, isSend } from "./model/Endpoint.js"
export type { OnInvalidRecipients } from "./model/fieldChecks.js"
export {
  type RenameAudioInput,
  RenameAudioRequest,
  validateRenameAudio,
} from "./model/RenameAudioRequest.js"
export * from "./model/responses.js"
export {
  encodeTtsSend,
  type TtsSendInput,
  TtsSendRequest,
  validateTtsSend,
} from "./model/TtsSendRequest.js"
export { type Validated, type ValidateOptions, ValidationWarning } from "./model/Validated.js"
export { CampaignSend } from "./operations/CampaignSend.js"
export { CancelCampaign } from "./operations/CancelCampaign.js"
export type { CallOverrides, Operation } from "./operations/Operation.js"
export { Audios, Credits } from "./operations/Reads.js"
export { RenameAudio } from "./operations/RenameAudio.js"
export { TtsSend } from "./operations/TtsSend.js"
export {
  type DuplicateRecipient,
  type InvalidRecipient,
  normalizeRecipients,
  type RecipientList,
  type RecipientWarning,
  splitRecipients,
} from "./phone/normalizeRecipients.js"
export { PhoneKind, PhoneNumber, type PhoneParseResult } from "./phone/PhoneNumber.js"
export { parsePhoneNumber } from "./phone/parsePhoneNumber.js"
export {
  type BulkMessage,
  type BulkPlan,
  type PlanOptions,
  planBulk,
} from "./plan/BulkPlan.js"
export { CURRENCY, PRICES, type Price, type PriceTable } from "./plan/prices.js"
export {
  collectRecipients,
  RecipientCollector,
  type RecipientCounts,
  type Recipients,
} from "./plan/RecipientCollector.js"
export {
  type CreateClientOptions,
  createClient,
  type PromiseBulkOptions,
  type VoicePartnerPromiseClient,
} from "./promise/createClient.js"
export {
  makeMemoryRateLimiter,
  nextSlotAt,
  RateLimiter,
  type RateLimitSnapshot,
  type Reservation,
  waitForReservation,
} from "./ratelimit/RateLimiter.js"
export {
  defaultPolicy,
  type RateLimitPolicy,
  type RateLimitWindow,
} from "./ratelimit/RateLimitPolicy.js"
export type { WindowState } from "./ratelimit/slidingLog.js"
export {
  defaultRetryPolicy,
  isRetryable,
  type RetryableFailure,
  type RetryPolicy,
} from "./retry/RetryPolicy.js"
export {
  parseScheduledDate,
  type ScheduledDate,
  type ScheduledDateInput,
} from "./schedule/scheduledDate.js"
export { pause, pauseSeconds } from "./text/pause.js"
export {
  type CallError,
  execute,
  type TransportOptions,
  type UpstreamAnswer,
  type UpstreamCall,
} from "./transport.js"
export {
  generateWebhookSecret,
  type HeaderSource,
  signWebhook,
  verifyWebhook,
  type WebhookHeaders,
} from "./webhooks/standardWebhooks.js"
export { WebhookVerificationError } from "./webhooks/WebhookVerificationError.js"
