/** At most `limit` requests in any rolling window `(t - windowMs, t]`, per API key. */
export interface Window {
  readonly limit: number
  readonly windowMs: number
}

/** The provider's documented limits, per endpoint. */
export const documentedLimits: Readonly<Record<string, ReadonlyArray<Window>>> = {
  "campaign/send": [
    { limit: 5, windowMs: 60_000 },
    { limit: 2000, windowMs: 3_600_000 },
  ],
  "tts/send": [{ limit: 2000, windowMs: 3_600_000 }],
  me: [{ limit: 5, windowMs: 60_000 }],
  "audio-file/rename": [{ limit: 5, windowMs: 60_000 }],
  audios: [{ limit: 360, windowMs: 60_000 }],
}

export interface LimitVerdict {
  readonly allowed: boolean
  /** Headers in the provider's form: the tightest window's figures. */
  readonly headers: Readonly<Record<string, string>>
}

/**
 * Checks and records one request in a log of instants. Rejected requests are not
 * recorded: only what the provider accepted counts against the limit.
 */
export const checkLimit = (
  log: Array<number>,
  windows: ReadonlyArray<Window>,
  now: number,
): LimitVerdict => {
  const horizon = Math.max(...windows.map((w) => w.windowMs))
  while (log.length > 0 && (log[0] as number) <= now - horizon) log.shift()
  const counts = windows.map(({ windowMs }) => log.filter((t) => t > now - windowMs))
  const allowed = windows.every((w, i) => (counts[i] as Array<number>).length < w.limit)
  if (allowed) log.push(now)
  let tightest = {
    limit: Number.POSITIVE_INFINITY,
    remaining: Number.POSITIVE_INFINITY,
    reset: now,
  }
  windows.forEach(({ limit, windowMs }, i) => {
    const inWindow = counts[i] as Array<number>
    const used = inWindow.length + (allowed ? 1 : 0)
    const remaining = Math.max(0, limit - used)
    const oldest = inWindow[0] ?? (allowed ? now : undefined)
    const reset = oldest === undefined ? now : oldest + windowMs
    if (
      remaining < tightest.remaining ||
      (remaining === tightest.remaining && reset > tightest.reset)
    ) {
      tightest = { limit, remaining, reset }
    }
  })
  return {
    allowed,
    headers: {
      "x-ratelimit-limit": String(tightest.limit),
      "x-ratelimit-remaining": String(tightest.remaining),
      // Unix seconds at which a slot frees (rounded up, so never early).
      "x-ratelimit-reset": String(Math.ceil(tightest.reset / 1000)),
    },
  }
}
