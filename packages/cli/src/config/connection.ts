import { Endpoints } from "@voicepartner/core/model/Endpoint"
import {
  createClient,
  type VoicePartnerPromiseClient,
} from "@voicepartner/core/promise/createClient"
import { defaultPolicy, type RateLimitPolicy } from "@voicepartner/core/ratelimit/RateLimitPolicy"

/** Where the CLI sends: upstream with an API key, or our gateway with a bearer token. */
export interface ConnectionFlags {
  readonly baseUrl: string | undefined
  readonly gateway: string | undefined
  readonly token: string | undefined
}

/** A usage problem found before anything was sent (exit code 2). */
export class UsageError extends Error {
  readonly _tag = "UsageError"
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

/** Builds the core Promise client from flags and environment; the secret never leaves it. */
export const makeClient = (
  flags: ConnectionFlags,
  env: NodeJS.ProcessEnv = process.env,
): VoicePartnerPromiseClient => {
  const policy = policyFromEnv(env)
  if (flags.gateway !== undefined) {
    const token = flags.token ?? env.VOICEPARTNER_TOKEN
    if (token === undefined || token === "")
      throw new UsageError("--gateway needs --token or VOICEPARTNER_TOKEN")
    return createClient({
      apiKey: "gateway",
      baseUrl: `${flags.gateway.replace(/\/+$/, "")}/v1`,
      fetch: gatewayFetch(token),
      policy,
    })
  }
  const apiKey = env.VOICEPARTNER_API_KEY
  if (apiKey === undefined || apiKey === "")
    throw new UsageError("VOICEPARTNER_API_KEY is not set (or use --gateway URL --token TOKEN)")
  return createClient({ apiKey, baseUrl: flags.baseUrl, policy })
}

/** `GET /v1/campaigns/:id` on the gateway (not an upstream route, so not in core). */
export const gatewayCampaignStatus = async (
  flags: ConnectionFlags,
  id: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ readonly status: number; readonly body: unknown }> => {
  const token = flags.token ?? env.VOICEPARTNER_TOKEN
  if (flags.gateway === undefined) throw new UsageError("campaign status needs --gateway URL")
  if (token === undefined || token === "")
    throw new UsageError("--gateway needs --token or VOICEPARTNER_TOKEN")
  const url = `${flags.gateway.replace(/\/+$/, "")}/v1/campaigns/${encodeURIComponent(id)}`
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } })
  return { status: response.status, body: await response.json().catch(() => null) }
}
