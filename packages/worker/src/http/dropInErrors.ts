import { upstreamErrorCode } from "@voicepartner/core/model/fieldChecks"
import type { Context, MiddlewareHandler } from "hono"
import type { GatewayEnv } from "./GatewayEnv.js"

declare module "hono" {
  interface ContextVariableMap {
    /**
     * The request authenticated drop-in: its token was where Voice Partner puts its key
     * (the body's `apiKey`, a path segment). Its answers and callbacks keep the provider's
     * shapes.
     */
    dropIn: boolean | undefined
    /** Set by {@link providerErrors} once it wraps the request: it rewrites only once. */
    providerErrors: boolean | undefined
  }
}

/** The token of an `Authorization: Bearer <token>` header, if that is what it holds. */
export const bearerToken = (header: string | undefined): string | undefined => {
  const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header)
  return match?.[1]
}

/**
 * Whether a request to one of the provider's routes is answered the provider's way: it
 * carries no Bearer token, so it is a Voice Partner integration pointed at the gateway
 * (its key, a client token, in the body or the path — or forgotten).
 */
export const isDropInRequest = (c: Context): boolean =>
  bearerToken(c.req.header("authorization")) === undefined

/** What the gateway's error answers hold (`apiError.ts`, `validationAnswer.ts`, upstream refusals). */
interface GatewayErrorBody {
  readonly success: false
  readonly code?: string | number
  readonly message?: string
  readonly error?: {
    readonly code?: string | number
    readonly message?: string
    readonly field?: string
    readonly issues?: ReadonlyArray<{ field: string; message: string; index?: number }>
  }
}

const isErrorBody = (body: unknown): body is GatewayErrorBody =>
  typeof body === "object" && body !== null && !Array.isArray(body) && "success" in body
    ? (body as { success: unknown }).success === false
    : false

/**
 * The provider's code for one of the gateway's errors: its numeric codes for a key (`1`
 * missing, `10` wrong or not allowed), malformed JSON (`90`) and the rate limit (`429`),
 * its validation codes for a field (core's {@link upstreamErrorCode}); otherwise the
 * gateway's own code (`UPSTREAM_TIMEOUT`…: the provider has no such answer).
 */
export const providerCode = (
  error: NonNullable<GatewayErrorBody["error"]>,
  tokenGiven: boolean,
): string | number => {
  switch (error.code) {
    case "UNAUTHORIZED":
      return tokenGiven ? 10 : 1
    case "FORBIDDEN":
      return 10
    case "INVALID_JSON":
      return 90
    case "RATE_LIMITED":
      return 429
    case "NOT_FOUND":
      return 404
    case "METHOD_NOT_ALLOWED":
      return 405
    case "VALIDATION_ERROR": {
      const issues =
        error.issues ??
        (error.field === undefined ? [] : [{ field: error.field, message: error.message ?? "" }])
      return upstreamErrorCode(issues) ?? "VALIDATION_ERROR"
    }
    default:
      return error.code ?? "ERROR"
  }
}

/**
 * An error body with the provider's top-level fields — `success: false`, `code`, `message`
 * — first, and everything the gateway said kept beside them (`error`: code, message,
 * field, issues). A `code` already at the top level (the upstream's own refusal) is kept.
 * `undefined` when there is nothing to change.
 *
 * @example
 * ```ts
 * providerErrorBody({ success: false, error: { code: "INVALID_JSON", message: "…" } }, false)
 * // { success: false, code: 90, message: "…", error: { code: "INVALID_JSON", message: "…" } }
 * ```
 */
export const providerErrorBody = (
  body: unknown,
  tokenGiven: boolean,
): Record<string, unknown> | undefined => {
  if (!isErrorBody(body) || (body.code !== undefined && body.message !== undefined))
    return undefined
  const { success: _, code, message, ...rest } = body
  return {
    success: false,
    code: code ?? (body.error === undefined ? "ERROR" : providerCode(body.error, tokenGiven)),
    message: message ?? body.error?.message ?? "error",
    ...rest,
  }
}

/** Whether the caller presented a key the drop-in way (even an unknown one): path or body. */
const tokenGiven = (c: Context<GatewayEnv>): boolean =>
  c.req.param("apiKey") !== undefined || (c.get("bodyToken") ?? "") !== ""

/** The answer in the provider's shape when it is an error of the gateway's; otherwise as it is. */
const reshaped = async (c: Context<GatewayEnv>, response: Response): Promise<Response> => {
  if (response.status < 400 || !response.headers.get("content-type")?.includes("application/json"))
    return response
  let body: unknown
  try {
    body = await response.clone().json()
  } catch {
    return response
  }
  const shaped = providerErrorBody(body, tokenGiven(c))
  if (shaped === undefined) return response
  const headers = new Headers(response.headers)
  headers.delete("content-length")
  return new Response(JSON.stringify(shaped), { status: response.status, headers })
}

/**
 * Drop-in mode's error answers, in one place: wraps the first middleware of each of the
 * provider's routes (`jsonBody`, `authenticate`), and, for a request without a Bearer token,
 * rewrites whatever error answer comes back — its own, a validation's, the quota's, an
 * idempotent replay's, the upstream's — into the provider's shape ({@link providerErrorBody}),
 * status and headers kept. Bearer requests pass untouched: their shape does not change.
 *
 * @example
 * ```ts
 * import type { MiddlewareHandler } from "hono"
 * import { apiError } from "./apiError.js"
 * import type { GatewayEnv } from "./GatewayEnv.js"
 * import { sendError } from "./middleware.js"
 *
 * const nonEmpty: MiddlewareHandler<GatewayEnv> = providerErrors(async (c, next) => {
 *   if ((await c.req.text()) === "")
 *     return sendError(c, apiError(400, "INVALID_JSON", "the request body is empty"))
 *   await next()
 * })
 * // Without a Bearer token, that 400's body becomes
 * // { success: false, code: 90, message: "the request body is empty", error: { code: "INVALID_JSON", … } }
 * ```
 */
export const providerErrors =
  (inner: MiddlewareHandler<GatewayEnv>): MiddlewareHandler<GatewayEnv> =>
  async (c, next) => {
    if (c.get("providerErrors") === true || !isDropInRequest(c)) return inner(c, next)
    c.set("providerErrors", true)
    const early = await inner(c, next)
    if (early instanceof Response) return reshaped(c, early)
    const shaped = await reshaped(c, c.res)
    if (shaped !== c.res) c.res = shaped
    return undefined
  }
