import type { Endpoint } from "../../model/Endpoint.js"

/**
 * One upstream call, described without the API key: the transport puts the key where
 * that endpoint wants it (URL path for `me`, `audios` and `campaign/cancel`, JSON body
 * for the POSTs), so nothing else ever handles it.
 *
 * @example
 * ```ts
 * const call: UpstreamCall = { endpoint: "tts/send", body: { phoneNumbers: "+33612345678", text: "Bonjour", lang: "fr" } }
 * ```
 */
export interface UpstreamCall {
  readonly endpoint: Endpoint
  /** JSON body of the POSTs, without `apiKey`. */
  readonly body?: Readonly<Record<string, unknown>> | undefined
  /** Path parameter after the key (`campaign/cancel`'s campaign id). */
  readonly pathParam?: string | undefined
  /**
   * Sent as `Idempotency-Key`: the gateway answers a repeated key with the first answer
   * instead of sending again (Voice Partner itself ignores the header).
   */
  readonly idempotencyKey?: string | undefined
  /** This call's timeout per attempt, instead of the client's. */
  readonly timeoutMs?: number | undefined
}

/** What the upstream answered, as it answered it (the gateway passes it through). */
export interface UpstreamAnswer {
  readonly status: number
  readonly headers: Headers
  readonly json: unknown
}

const methods: Readonly<Record<Endpoint, "GET" | "POST" | "DELETE">> = {
  "tts/send": "POST",
  "campaign/send": "POST",
  me: "GET",
  audios: "GET",
  "audio-file/rename": "POST",
  "campaign/cancel": "DELETE",
}

/**
 * Builds the fetch request of a call. The result holds the key: keep it inside the
 * transport and never log it.
 *
 * @example
 * ```ts
 * buildRequest({ endpoint: "me" }, "KEY", "https://api.voicepartner.fr/v1").url // ".../v1/me/KEY"
 * ```
 */
export const buildRequest = (
  call: UpstreamCall,
  apiKey: string,
  baseUrl: string,
): { readonly url: string; readonly init: RequestInit } => {
  const base = baseUrl.replace(/\/+$/, "")
  const key = encodeURIComponent(apiKey)
  const method = methods[call.endpoint]
  const headers: Record<string, string> = { accept: "application/json" }
  if (call.idempotencyKey !== undefined) headers["idempotency-key"] = call.idempotencyKey
  switch (call.endpoint) {
    case "me":
    case "audios":
      return { url: `${base}/${call.endpoint}/${key}`, init: { method, headers } }
    case "campaign/cancel":
      return {
        url: `${base}/campaign/cancel/${key}/${encodeURIComponent(call.pathParam ?? "")}`,
        init: { method, headers },
      }
    default:
      headers["content-type"] = "application/json"
      return {
        url: `${base}/${call.endpoint}`,
        init: { method, headers, body: JSON.stringify({ apiKey, ...call.body }) },
      }
  }
}
