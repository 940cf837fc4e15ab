import type { ClientLedger } from "./ledger/ClientLedger.js"
import type { QuotaObject } from "./quota/QuotaObject.js"

/** The Worker's bindings: see `wrangler.jsonc` and the README's configuration table. */
export interface Env {
  /** Secret: the upstream Voice Partner API key. */
  readonly VOICEPARTNER_API_KEY?: string
  /** Secret: JSON list of clients (see `ClientEntry`). */
  readonly CLIENTS?: string
  /** Secret: HMAC key of the callback URLs handed to Voice Partner. */
  readonly CALLBACK_SIGNING_KEY?: string
  readonly VOICEPARTNER_BASE_URL?: string
  /** The gateway's public origin, for callback URLs; defaults to the request's origin. */
  readonly PUBLIC_URL?: string
  /** Seconds between webhook delivery attempts, comma-separated. */
  readonly WEBHOOK_RETRY_SCHEDULE?: string
  /** JSON: per-endpoint windows replacing core's documented limits (see `ratePolicy`). */
  readonly RATE_LIMIT_POLICY?: string
  /** `off` drops the per-request log line (errors are still logged). */
  readonly REQUEST_LOG?: string
  readonly QUOTA: DurableObjectNamespace<QuotaObject>
  readonly LEDGER: DurableObjectNamespace<ClientLedger>
}
