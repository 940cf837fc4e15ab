import type { Context, Hono, MiddlewareHandler } from "hono"
import { TrieRouter } from "hono/router/trie-router"
import { findClient } from "../auth/findClient.js"
import type { ClientConfig } from "../config/ClientConfig.js"
import { type GatewayConfig, GatewayMisconfigured, gatewayConfig } from "../config/GatewayConfig.js"
import { apiError } from "./apiError.js"
import { bearerToken } from "./dropInErrors.js"
import type { GatewayEnv } from "./GatewayEnv.js"
import { sendError } from "./middleware.js"

/** Request headers a page may send (`Access-Control-Allow-Headers`). */
export const CORS_REQUEST_HEADERS = ["authorization", "content-type", "idempotency-key", "prefer"]

/** Response fields a page may read besides the CORS-safelisted ones. */
export const CORS_EXPOSED_HEADERS = [
  "RateLimit",
  "RateLimit-Policy",
  "Retry-After",
  "X-Gateway-Send-Id",
  "Idempotent-Replayed",
  "Preference-Applied",
  "Location",
]

/** How long a browser may keep a preflight's answer, in seconds. */
const MAX_AGE_S = 600

/** Routes anyone may read from any page: `*`, no credentials involved. */
const PUBLIC = new Set(["/health", "/openapi.json"])

const anyClientAllows = new WeakMap<GatewayConfig, ReadonlySet<string>>()

/** Every origin at least one client allows (what a preflight, without a token, can know). */
const allowedByAny = (config: GatewayConfig): ReadonlySet<string> => {
  let origins = anyClientAllows.get(config)
  if (origins === undefined) {
    origins = new Set(config.clients.flatMap((c) => [...c.allowedOrigins]))
    anyClientAllows.set(config, origins)
  }
  return origins
}

/** Adds a field to an answer whose headers may be immutable (a fetched response). */
const setHeaders = (c: Context, headers: Readonly<Record<string, string>>) => {
  let response = c.res
  try {
    for (const [name, value] of Object.entries(headers)) response.headers.set(name, value)
  } catch {
    response = new Response(response.body, response)
    for (const [name, value] of Object.entries(headers)) response.headers.set(name, value)
    c.res = response
  }
}

const varyOrigin = (c: Context) => {
  const vary = c.res.headers.get("vary")
  if (vary === null) setHeaders(c, { Vary: "Origin" })
  else if (!/(^|,)\s*origin\s*(,|$)/i.test(vary)) setHeaders(c, { Vary: `${vary}, Origin` })
}

const refuseOrigin = (c: Context, reason: string): Response =>
  sendError(c, apiError(403, "FORBIDDEN", reason, { field: "Origin", headers: { Vary: "Origin" } }))

/**
 * CORS for browser clients, before any route: a page on one of a client's
 * `allowedOrigins` may call the client API (`/v1/…`) with that client's Bearer token.
 *
 * - A preflight (`OPTIONS` with `Origin` and `Access-Control-Request-Method`) carries no
 *   token: it is answered `204` for an origin at least one client allows, with the path's
 *   methods, the request headers a client sends (`authorization`, `content-type`,
 *   `idempotency-key`, `prefer`) and `Max-Age`; any other origin gets a 403 naming
 *   `Origin`, without CORS fields (the browser then sends nothing).
 * - The actual request's `Origin` is checked against the CALLING client's list before any
 *   route runs (so nothing is validated, counted or sent): another origin is a 403 naming
 *   `Origin` without CORS fields. From a browser the token must be in `Authorization`: a
 *   drop-in token (body `apiKey`, path) is refused with 401 there, since it could not be
 *   checked before the route. An unknown token from an allowed origin goes on to its 401,
 *   which the page can read.
 * - Answers to allowed origins carry `Access-Control-Allow-Origin` (that origin, never
 *   `*`, no credentials: the token is a header, not a cookie) and expose the gateway's
 *   fields (`RateLimit`, `Retry-After`, `X-Gateway-Send-Id`, `Idempotent-Replayed`, …).
 *   Every `/v1` answer carries `Vary: Origin`.
 * - `/health` and `/openapi.json` are public: `Access-Control-Allow-Origin: *`. Callbacks
 *   (`/callbacks/…`) are for Voice Partner only: no CORS.
 *
 * A request without `Origin` (a server) is not affected. `app` is the app whose routes
 * give each path's methods.
 *
 * @example
 * ```ts
 * import { Hono } from "hono"
 * import type { GatewayEnv } from "./GatewayEnv.js"
 * const app = new Hono<GatewayEnv>()
 * app.use(cors({ app }))
 * ```
 */
export const cors = (options: {
  readonly app: Hono<GatewayEnv>
}): MiddlewareHandler<GatewayEnv> => {
  let methodRouter: TrieRouter<ReadonlyArray<string>> | undefined
  const methodsOf = (path: string): ReadonlyArray<string> => {
    if (methodRouter === undefined) {
      const byPath = new Map<string, Set<string>>()
      for (const route of options.app.routes) {
        if (route.method === "ALL" || route.method === "HEAD") continue
        const methods = byPath.get(route.path) ?? new Set<string>()
        methods.add(route.method)
        if (route.method === "GET") methods.add("HEAD")
        byPath.set(route.path, methods)
      }
      methodRouter = new TrieRouter()
      for (const [routePath, methods] of byPath) methodRouter.add("ALL", routePath, [...methods])
    }
    const found = new Set<string>()
    for (const [methods] of methodRouter.match("ALL", path)[0])
      for (const method of methods) found.add(method)
    return [...found]
  }

  return async (c, next) => {
    const path = c.req.path
    const origin = c.req.header("origin")
    const preflight =
      c.req.method === "OPTIONS" &&
      origin !== undefined &&
      c.req.header("access-control-request-method") !== undefined

    if (PUBLIC.has(path)) {
      if (preflight)
        return c.body(null, 204, {
          "Access-Control-Allow-Origin": "*",
          "Access-Control-Allow-Methods": "GET, HEAD",
          "Access-Control-Max-Age": String(MAX_AGE_S),
        })
      await next()
      setHeaders(c, { "Access-Control-Allow-Origin": "*" })
      return
    }
    if (!path.startsWith("/v1/")) return next()
    if (origin === undefined) {
      await next()
      varyOrigin(c)
      return
    }

    const config = await gatewayConfig(c.env)
    // Misconfigured: the routes answer the 500 that names the problem.
    if (config instanceof GatewayMisconfigured) return next()
    if (!allowedByAny(config).has(origin))
      return refuseOrigin(c, "no client of the gateway allows this Origin")

    const allowed = {
      "Access-Control-Allow-Origin": origin,
      Vary: "Origin",
    }
    if (preflight) {
      const methods = methodsOf(path)
      if (methods.length === 0) return next()
      return c.body(null, 204, {
        ...allowed,
        "Access-Control-Allow-Methods": methods.join(", "),
        "Access-Control-Allow-Headers": CORS_REQUEST_HEADERS.join(", "),
        "Access-Control-Max-Age": String(MAX_AGE_S),
      })
    }

    const exposed = {
      ...allowed,
      "Access-Control-Expose-Headers": CORS_EXPOSED_HEADERS.join(", "),
    }
    const token = bearerToken(c.req.header("authorization"))
    if (token === undefined) {
      const refused = sendError(
        c,
        apiError(
          401,
          "UNAUTHORIZED",
          "from a browser, send the client token in Authorization: Bearer <token>",
          { headers: { "WWW-Authenticate": 'Bearer realm="voicepartner-gateway"', ...exposed } },
        ),
      )
      return refused
    }
    const client: ClientConfig | undefined = await findClient(config.clients, token)
    if (client !== undefined && !client.allowedOrigins.has(origin))
      return refuseOrigin(c, "this client's token may not be used from this Origin")

    await next()
    const { Vary: _vary, ...fields } = exposed
    setHeaders(c, fields)
    varyOrigin(c)
  }
}
