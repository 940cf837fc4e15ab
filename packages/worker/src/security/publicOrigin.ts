/**
 * Parses `PUBLIC_URL`, the origin callback URLs are minted on: an absolute http(s)
 * origin, a trailing `/` allowed, nothing else (the Host header is never used: a forged
 * one would send the provider's callbacks elsewhere).
 *
 * @example
 * ```ts
 * parsePublicOrigin("https://Gateway.Example.com/") // { origin: "https://gateway.example.com" }
 * parsePublicOrigin("gateway.example.com") // { problem: "PUBLIC_URL must be …" }
 * ```
 */
export const parsePublicOrigin = (
  text: string,
): { readonly origin: string } | { readonly problem: string } => {
  const problem = {
    problem:
      "PUBLIC_URL must be the gateway's absolute http(s) origin, e.g. https://gateway.example.com (no path, query or user-info)",
  }
  let url: URL
  try {
    url = new URL(text.trim())
  } catch {
    return problem
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return problem
  if (url.href !== `${url.origin}/`) return problem
  return { origin: url.origin }
}
