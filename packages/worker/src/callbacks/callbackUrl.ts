import * as Redacted from "effect/Redacted"

/** What a callback URL vouches for: whose send it is, until when, and where to forward. */
export interface CallbackClaims {
  readonly clientId: string
  readonly sendId: string
  /** Unix seconds after which the URL is refused. */
  readonly expiresAt: number
  /** The send's own `notifyUrl`; absent: the client's configured webhook. */
  readonly forwardTo: string | undefined
  /**
   * Forward to `forwardTo` as Voice Partner sends its callbacks (a drop-in send), not in
   * the gateway's envelope. Only with a `forwardTo`.
   */
  readonly providerFormat?: boolean | undefined
}

/**
 * The prefix of a forwarding segment in the provider's format: `.` is outside base64url,
 * so a segment minted before this existed (`-` or base64url) still reads as it did, and
 * the format is covered by the HMAC like the URL.
 */
const PROVIDER_FORMAT = "vp."

const encoder = new TextEncoder()

const base64url = (bytes: Uint8Array): string => {
  let binary = ""
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")
}

const fromBase64url = (text: string): Uint8Array<ArrayBuffer> | undefined => {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return undefined
  let binary: string
  try {
    binary = atob(
      text
        .replace(/-/g, "+")
        .replace(/_/g, "/")
        .padEnd(Math.ceil(text.length / 4) * 4, "="),
    )
  } catch {
    return undefined // a length no base64 text has
  }
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}

const keys = new Map<string, Promise<CryptoKey>>()
const hmacKey = (secret: Redacted.Redacted<string>): Promise<CryptoKey> => {
  const value = Redacted.value(secret)
  let key = keys.get(value)
  if (key === undefined) {
    key = crypto.subtle.importKey(
      "raw",
      encoder.encode(value),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign", "verify"],
    )
    keys.set(value, key)
  }
  return key
}

const signedText = (clientId: string, sendId: string, expiresAt: string, to: string) =>
  encoder.encode(`voicepartner-callback/v1\n${clientId}\n${sendId}\n${expiresAt}\n${to}`)

/**
 * The path Voice Partner is given as `notifyUrl`:
 * `/callbacks/{client}/{send}/{expiry}/{forward}/{hmac}`, `{forward}` being `-` (the
 * client's webhook) or the send's `notifyUrl` in base64url, prefixed with `vp.` when the
 * events go there in the provider's format. The provider does not sign
 * its callbacks, so the URL itself is the credential: HMAC-SHA256 over every other
 * segment with `CALLBACK_SIGNING_KEY`.
 *
 * @example
 * ```ts
 * import * as Redacted from "effect/Redacted"
 *
 * const key = Redacted.make("a-long-random-secret") // CALLBACK_SIGNING_KEY
 * const sendId = crypto.randomUUID()
 * const expiresAt = Math.floor(Date.now() / 1000) + 86_400
 * const path = await mintCallbackPath({ clientId: "dev", sendId, expiresAt, forwardTo: undefined }, key)
 * // `/callbacks/dev/${sendId}/${expiresAt}/-/${hmac}` (`-`: the client's webhook)
 * ```
 */
export const mintCallbackPath = async (
  claims: CallbackClaims,
  key: Redacted.Redacted<string>,
): Promise<string> => {
  const to =
    claims.forwardTo === undefined
      ? "-"
      : `${claims.providerFormat === true ? PROVIDER_FORMAT : ""}${base64url(encoder.encode(claims.forwardTo))}`
  const expiresAt = String(claims.expiresAt)
  const mac = await crypto.subtle.sign(
    "HMAC",
    await hmacKey(key),
    signedText(claims.clientId, claims.sendId, expiresAt, to),
  )
  return `/callbacks/${claims.clientId}/${claims.sendId}/${expiresAt}/${to}/${base64url(new Uint8Array(mac))}`
}

/**
 * Checks a callback path's segments: the claims when the HMAC matches (constant-time,
 * through WebCrypto) and the URL has not expired, otherwise `undefined`.
 *
 * @example
 * ```ts
 * import type { Context } from "hono"
 * import type { GatewayEnv } from "../http/GatewayEnv.js"
 *
 * type CallbackPath = "/callbacks/:clientId/:sendId/:expiresAt/:to/:signature"
 * async function receive(c: Context<GatewayEnv, CallbackPath>) {
 *   const claims = await verifyCallbackPath(c.req.param(), c.get("config").callbackKey, Date.now())
 *   if (claims === undefined) return c.json({ success: false }, 401)
 *   return c.json({ success: true, sendId: claims.sendId })
 * }
 * ```
 */
export const verifyCallbackPath = async (
  segments: {
    readonly clientId: string
    readonly sendId: string
    readonly expiresAt: string
    readonly to: string
    readonly signature: string
  },
  key: Redacted.Redacted<string>,
  now: number,
): Promise<CallbackClaims | undefined> => {
  const mac = fromBase64url(segments.signature)
  if (mac === undefined || !/^\d{1,12}$/.test(segments.expiresAt)) return undefined
  const valid = await crypto.subtle.verify(
    "HMAC",
    await hmacKey(key),
    mac,
    signedText(segments.clientId, segments.sendId, segments.expiresAt, segments.to),
  )
  if (!valid || Number(segments.expiresAt) * 1000 < now) return undefined
  const providerFormat = segments.to.startsWith(PROVIDER_FORMAT)
  const forward =
    segments.to === "-"
      ? undefined
      : fromBase64url(providerFormat ? segments.to.slice(PROVIDER_FORMAT.length) : segments.to)
  return {
    clientId: segments.clientId,
    sendId: segments.sendId,
    expiresAt: Number(segments.expiresAt),
    forwardTo: forward === undefined ? undefined : new TextDecoder().decode(forward),
    ...(providerFormat && forward !== undefined && { providerFormat: true }),
  }
}
