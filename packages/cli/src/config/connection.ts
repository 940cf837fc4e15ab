import { VoicePartnerClient } from "@voicepartner/core/client/VoicePartnerClient"
import { Endpoints } from "@voicepartner/core/model/Endpoint"
import { RateLimiter } from "@voicepartner/core/ratelimit/RateLimiter"
import { defaultPolicy, type RateLimitPolicy } from "@voicepartner/core/ratelimit/RateLimitPolicy"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { type ConfigFile, readConfigFile } from "./configFile.js"
import { UsageError } from "./UsageError.js"

/** Where the CLI sends: upstream with an API key, or our gateway with a bearer token. */
export interface ConnectionFlags {
  readonly baseUrl: string | undefined
  readonly gateway: string | undefined
  readonly token: string | undefined
}

/**
 * `VOICEPARTNER_RATE_LIMIT=off` replaces the documented limits with a permissive policy:
 * for tests against an emulator started with `--no-rate-limit`, never for the real API.
 */
export const policyFromEnv = (env: NodeJS.ProcessEnv = process.env): RateLimitPolicy =>
  env.VOICEPARTNER_RATE_LIMIT === "off"
    ? (Object.fromEntries(
        Endpoints.map((e) => [e, [{ limit: 1_000_000, windowMs: 1_000 }]]),
      ) as unknown as RateLimitPolicy)
    : defaultPolicy

/**
 * Moves the key from the JSON body to a bearer header, as the gateway expects, and counts
 * the answers the gateway replayed for an `Idempotency-Key` it had seen (nothing was sent
 * again for them).
 */
const gatewayFetch =
  (token: string, replays: { count: number }): typeof fetch =>
  async (input, init) => {
    const headers = new Headers(init?.headers)
    headers.set("authorization", `Bearer ${token}`)
    let body: RequestInit["body"] = init?.body ?? null
    if (typeof body === "string" && body.startsWith("{")) {
      const { apiKey: _dropped, ...rest } = JSON.parse(body) as Record<string, unknown>
      body = JSON.stringify(rest)
    }
    const response = await fetch(input, { ...init, headers, body })
    if (response.headers.get("idempotent-replayed") === "true") replays.count++
    return response
  }

const nonEmpty = (value: string | undefined) => (value === "" ? undefined : value)

/** Where to connect, from flags, then environment variables, then the config file. */
export const resolveConnection = (
  flags: ConnectionFlags,
  env: NodeJS.ProcessEnv = process.env,
  file: ConfigFile = readConfigFile(env),
) => ({
  gateway: flags.gateway ?? nonEmpty(env.VOICEPARTNER_GATEWAY) ?? file.gateway,
  token: flags.token ?? nonEmpty(env.VOICEPARTNER_TOKEN) ?? file.token,
  apiKey: nonEmpty(env.VOICEPARTNER_API_KEY) ?? file.apiKey,
  baseUrl: flags.baseUrl ?? nonEmpty(env.VOICEPARTNER_BASE_URL) ?? file.baseUrl,
})

/** The gateway's base URL (no trailing slash) and token, or `undefined` without a gateway. */
const gatewayTarget = (
  connection: ReturnType<typeof resolveConnection>,
): { readonly url: string; readonly token: string } | undefined => {
  const { gateway, token } = connection
  if (gateway === undefined) return undefined
  if (token === undefined)
    throw new UsageError(
      "--gateway needs --token, VOICEPARTNER_TOKEN or a token in the config file",
    )
  return { url: gateway.replace(/\/+$/, ""), token }
}

/** What the commands talk to: core's client service and its in-memory limiter. */
export type Services = VoicePartnerClient | RateLimiter

/** A connection built from the flags: the layer of core's services, and what it goes through. */
export interface Connection {
  readonly layer: Layer.Layer<Services>
  /** Through our gateway (a bearer token, `Idempotency-Key` honoured) rather than upstream. */
  readonly gateway: boolean
  /** Answers the gateway replayed from an earlier request with the same `Idempotency-Key`. */
  readonly replays: { count: number }
}

/**
 * Core's `VoicePartnerClient` over `RateLimiter.memory`, from flags, environment and
 * config file; the secret stays inside the layer (redacted). Throws a `UsageError` when
 * there is nothing to authenticate with.
 */
export const connect = (
  flags: ConnectionFlags,
  env: NodeJS.ProcessEnv = process.env,
): Connection => {
  const policy = policyFromEnv(env)
  const connection = resolveConnection(flags, env)
  const gateway = gatewayTarget(connection)
  const replays = { count: 0 }
  const limiter = RateLimiter.memory(policy)
  if (gateway !== undefined) {
    const client = VoicePartnerClient.layer({
      apiKey: Redacted.make("gateway"),
      baseUrl: `${gateway.url}/v1`,
      fetch: gatewayFetch(gateway.token, replays),
    })
    return { layer: client.pipe(Layer.provideMerge(limiter)), gateway: true, replays }
  }
  const { apiKey } = connection
  if (apiKey === undefined)
    throw new UsageError("VOICEPARTNER_API_KEY is not set (or use --gateway URL --token TOKEN)")
  const client = VoicePartnerClient.layer({
    apiKey: Redacted.make(apiKey),
    baseUrl: connection.baseUrl,
  })
  return { layer: client.pipe(Layer.provideMerge(limiter)), gateway: false, replays }
}

/** Whether a send would go through the gateway (for the plan), without needing a secret. */
export const throughGateway = (
  flags: ConnectionFlags,
  env: NodeJS.ProcessEnv = process.env,
): boolean => {
  try {
    return resolveConnection(flags, env).gateway !== undefined
  } catch {
    return flags.gateway !== undefined
  }
}

/** `GET /v1/campaigns/:id` on the gateway (not an upstream route, so not in core). */
export const gatewayCampaignStatus = async (
  flags: ConnectionFlags,
  id: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ readonly status: number; readonly body: unknown }> => {
  const gateway = gatewayTarget(resolveConnection(flags, env))
  if (gateway === undefined) throw new UsageError("campaign status needs --gateway URL")
  const url = `${gateway.url}/v1/campaigns/${encodeURIComponent(id)}`
  const response = await fetch(url, { headers: { authorization: `Bearer ${gateway.token}` } })
  return { status: response.status, body: await response.json().catch(() => null) }
}
