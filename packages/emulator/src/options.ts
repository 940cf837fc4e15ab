import type { EmulatorClock } from "./clock.js"
import type { Price } from "./pricing.js"
import type { Window } from "./rateLimit.js"

/** How the emulator behaves. Every field has a development default. */
export interface EmulatorOptions {
  /** Valid API keys; default `["dev-key"]`. */
  readonly apiKeys?: ReadonlyArray<string> | undefined
  /** Starting credit of each key, in EUR; default 100. */
  readonly credits?: number | undefined
  /** Audio files of the account; default one file whose token is `dev-audio`. */
  readonly audioFiles?:
    | ReadonlyArray<{ token: string; name: string; durationSeconds: number }>
    | undefined
  /** Mobile numbers allowed as `sender` (international digits or national form). */
  readonly authorizedSenders?: ReadonlyArray<string> | undefined
  readonly clock?: EmulatorClock | undefined
  /** `false` disables the limits; an object overrides them per endpoint. */
  readonly rateLimits?: boolean | Readonly<Record<string, ReadonlyArray<Window>>> | undefined
  /** Delay between a send running and its callbacks; default 2,000 ms. */
  readonly callbackDelayMs?: number | undefined
  /**
   * Voice SMS outcome by the number's last digits; default `{ "99": "undelivered",
   * "98": "not-answered" }` (delivered and answered otherwise).
   */
  readonly outcomes?:
    | Readonly<Record<string, "undelivered" | "not-answered" | "pending">>
    | undefined
  /** Used to deliver callbacks; default `globalThis.fetch`. */
  readonly fetch?: typeof globalThis.fetch | undefined
  readonly prices?: Readonly<Record<string, Price>> | undefined
  /** How many requests the log keeps (oldest dropped first); default 10,000. */
  readonly requestLogLimit?: number | undefined
  /**
   * Run due work on timers (default). Workers set `false` and drive it with `settle()`
   * inside `ctx.waitUntil`, since work started by a stray timer may be cancelled there.
   */
  readonly timers?: boolean | undefined
  /** Largest accepted body, in bytes; default 1 MiB. */
  readonly maxBodyBytes?: number | undefined
}
