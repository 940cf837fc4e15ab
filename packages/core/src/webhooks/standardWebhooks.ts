import { WebhookVerificationError } from "./WebhookVerificationError.js"

/** The three headers of a Standard Webhooks message (https://www.standardwebhooks.com). */
export type WebhookHeaders = {
  readonly "webhook-id": string
  readonly "webhook-timestamp": string
  readonly "webhook-signature": string
}

/** Received headers: a `Headers`, or a plain record such as Node's `IncomingHttpHeaders`. */
export type HeaderSource =
  | Headers
  | { readonly [name: string]: string | ReadonlyArray<string> | undefined }

const SECRET_PREFIX = "whsec_"
const encoder = new TextEncoder()

const fromBase64 = (text: string): Uint8Array<ArrayBuffer> => {
  const binary = atob(text)
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}

const toBase64 = (bytes: Uint8Array): string => {
  let binary = ""
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary)
}

const importSecret = async (secret: string, usage: "sign" | "verify"): Promise<CryptoKey> => {
  const body = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret
  let raw: Uint8Array<ArrayBuffer>
  try {
    raw = fromBase64(body)
  } catch {
    throw new WebhookVerificationError({
      reason: "InvalidSecret",
      detail: "the signing secret is not whsec_ followed by base64",
    })
  }
  if (raw.length < 16) {
    throw new WebhookVerificationError({
      reason: "InvalidSecret",
      detail: "the signing secret is shorter than 16 bytes",
    })
  }
  return crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, [usage])
}

const signedContent = (id: string, timestamp: string, payload: string) =>
  encoder.encode(`${id}.${timestamp}.${payload}`)

/**
 * Creates a signing secret in the Standard Webhooks format (`whsec_` + 32 random bytes).
 *
 * @example
 * ```ts
 * const secret = generateWebhookSecret() // "whsec_q3Zk…"
 * ```
 */
export const generateWebhookSecret = (): string =>
  `${SECRET_PREFIX}${toBase64(crypto.getRandomValues(new Uint8Array(32)))}`

/**
 * Signs a payload: the headers to send with it. The gateway signs the events it forwards
 * with this; it is exported so that tests and other senders produce the same format.
 *
 * @example
 * ```ts
 * import { generateWebhookSecret, signWebhook } from "@voicepartner/core"
 *
 * const secret = generateWebhookSecret()
 * const body = JSON.stringify({ type: "tts.status", data: { status: "delivered" } })
 * const timestamp = Math.floor(Date.now() / 1000)
 * const headers = await signWebhook({ secret, id: "evt_1", timestamp, payload: body })
 * await fetch("http://127.0.0.1:3000/webhooks/voice", {
 *   method: "POST",
 *   headers: { ...headers, "content-type": "application/json" },
 *   body,
 * })
 * ```
 */
export const signWebhook = async (options: {
  readonly secret: string
  readonly id: string
  /** Unix time in seconds. */
  readonly timestamp: number
  readonly payload: string
}): Promise<WebhookHeaders> => {
  const key = await importSecret(options.secret, "sign")
  const timestamp = String(Math.floor(options.timestamp))
  const mac = await crypto.subtle.sign(
    "HMAC",
    key,
    signedContent(options.id, timestamp, options.payload),
  )
  return {
    "webhook-id": options.id,
    "webhook-timestamp": timestamp,
    "webhook-signature": `v1,${toBase64(new Uint8Array(mac))}`,
  }
}

const header = (headers: HeaderSource, name: string): string | undefined => {
  if (headers instanceof Headers) return headers.get(name) ?? undefined
  const value = headers[name]
  return typeof value === "string" ? value : value?.join(" ")
}

/**
 * Verifies a webhook forwarded by the gateway (or any Standard Webhooks sender) and
 * returns its parsed JSON body. Rejects with {@link WebhookVerificationError} when a
 * header is missing, the timestamp is more than `toleranceSeconds` (default 300) from
 * now, or no `v1` signature matches. The comparison is constant-time (WebCrypto verify).
 * Pass the body exactly as received: re-serialised JSON would not match.
 *
 * @example
 * ```ts
 * import { verifyWebhook } from "@voicepartner/core"
 *
 * declare const env: { readonly WEBHOOK_SECRET: string }
 * // A fetch handler (Workers, Deno, Bun, Hono's `c.req.raw`): the body is read as text.
 * const onWebhook = async (request: Request): Promise<Response> => {
 *   const event = await verifyWebhook({
 *     secret: env.WEBHOOK_SECRET,
 *     headers: request.headers,
 *     payload: await request.text(),
 *   })
 *   // event.type === "tts.status", event.data.phoneNumber, event.data.status, …
 *   return new Response(null, { status: 204 })
 * }
 * ```
 */
export const verifyWebhook = async (options: {
  readonly secret: string
  readonly headers: HeaderSource
  readonly payload: string
  readonly toleranceSeconds?: number | undefined
  /** Epoch ms; defaults to `Date.now()`. */
  readonly now?: number | undefined
}): Promise<unknown> => {
  const id = header(options.headers, "webhook-id")
  const timestamp = header(options.headers, "webhook-timestamp")
  const signatures = header(options.headers, "webhook-signature")
  if (id === undefined || timestamp === undefined || signatures === undefined) {
    throw new WebhookVerificationError({
      reason: "MissingHeaders",
      detail: "webhook-id, webhook-timestamp and webhook-signature are all required",
    })
  }
  const seconds = /^\d{1,12}$/.test(timestamp) ? Number(timestamp) : Number.NaN
  if (Number.isNaN(seconds)) {
    throw new WebhookVerificationError({
      reason: "InvalidTimestamp",
      detail: "webhook-timestamp is not a Unix time in seconds",
    })
  }
  const tolerance = options.toleranceSeconds ?? 300
  const now = Math.floor((options.now ?? Date.now()) / 1000)
  if (Math.abs(now - seconds) > tolerance) {
    throw new WebhookVerificationError({
      reason: "TimestampOutOfTolerance",
      detail: `webhook-timestamp is more than ${tolerance} s away from now`,
    })
  }
  const key = await importSecret(options.secret, "verify")
  const content = signedContent(id, timestamp, options.payload)
  for (const entry of signatures.split(" ")) {
    const [version, signature] = entry.split(",", 2)
    if (version !== "v1" || signature === undefined) continue
    let mac: Uint8Array<ArrayBuffer>
    try {
      mac = fromBase64(signature)
    } catch {
      continue
    }
    if (await crypto.subtle.verify("HMAC", key, mac, content)) {
      try {
        return JSON.parse(options.payload) as unknown
      } catch {
        throw new WebhookVerificationError({
          reason: "InvalidPayload",
          detail: "the signed payload is not JSON",
        })
      }
    }
  }
  throw new WebhookVerificationError({
    reason: "InvalidSignature",
    detail: "no v1 signature matches the payload",
  })
}
