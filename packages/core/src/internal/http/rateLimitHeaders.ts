/**
 * Reads the upstream's rate-limit hints. `x-ratelimit-reset` is most likely a Unix time
 * in seconds but may be seconds-until-reset: values below 10^9 (before 2001) can only be
 * a delay. `Retry-After` is seconds or an HTTP date.
 *
 * @example
 * ```ts
 * retryAfterMs(new Headers({ "retry-after": "30" }), 0) // 30_000
 * ```
 */
export const retryAfterMs = (headers: Headers, now: number): number | undefined => {
  const retryAfter = headers.get("retry-after")
  if (retryAfter !== null) {
    const seconds = Number(retryAfter)
    if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000
    const date = Date.parse(retryAfter)
    if (!Number.isNaN(date)) return Math.max(0, date - now)
  }
  const reset = headers.get("x-ratelimit-reset")
  if (reset !== null) {
    const value = Number(reset)
    if (Number.isFinite(value) && value >= 0) {
      return value >= 1e9 ? Math.max(0, value * 1000 - now) : value * 1000
    }
  }
  return undefined
}
