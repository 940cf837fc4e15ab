import { type Endpoint, Endpoints } from "@voicepartner/core/model/Endpoint"
import * as Redacted from "effect/Redacted"
import { allowKey, type OutboundAllowList } from "../security/outboundAllowList.js"
import { checkOutboundUrl } from "../security/outboundUrl.js"

/**
 * What a client may do: an upstream operation, `campaigns` (read its own sends), or
 * `broadcasts` (create, read and control its own broadcasts).
 */
export type Operation = Endpoint | "campaigns" | "broadcasts"

/** One application allowed through the gateway. */
export interface ClientConfig {
  readonly id: string
  readonly name: string
  /** Hex SHA-256 of the client's token: the token itself is never stored. */
  readonly tokenSha256: Uint8Array
  readonly operations: ReadonlySet<Operation>
  /**
   * Where delivery events go when a send gave no `notifyUrl` of its own: canonical, and
   * through the outbound policy.
   */
  readonly webhookUrl: string | undefined
  /** Standard Webhooks secret (`whsec_…`) that signs forwarded events. */
  readonly webhookSecret: Redacted.Redacted<string> | undefined
  /**
   * Browser origins whose pages may call the gateway with this client's token (CORS, see
   * `src/http/cors.ts`): exact serialized origins (`https://app.example.com`, as a browser
   * sends `Origin`), https, or plain http for a `host:port` of `OUTBOUND_HTTP_ALLOW`.
   * Empty (the default): no browser may use the token.
   */
  readonly allowedOrigins: ReadonlySet<string>
}

/** Most origins one client may list. */
const MAX_ORIGINS = 50

/**
 * An entry of `allowedOrigins`: the exact origin a browser sends (scheme, host and port
 * only, lower case, no default port, no trailing slash); https, or http on the allow-list
 * (as for outbound URLs). The reason never quotes the value.
 */
const checkOrigin = (
  value: unknown,
  allow: OutboundAllowList,
):
  | { readonly ok: true; readonly origin: string }
  | { readonly ok: false; readonly reason: string } => {
  const exact = {
    ok: false as const,
    reason:
      "must be an exact origin such as https://app.example.com (scheme, host and port only, as a browser sends it)",
  }
  if (typeof value !== "string") return exact
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return exact
  }
  if (url.origin !== value) return exact
  if (url.protocol === "https:") return { ok: true, origin: value }
  if (url.protocol === "http:" && allow.has(allowKey(url))) return { ok: true, origin: value }
  return {
    ok: false,
    reason: "must use https (plain http only for a host:port listed in OUTBOUND_HTTP_ALLOW)",
  }
}

const allOperations: ReadonlyArray<Operation> = [...Endpoints, "campaigns", "broadcasts"]

const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const hexBytes = (hex: string): Uint8Array => {
  const bytes = new Uint8Array(hex.length / 2)
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16)
  return bytes
}

/**
 * Parses the `CLIENTS` secret: a JSON array of
 * `{ id, name?, tokenSha256, operations?, webhookUrl?, webhookSecret?, allowedOrigins? }`;
 * each `webhookUrl` must pass the outbound policy (`allow`: `OUTBOUND_HTTP_ALLOW`), each
 * of `allowedOrigins` be an exact https origin (http only on the same allow-list). Problems
 * are reported by path and never quote a value (the list holds secrets).
 *
 * @example
 * ```ts
 * parseClients('[{"id":"dev","tokenSha256":"…64 hex…","operations":["*"]}]', new Set())
 * ```
 */
export const parseClients = (
  json: string,
  allow: OutboundAllowList,
):
  | { readonly ok: true; readonly value: ReadonlyArray<ClientConfig> }
  | { readonly ok: false; readonly reason: string } => {
  let raw: unknown
  try {
    raw = JSON.parse(json)
  } catch {
    return { ok: false, reason: "CLIENTS is not valid JSON" }
  }
  if (!Array.isArray(raw)) return { ok: false, reason: "CLIENTS must be a JSON array of clients" }
  const clients: Array<ClientConfig> = []
  const ids = new Set<string>()
  for (const [index, entry] of raw.entries()) {
    const at = `CLIENTS[${index}]`
    if (!isRecord(entry)) return { ok: false, reason: `${at} must be an object` }
    const { id, name, tokenSha256, operations, webhookUrl, webhookSecret, allowedOrigins } = entry
    if (typeof id !== "string" || !/^[A-Za-z0-9_-]{1,64}$/.test(id))
      return { ok: false, reason: `${at}.id must be 1-64 letters, digits, _ or -` }
    if (ids.has(id)) return { ok: false, reason: `${at}.id repeats an earlier client's id` }
    ids.add(id)
    if (typeof tokenSha256 !== "string" || !/^[0-9a-f]{64}$/i.test(tokenSha256))
      return {
        ok: false,
        reason: `${at}.tokenSha256 must be 64 hex digits (the SHA-256 of the token)`,
      }
    const ops = operations ?? ["*"]
    if (!Array.isArray(ops) || ops.some((o) => o !== "*" && !allOperations.includes(o)))
      return {
        ok: false,
        reason: `${at}.operations must list "*" or any of ${allOperations.join(", ")}`,
      }
    if (webhookUrl !== undefined && typeof webhookUrl !== "string")
      return { ok: false, reason: `${at}.webhookUrl must be a URL (a string)` }
    const webhook = webhookUrl === undefined ? undefined : checkOutboundUrl(webhookUrl, allow)
    if (webhook?.ok === false) return { ok: false, reason: `${at}.webhookUrl ${webhook.reason}` }
    if (
      webhookSecret !== undefined &&
      (typeof webhookSecret !== "string" || !/^whsec_[A-Za-z0-9+/=]{20,}$/.test(webhookSecret))
    )
      return { ok: false, reason: `${at}.webhookSecret must be whsec_ followed by base64` }
    if (webhookUrl !== undefined && webhookSecret === undefined)
      return { ok: false, reason: `${at}.webhookSecret is required with a webhookUrl` }
    const origins = allowedOrigins ?? []
    if (!Array.isArray(origins) || origins.length > MAX_ORIGINS)
      return {
        ok: false,
        reason: `${at}.allowedOrigins must be a list of at most ${MAX_ORIGINS} origins`,
      }
    const allowed = new Set<string>()
    for (const [i, origin] of origins.entries()) {
      const checked = checkOrigin(origin, allow)
      if (!checked.ok) return { ok: false, reason: `${at}.allowedOrigins[${i}] ${checked.reason}` }
      allowed.add(checked.origin)
    }
    clients.push({
      id,
      name: typeof name === "string" ? name : id,
      tokenSha256: hexBytes(tokenSha256.toLowerCase()),
      operations: new Set(ops.includes("*") ? allOperations : (ops as Array<Operation>)),
      webhookUrl: webhook?.url,
      webhookSecret: webhookSecret === undefined ? undefined : Redacted.make(webhookSecret),
      allowedOrigins: allowed,
    })
  }
  return { ok: true, value: clients }
}
