import { Endpoints } from "@voicepartner/core/model/Endpoint"
import {
  createClient,
  type VoicePartnerPromiseClient,
} from "@voicepartner/core/promise/createClient"
import { defaultPolicy, type RateLimitPolicy } from "@voicepartner/core/ratelimit/RateLimitPolicy"
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

/** Moves the key from the JSON body to a bearer header, as the gateway expects. */
const gatewayFetch =
  (token: string): typeof fetch =>
  async (input, init) => {
    const headers = new Headers(init?.headers)
    headers.set("authorization", `Bearer ${token}`)
    let body: RequestInit["body"] = init?.body ?? null
    if (typeof body === "string" && body.startsWith("{")) {
      const { apiKey: _dropped, ...rest } = JSON.parse(body) as Record<string, unknown>
      body = JSON.stringify(rest)
    }
    return fetch(input, { ...init, headers, body })
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

/** Builds the core Promise client from flags and environment; the secret never leaves it. */
export const makeClient = (
  flags: ConnectionFlags,
  env: NodeJS.ProcessEnv = process.env,
): VoicePartnerPromiseClient => {
  const policy = policyFromEnv(env)
  const connection = resolveConnection(flags, env)
  const gateway = gatewayTarget(connection)
  if (gateway !== undefined) {
    return createClient({
      apiKey: "gateway",
      baseUrl: `${gateway.url}/v1`,
      fetch: gatewayFetch(gateway.token),
      policy,
    })
  }
  const { apiKey } = connection
  if (apiKey === undefined)
    throw new UsageError("VOICEPARTNER_API_KEY is not set (or use --gateway URL --token TOKEN)")
  return createClient({ apiKey, baseUrl: connection.baseUrl, policy })
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
