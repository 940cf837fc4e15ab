import type { Context } from "hono"

/**
 * The request's `waitUntil`, or `undefined` when the app runs without an execution
 * context (`app.request` in a test that gave none).
 *
 * @example
 * ```ts
 * import type { Context } from "hono"
 *
 * function notifyLater(c: Context, delivery: Promise<void>) {
 *   waitUntilOf(c)?.(delivery) // runs to its end even if the request is cancelled
 * }
 * ```
 */
export const waitUntilOf = (c: Context): ((promise: Promise<unknown>) => void) | undefined => {
  try {
    const ctx = c.executionCtx
    return (promise) => ctx.waitUntil(promise)
  } catch {
    return undefined
  }
}
