/** Longest wait a caller may ask for with `Prefer: wait=N`, in seconds. */
export const MAX_PREFER_WAIT_S = 60

/**
 * The wait (seconds) a `Prefer` header asks for (RFC 7240), capped at 60, or 0.
 *
 * @example
 * ```ts
 * preferredWait("respond-async, wait=30") // 30
 * preferredWait("wait=600") // 60
 * ```
 */
export const preferredWait = (header: string | undefined): number => {
  const match = header === undefined ? null : /(?:^|[,;\s])wait\s*=\s*"?(\d+)"?/i.exec(header)
  return match?.[1] === undefined ? 0 : Math.min(MAX_PREFER_WAIT_S, Number(match[1]))
}
