/**
 * The Worker's bindings (see the README's configuration table).
 *
 * What `wrangler.jsonc` declares — the vars `VOICEPARTNER_BASE_URL`,
 * `WEBHOOK_RETRY_SCHEDULE`, `OUTBOUND_HTTP_ALLOW` and the Durable Objects `QUOTA`,
 * `LEDGER` and `BROADCASTS` — comes from `WranglerEnv`, generated from it by `wrangler types` into
 * `worker-configuration.d.ts` (`pnpm types` regenerates it, `pnpm typecheck` fails when it
 * is stale). What it does not declare is added here: the secrets (set with
 * `wrangler secret put`, never in the file) and the optional tunables, each unset unless
 * a deployment sets it.
 */
export interface Env extends WranglerEnv {
  /** Secret: the upstream Voice Partner API key. */
  readonly VOICEPARTNER_API_KEY?: string
  /** Secret: JSON list of clients (see `ClientEntry`). */
  readonly CLIENTS?: string
  /** Secret: HMAC key of the callback URLs handed to Voice Partner. */
  readonly CALLBACK_SIGNING_KEY?: string
  /** The upstream's base URL (`wrangler.jsonc`: the production API). */
  readonly VOICEPARTNER_BASE_URL: string
  /**
   * The gateway's public http(s) origin, e.g. `https://gateway.example.com`: callback URLs
   * are minted on it, never on the request's Host. Unset: sends answer 500
   * `GATEWAY_MISCONFIGURED`; other routes work. Malformed: the gateway does not start.
   */
  readonly PUBLIC_URL?: string
  /**
   * Comma-separated `host:port` pairs (port always written, e.g. `127.0.0.1:8789`) that
   * `notifyUrl`s and webhooks may reach over plain http or on a loopback/private address,
   * matched exactly after canonicalisation. Empty (`wrangler.jsonc`): public https only.
   * For development receivers and tests; production needs none.
   */
  readonly OUTBOUND_HTTP_ALLOW: string
  /** Seconds between webhook delivery attempts, comma-separated (`wrangler.jsonc`). */
  readonly WEBHOOK_RETRY_SCHEDULE: string
  /** JSON: per-endpoint windows replacing core's documented limits (see `ratePolicy`). */
  readonly RATE_LIMIT_POLICY?: string
  /**
   * JSON: the slots of each window broadcasts leave to single sends, one count per window
   * (e.g. `{"campaign/send":[1,100]}`); default 5 % of each window, rounded up.
   */
  readonly BROADCAST_RESERVE?: string
  /** `off` drops the per-request log line (errors are still logged). */
  readonly REQUEST_LOG?: string
  /** Seconds one webhook attempt may take (default 10). */
  readonly WEBHOOK_TIMEOUT?: string
  /** Webhook attempts in flight at once per destination origin (default 4). */
  readonly WEBHOOK_CONCURRENCY?: string
  /** Days sends, events and deliveries are kept after their last activity (default 30). */
  readonly RETENTION_DAYS?: string
  /** Hours an `Idempotency-Key` and its answer are kept (default 24). */
  readonly IDEMPOTENCY_RETENTION_HOURS?: string
}
