/**
 * The `host:port` pairs (canonical, port always written) a deployment lets the gateway
 * reach over plain http or on a loopback/private address: `OUTBOUND_HTTP_ALLOW`.
 */
export type OutboundAllowList = ReadonlySet<string>

// A bracketed IPv6 address or a name/IPv4 spelling, then an explicit port: nothing else.
const ENTRY = /^(\[[0-9A-Fa-f:.]+\]|[^\s/?#@\\:[\]%]+):(\d{1,5})$/

const canonicalHost = (host: string): string | undefined => {
  try {
    return new URL(`http://${host}/`).hostname
  } catch {
    return undefined
  }
}

/**
 * The allow-list key of a URL: its canonical host and effective port, the form the
 * entries of {@link parseOutboundAllowList} take.
 *
 * @example
 * ```ts
 * allowKey(new URL("http://127.1:8789/x")) // "127.0.0.1:8789"
 * allowKey(new URL("http://hooks.test/x")) // "hooks.test:80"
 * ```
 */
export const allowKey = (url: URL): string =>
  `${url.hostname}:${url.port === "" ? (url.protocol === "https:" ? "443" : "80") : url.port}`

/**
 * Parses `OUTBOUND_HTTP_ALLOW`: comma-separated `host:port` entries, the port always
 * given, each canonicalised like the URLs it will be compared with (so `127.1:8789`
 * lists `127.0.0.1:8789`). Unset or empty: nothing is allowed beyond public https.
 *
 * @example
 * ```ts
 * parseOutboundAllowList("127.0.0.1:8789") // { ok: true, value: Set { "127.0.0.1:8789" } }
 * parseOutboundAllowList("hooks.test") // { ok: false, reason: "OUTBOUND_HTTP_ALLOW[0] must be host:port…" }
 * ```
 */
export const parseOutboundAllowList = (
  text: string | undefined,
):
  | { readonly ok: true; readonly value: OutboundAllowList }
  | { readonly ok: false; readonly reason: string } => {
  const allow = new Set<string>()
  for (const [index, raw] of (text ?? "").split(",").entries()) {
    const entry = raw.trim()
    if (entry === "") continue
    const match = ENTRY.exec(entry)
    const host = match?.[1] === undefined ? undefined : canonicalHost(match[1])
    const port = Number(match?.[2])
    if (host === undefined || !(port >= 1 && port <= 65535))
      return {
        ok: false,
        reason: `OUTBOUND_HTTP_ALLOW[${index}] must be host:port with the port written, e.g. 127.0.0.1:8789`,
      }
    allow.add(`${host}:${port}`)
  }
  return { ok: true, value: allow }
}
