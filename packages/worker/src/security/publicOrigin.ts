/**
 * Parses `PUBLIC_URL`, the origin callback URLs are minted on: an absolute http(s)
 * origin, a trailing `/` allowed, nothing else (the Host header is never used: a forged
 * one would send the provider's callbacks elsewhere).
 *
 * @example
 * ```ts
 * parsePublicOrigin("https://Gateway.Example.com/") // { ok: true, value: "https://gateway.example.com" }
 * parsePublicOrigin("gateway.example.com") // { ok: false, reason: "PUBLIC_URL must be …" }
 * ```
 */
export const parsePublicOrigin = (
  text: string,
):
  | { readonly ok: true; readonly value: string }
  | { readonly ok: false; readonly reason: string } => {
  const refused = {
    ok: false as const,
    reason:
      "PUBLIC_URL must be the gateway's absolute http(s) origin, e.g. https://gateway.example.com (no path, query or user-info)",
  }
  let url: URL
  try {
    url = new URL(text.trim())
  } catch {
    return refused
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return refused
  if (url.href !== `${url.origin}/`) return refused
  return { ok: true, value: url.origin }
}
