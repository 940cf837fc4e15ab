import type { Context, MiddlewareHandler } from "hono"
import type { ContentfulStatusCode } from "hono/utils/http-status"
import { apiError } from "./apiError.js"
import { sendError } from "./middleware.js"

/** What the store does with a request carrying an `Idempotency-Key`. */
export type IdempotencyDecision =
  | { readonly kind: "proceed" }
  | { readonly kind: "replay"; readonly status: number; readonly body: string }
  | { readonly kind: "mismatch" }
  | { readonly kind: "inFlight" }

/** Where keys live: claimed by `begin`, then either finished with the answer or abandoned. */
export interface IdempotencyStore {
  /** Claims `key` for the request whose fingerprint is given (see {@link IdempotencyDecision}). */
  readonly begin: (key: string, fingerprint: string) => Promise<IdempotencyDecision>
  /** Stores the answer of a request that was (or may have been) carried out, for replays. */
  readonly finish: (key: string, status: number, body: string) => Promise<void>
  /** Frees a key whose request certainly had no effect: a retry with it may go. */
  readonly abandon: (key: string) => Promise<void>
}

/** What the middleware shares with the handlers after it. */
export interface IdempotencyEnv {
  readonly Variables: {
    /** The request's valid `Idempotency-Key`, or `undefined` when it has none. */
    idempotencyKey: string | undefined
    /** Set to `true` by the handler when the request certainly had no effect. */
    nothingSent: boolean | undefined
  }
}

/** What a valid `Idempotency-Key` looks like: 1 to 255 visible ASCII characters. */
export const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/

/** How the middleware learns where keys live and what request a key stands for. */
export interface IdempotencyOptions<E extends IdempotencyEnv> {
  readonly store: (c: Context<E>) => IdempotencyStore
  /**
   * What makes two requests the same one: computed from the validated, canonical request
   * (not the raw body), so that a retry spelling it differently is still a replay.
   */
  readonly fingerprint: (c: Context<E>) => Promise<string>
}

/**
 * `Idempotency-Key` handling for the routes after it. A malformed key is a 400 naming the
 * header before the store is touched; a request without a key passes through. Otherwise the
 * key is claimed: the stored answer is replayed (`Idempotent-Replayed: true`), another
 * request under the same key is a 422, one still in flight a 409 with `Retry-After`. After
 * the handler, its answer is stored for replays, or the key is released when the handler
 * set `nothingSent`. A handler that threw leaves the key in flight: whether it had an
 * effect is unknown.
 *
 * @example
 * ```ts
 * import { Hono } from "hono"
 * import { sha256Hex } from "../auth/digest.js"
 * import { stableJson } from "./stableJson.js"
 *
 * declare const keys: IdempotencyStore // e.g. the client's ledger (`beginIdempotent`, …)
 * const app = new Hono<IdempotencyEnv>()
 * app.post(
 *   "/send",
 *   idempotency<IdempotencyEnv>({
 *     store: () => keys,
 *     fingerprint: async (c) => sha256Hex(stableJson(await c.req.json())),
 *   }),
 *   (c) => c.json({ sent: true }, 201),
 * )
 * ```
 */
export const idempotency =
  <E extends IdempotencyEnv>(options: IdempotencyOptions<E>): MiddlewareHandler<E> =>
  async (context, next) => {
    const c = context as unknown as Context<IdempotencyEnv>
    const key = c.req.header("idempotency-key")
    c.set("idempotencyKey", undefined)
    if (key === undefined) return next()
    if (!IDEMPOTENCY_KEY.test(key))
      return sendError(
        c,
        apiError(400, "VALIDATION_ERROR", "must be 1 to 255 visible ASCII characters", {
          field: "Idempotency-Key",
        }),
      )
    const store = options.store(context)
    const decision = await store.begin(key, await options.fingerprint(context))
    switch (decision.kind) {
      case "replay":
        return c.json(
          JSON.parse(decision.body) as object,
          decision.status as ContentfulStatusCode,
          { "Idempotent-Replayed": "true" },
        )
      case "mismatch":
        return sendError(
          c,
          apiError(
            422,
            "IDEMPOTENCY_KEY_REUSED",
            "this Idempotency-Key was used with another body in the last 24 h",
            { field: "Idempotency-Key" },
          ),
        )
      case "inFlight":
        return sendError(
          c,
          apiError(
            409,
            "IDEMPOTENCY_IN_PROGRESS",
            "a request with this Idempotency-Key is being sent; retry shortly",
            { field: "Idempotency-Key", headers: { "Retry-After": "1" } },
          ),
        )
      case "proceed":
        break
    }
    c.set("idempotencyKey", key)
    await next()
    if (c.error !== undefined) return
    if (c.get("nothingSent") === true) await store.abandon(key)
    else await store.finish(key, c.res.status, await c.res.clone().text())
  }
