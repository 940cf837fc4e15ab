import { DecodeError } from "../../errors/DecodeError.js"
import { type ApiErrorReason, VoicePartnerApiError } from "../../errors/VoicePartnerApiError.js"
import type { Endpoint } from "../../model/Endpoint.js"
import { decodeTolerant, UpstreamErrorBody } from "../../model/responses.js"

const codeReasons: Readonly<Record<string, ApiErrorReason>> = {
  "1": "Unauthorized",
  "10": "Unauthorized",
  "11": "InsufficientCredit",
  NOT_CREDIT: "InsufficientCredit",
  "96": "IpNotAllowed",
  "404": "NotFound",
  AUDIO_FILE_NOT_FOUND: "NotFound",
  SENDER_NOT_AUTHORIZED: "SenderNotAuthorized",
  // The gateway's own codes, for a client that talks to it.
  UNAUTHORIZED: "Unauthorized",
  FORBIDDEN: "Unauthorized",
  NOT_FOUND: "NotFound",
  RATE_LIMITED: "RateLimited",
  GATEWAY_UNAVAILABLE: "ServiceUnavailable",
  UPSTREAM_UNREACHABLE: "ServiceUnavailable",
  UPSTREAM_TIMEOUT: "ServerError",
  UPSTREAM_OUTCOME_UNKNOWN: "ServerError",
  "90": "InvalidRequest",
}

const statusReason = (status: number): ApiErrorReason => {
  if (status === 401 || status === 403) return "Unauthorized"
  if (status === 402) return "InsufficientCredit"
  if (status === 404) return "NotFound"
  if (status === 429) return "RateLimited"
  if (status === 503) return "ServiceUnavailable"
  if (status >= 500) return "ServerError"
  if (status >= 400) return "InvalidRequest"
  return "Unknown"
}

/**
 * Turns an upstream answer into success or a typed error. Any non-2xx, or a 2xx whose
 * body says `success: false`, is an error; the reason comes from the upstream code when
 * it has one, else from the HTTP status.
 *
 * @example
 * ```ts
 * const options = { retryAfterMs: undefined, textOnFailure: "", sanitize: (text: string) => text }
 * classifyAnswer("me", 401, { success: false, code: 10, message: "Wrong key" }, options)
 * // VoicePartnerApiError { reason: "Unauthorized", code: 10, detail: "Wrong key", … }
 * ```
 */
export const classifyAnswer = (
  endpoint: Endpoint,
  status: number,
  json: unknown,
  options: {
    readonly retryAfterMs: number | undefined
    readonly textOnFailure: string
    /** Strips secrets from any text the upstream sent (it may echo the key). */
    readonly sanitize: (text: string) => string
  },
): VoicePartnerApiError | DecodeError | undefined => {
  const ok = status >= 200 && status < 300
  const saysFailure =
    typeof json === "object" && json !== null && (json as { success?: unknown }).success === false
  if (ok && json === undefined) {
    return new DecodeError({
      reason: "NotJson",
      endpoint,
      status,
      detail: options.sanitize(options.textOnFailure),
    })
  }
  if (ok && !saysFailure) return undefined
  const body = decodeTolerant(UpstreamErrorBody, json ?? {})
  const parsed = body._tag === "Success" ? body.success : {}
  // The gateway answers `{ success: false, error: { code, message } }`: read it like the
  // vendor's own shapes, so that a client talking to the gateway gets the same reasons.
  const nested =
    typeof parsed.error === "object" && parsed.error !== null
      ? (parsed.error as { code?: unknown; message?: unknown })
      : undefined
  const nestedCode =
    typeof nested?.code === "string" || typeof nested?.code === "number" ? nested.code : undefined
  const code =
    "code" in parsed && parsed.code !== undefined ? (parsed.code as string | number) : nestedCode
  const messages = [
    typeof parsed.message === "string" ? parsed.message : undefined,
    typeof parsed.error === "string" ? parsed.error : undefined,
    typeof nested?.message === "string" ? nested.message : undefined,
    ...(Array.isArray(parsed.errors)
      ? parsed.errors.map((e: { elementId?: string; message?: string }) =>
          [e.elementId, e.message].filter((x) => x !== undefined).join(": "),
        )
      : []),
  ].filter((m): m is string => m !== undefined && m.length > 0)
  const reason: ApiErrorReason =
    (code !== undefined ? codeReasons[String(code)] : undefined) ??
    (code !== undefined && typeof code === "string" && status < 500 && status !== 429
      ? "InvalidRequest"
      : statusReason(status === 200 ? 400 : status))
  return new VoicePartnerApiError({
    reason,
    endpoint,
    status,
    ...(code !== undefined && { code: typeof code === "string" ? options.sanitize(code) : code }),
    detail: options.sanitize(messages.length > 0 ? messages.join("; ") : options.textOnFailure),
    ...(options.retryAfterMs !== undefined && { retryAfterMs: options.retryAfterMs }),
  })
}
