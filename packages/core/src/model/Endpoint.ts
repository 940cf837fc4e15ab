/**
 * The upstream Voice Partner endpoints, named once so that models, rate-limit policies,
 * retry rules, the gateway and the emulator all speak of the same thing.
 *
 * @example
 * ```ts
 * import { Endpoint, isSend } from "@voicepartner/core/model/Endpoint"
 * isSend("campaign/send") // true
 * ```
 */
export const Endpoints = [
  "tts/send",
  "campaign/send",
  "me",
  "audios",
  "audio-file/rename",
  "campaign/cancel",
] as const

/** One upstream endpoint, named after its path under `/v1`. */
export type Endpoint = (typeof Endpoints)[number]

/** Endpoints whose request may cause messages to go out: never retried blindly. */
export const isSend = (endpoint: Endpoint): boolean =>
  endpoint === "tts/send" || endpoint === "campaign/send"

/** Endpoints that only read state: safe to retry on any transient failure. */
export const isRead = (endpoint: Endpoint): boolean => endpoint === "me" || endpoint === "audios"
