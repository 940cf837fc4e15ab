import type { Endpoint } from "@voicepartner/core/model/Endpoint"
import type { Context, MiddlewareHandler } from "hono"
import { bodyLimit } from "hono/body-limit"
import { routePath } from "hono/route"
import { findClient } from "../auth/findClient.js"
import type { Operation } from "../config/ClientConfig.js"
import { GatewayMisconfigured, gatewayConfig } from "../config/GatewayConfig.js"
import { type ApiError, apiError } from "./apiError.js"
import { parseBoundedJson } from "./boundedJson.js"
import { bearerToken, isDropInRequest, providerErrors } from "./dropInErrors.js"
import type { GatewayEnv } from "./GatewayEnv.js"

/** Largest accepted request body: 500 numbers and a long text fit many times over. */
export const MAX_BODY_BYTES = 256 * 1024

/** Sends an {@link ApiError} as JSON. */
export const sendError = (c: Context, error: ApiError): Response =>
  c.json(error.body, error.status, error.headers)

/**
 * One JSON line per request: method, route pattern (never the raw path, which may hold
 * a drop-in token or a signed callback URL), status, client and duration.
 */
export const requestLog: MiddlewareHandler<GatewayEnv> = async (c, next) => {
  if (c.env.REQUEST_LOG === "off") return next()
  const started = Date.now()
  await next()
  console.log(
    JSON.stringify({
      level: "info",
      msg: "request",
      method: c.req.method,
      route: routePath(c, -1),
      status: c.res.status,
      client: c.get("client")?.id,
      ms: Date.now() - started,
    }),
  )
}

/** Decodes the configuration once per isolate; a broken one is a 500 that names it. */
export const withConfig: MiddlewareHandler<GatewayEnv> = async (c, next) => {
  const config = await gatewayConfig(c.env)
  if (config instanceof GatewayMisconfigured) {
    console.error(JSON.stringify({ level: "error", msg: "misconfigured", problem: config.problem }))
    return sendError(c, apiError(500, "GATEWAY_MISCONFIGURED", config.problem))
  }
  c.set("config", config)
  await next()
}

/** 413 past {@link MAX_BODY_BYTES}, whether or not `Content-Length` was sent. */
export const limitBody: MiddlewareHandler<GatewayEnv> = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: (c) =>
    c.json(
      apiError(413, "PAYLOAD_TOO_LARGE", `the request body exceeds ${MAX_BODY_BYTES} bytes`).body,
      413,
    ),
})

/**
 * Parses a POST's JSON object; takes `apiKey` out of it (drop-in mode) before anything else
 * sees it. An empty body is `{}` for a Bearer request; without a Bearer token the key must
 * be in the body, so an empty one is malformed, as Voice Partner answers it (`90`).
 */
export const jsonBody: MiddlewareHandler<GatewayEnv> = providerErrors(async (c, next) => {
  const text = await c.req.text()
  const empty = text.trim() === ""
  if (empty && isDropInRequest(c))
    return sendError(c, apiError(400, "INVALID_JSON", "the request body is empty"))
  const read = empty ? { ok: true as const, value: {} } : parseBoundedJson(text)
  if (!read.ok)
    return sendError(c, apiError(400, "INVALID_JSON", `the request body ${read.reason}`))
  const parsed = read.value
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return sendError(c, apiError(400, "INVALID_JSON", "the request body must be a JSON object"))
  }
  const { apiKey, ...body } = parsed as Record<string, unknown>
  c.set("body", body)
  c.set("bodyToken", typeof apiKey === "string" ? apiKey : undefined)
  await next()
})

/**
 * Finds the caller's client from `Authorization: Bearer <token>`, or, in drop-in mode,
 * from the `apiKey` path segment or body field where Voice Partner expects its key.
 * 401 when there is no valid token, 403 when the client may not use this operation.
 *
 * On the provider's routes (`endpoint` given) a request without a Bearer token is drop-in:
 * `dropIn` is set once it authenticates, and its error answers, from here on, are the
 * provider's ({@link providerErrors}).
 */
export const authenticate = (
  operation: Operation,
  endpoint: Endpoint | undefined,
): MiddlewareHandler<GatewayEnv> => {
  const check: MiddlewareHandler<GatewayEnv> = async (c, next) => {
    c.set("endpoint", endpoint)
    const header = bearerToken(c.req.header("authorization"))
    const token = header ?? c.req.param("apiKey") ?? c.get("bodyToken")
    const client =
      token === undefined ? undefined : await findClient(c.get("config").clients, token)
    if (client === undefined) {
      return sendError(
        c,
        apiError(
          401,
          "UNAUTHORIZED",
          "missing or unknown client token (Authorization: Bearer <token>)",
          {
            headers: { "WWW-Authenticate": 'Bearer realm="voicepartner-gateway"' },
          },
        ),
      )
    }
    c.set("client", client)
    c.set("dropIn", endpoint !== undefined && header === undefined)
    if (!client.operations.has(operation))
      return sendError(
        c,
        apiError(403, "FORBIDDEN", `client ${client.id} may not use ${operation}`),
      )
    await next()
  }
  return endpoint === undefined ? check : providerErrors(check)
}
