import { forbiddenHostKind } from "./forbiddenAddress.js"
import { allowKey, type OutboundAllowList } from "./outboundAllowList.js"

/** Longest URL the gateway fetches: longer ones fail at receivers (414) after a billed send. */
export const MAX_OUTBOUND_URL_LENGTH = 2048

/** The canonical URL to fetch, or why not (never quoting the URL, which may hold secrets). */
export type OutboundUrlCheck =
  | { readonly ok: true; readonly url: string }
  | { readonly ok: false; readonly reason: string }

const refuse = (reason: string): OutboundUrlCheck => ({ ok: false, reason })
const tooLong = refuse(`must be at most ${MAX_OUTBOUND_URL_LENGTH} characters`)

/**
 * The outbound policy, for every URL the gateway fetches on a client's behalf (a send's
 * `notifyUrl`, a client's `webhookUrl`): https only; no user-info; at most 2,048
 * characters; no loopback, private, link-local, CGNAT, unique-local, unspecified,
 * multicast or reserved address, nor `localhost`. The host is checked as the WHATWG URL
 * parser canonicalises it — what `fetch` connects to — so `127.1`, `0x7f.0.0.1`,
 * `2130706433` or `[::ffff:7f00:1]` are all loopback. A `host:port` in `allow` may be
 * reached over plain http and may be local (development receivers, test hosts).
 *
 * @example
 * ```ts
 * checkOutboundUrl("https://Hooks.Example.com/v", new Set()) // { ok: true, url: "https://hooks.example.com/v" }
 * checkOutboundUrl("https://127.1/", new Set()) // { ok: false, reason: "must not point at a loopback address" }
 * ```
 */
export const checkOutboundUrl = (text: string, allow: OutboundAllowList): OutboundUrlCheck => {
  // Before parsing: a huge input costs nothing to refuse.
  if (text.length > MAX_OUTBOUND_URL_LENGTH) return tooLong
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return refuse("must be an absolute https URL")
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return refuse("must use https")
  if (url.username !== "" || url.password !== "")
    return refuse("must not contain a user name or password")
  // Percent-encoding can make the canonical form longer than what was given.
  if (url.href.length > MAX_OUTBOUND_URL_LENGTH) return tooLong
  if (allow.has(allowKey(url))) return { ok: true, url: url.href }
  const kind = forbiddenHostKind(url.hostname)
  if (kind !== undefined) return refuse(`must not point at ${kind}`)
  if (url.protocol === "http:")
    return refuse("must use https (plain http only to hosts the deployment allow-lists)")
  return { ok: true, url: url.href }
}
