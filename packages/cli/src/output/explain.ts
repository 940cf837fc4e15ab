import type { CallError } from "@voicepartner/core/transport"

/** What the CLI knows about the send that failed, to say what to do. */
export interface FailureContext {
  readonly endpoint: "tts/send" | "campaign/send"
  readonly gateway: boolean
  /** `--audio TOKEN`, if one was given. */
  readonly audio?: string | undefined
  /** `--sender`, if one was given. */
  readonly sender?: string | undefined
}

const code = (error: CallError): string =>
  error._tag === "VoicePartnerApiError" && error.code !== undefined ? ` (${error.code})` : ""

/**
 * A failure in one line. The gateway answers errors in an envelope
 * (`{ success: false, error: { code, message } }`) that core reports as its raw JSON: its
 * code and message are read out of it.
 *
 * @example
 * ```ts
 * import { VoicePartnerApiError } from "@voicepartner/core/errors/VoicePartnerApiError"
 *
 * const dropped = new VoicePartnerApiError({
 *   reason: "ServerError",
 *   endpoint: "tts/send",
 *   status: 502,
 *   detail: '{"success":false,"error":{"code":"UPSTREAM_OUTCOME_UNKNOWN","message":"the connection to Voice Partner dropped"}}',
 * })
 * describeFailure(dropped)
 * // "Voice Partner tts/send failed with HTTP 502 (UPSTREAM_OUTCOME_UNKNOWN): the connection to Voice Partner dropped"
 * ```
 */
export const describeFailure = (error: CallError): string => {
  if (error._tag !== "VoicePartnerApiError" || !error.detail.startsWith("{")) return error.message
  try {
    const body = JSON.parse(error.detail) as { error?: { code?: unknown; message?: unknown } }
    const inner = body.error
    if (typeof inner?.message !== "string") return error.message
    const code = inner.code ?? error.code
    return `Voice Partner ${error.endpoint} failed with HTTP ${error.status}${code === undefined ? "" : ` (${String(code)})`}: ${inner.message}`
  } catch {
    return error.message
  }
}

const named = (what: string, name: string | undefined) =>
  name === undefined ? what : `${what} "${name}"`

/**
 * A failure that will not get better, as one sentence for people: what happened and what
 * to do — instead of the upstream's raw answer (which, through the gateway, is its JSON).
 *
 * @example
 * ```ts
 * import { VoicePartnerApiError } from "@voicepartner/core/errors/VoicePartnerApiError"
 *
 * const noCredit = new VoicePartnerApiError({
 *   reason: "InsufficientCredit",
 *   endpoint: "tts/send",
 *   status: 402,
 *   code: "NOT_CREDIT",
 *   detail: "Insufficient credit",
 * })
 * explainStop(noCredit, { endpoint: "tts/send", gateway: false })
 * // "the Voice Partner account has no credit left for this send (NOT_CREDIT): top up the account, then send the numbers not sent"
 * ```
 */
export const explainStop = (error: CallError, context: FailureContext): string => {
  if (error._tag !== "VoicePartnerApiError") return describeFailure(error)
  switch (error.reason) {
    case "InsufficientCredit":
      return `the Voice Partner account has no credit left for this send${code(error)}: top up the account, then send the numbers not sent`
    case "Unauthorized":
      return context.gateway
        ? `the gateway refused the token${code(error)}: check --token, VOICEPARTNER_TOKEN or the token in the config file`
        : `Voice Partner refused the API key${code(error)} (wrong or revoked): check VOICEPARTNER_API_KEY or the config file's apiKey`
    case "IpNotAllowed":
      return `Voice Partner does not accept this API key from this machine's address${code(error)}: allow the address in the Voice Partner web app, or send from an allowed machine`
    case "SenderNotAuthorized":
      return `${named("the sender", context.sender)} is not authorised on this account${code(error)}: validate it in the Voice Partner web app first, or send without --sender`
    case "NotFound":
      return context.endpoint === "campaign/send"
        ? `${named("the audio file", context.audio)} is unknown to Voice Partner${code(error)}: check the token with \`voicepartner audios list\``
        : describeFailure(error)
    default:
      return describeFailure(error)
  }
}
