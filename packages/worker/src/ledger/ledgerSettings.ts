/**
 * The ledger's tunables, read from optional bindings with documented defaults. A missing,
 * empty or malformed value falls back to the default (the ledger must keep delivering
 * and purging even when a var is mistyped).
 *
 * | binding                      | default | meaning                                                   |
 * |------------------------------|---------|-----------------------------------------------------------|
 * | `WEBHOOK_TIMEOUT`            | 10      | seconds one webhook attempt may take before it is aborted |
 * | `WEBHOOK_CONCURRENCY`        | 4       | attempts in flight at once per destination (URL origin)   |
 * | `RETENTION_DAYS`             | 30      | days a send, its events and deliveries are kept after their last activity |
 * | `IDEMPOTENCY_RETENTION_HOURS`| 24      | hours an `Idempotency-Key` and its stored answer are kept |
 *
 * `RETENTION_DAYS` should not be shorter than a callback URL's life (30 days after the
 * send, see `sendRoutes`): a callback for a purged send is answered 503 and, once the
 * provider stops retrying, lost. `IDEMPOTENCY_RETENTION_HOURS` is the "24 h" of the API
 * contract (and of the 422 message).
 */
export interface LedgerSettings {
  readonly webhookTimeoutMs: number
  readonly webhookConcurrency: number
  readonly retentionMs: number
  readonly idempotencyRetentionMs: number
}

export const DEFAULT_WEBHOOK_TIMEOUT_S = 10
export const DEFAULT_WEBHOOK_CONCURRENCY = 4
export const DEFAULT_RETENTION_DAYS = 30
export const DEFAULT_IDEMPOTENCY_RETENTION_HOURS = 24

const HOUR_MS = 3_600_000

/** A positive finite number from a binding, or `fallback`. */
const positive = (raw: unknown, fallback: number, max: number): number => {
  const n =
    typeof raw === "number" ? raw : typeof raw === "string" ? Number(raw.trim()) : Number.NaN
  return raw !== "" && Number.isFinite(n) && n > 0 ? Math.min(n, max) : fallback
}

/**
 * The settings for an `env` (any object of bindings).
 *
 * @example
 * ```ts
 * import { ledgerSettings } from "./ledgerSettings.js"
 *
 * ledgerSettings({ RETENTION_DAYS: "7" }).retentionMs // 604_800_000
 * ledgerSettings({}).webhookTimeoutMs // 10_000
 * ```
 */
export const ledgerSettings = (env: object): LedgerSettings => {
  const vars = env as Readonly<Record<string, unknown>>
  return {
    // A Worker's subrequest may not outlive a few minutes anyway.
    webhookTimeoutMs: positive(vars.WEBHOOK_TIMEOUT, DEFAULT_WEBHOOK_TIMEOUT_S, 120) * 1000,
    webhookConcurrency: Math.floor(
      positive(vars.WEBHOOK_CONCURRENCY, DEFAULT_WEBHOOK_CONCURRENCY, 32),
    ),
    retentionMs: positive(vars.RETENTION_DAYS, DEFAULT_RETENTION_DAYS, 3_650) * 24 * HOUR_MS,
    idempotencyRetentionMs:
      positive(vars.IDEMPOTENCY_RETENTION_HOURS, DEFAULT_IDEMPOTENCY_RETENTION_HOURS, 24 * 365) *
      HOUR_MS,
  }
}
