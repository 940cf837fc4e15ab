import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { sha256Hex } from "../auth/digest.js"
import type { Env } from "../env.js"
import { type OutboundAllowList, parseOutboundAllowList } from "../security/outboundAllowList.js"
import { parsePublicOrigin } from "../security/publicOrigin.js"
import { broadcastReserve } from "./broadcastReserve.js"
import { type ClientConfig, parseClients } from "./ClientConfig.js"
import { ratePolicy } from "./policyOverride.js"

/** Everything the gateway reads from its bindings, decoded once per isolate. */
export interface GatewayConfig {
  readonly apiKey: Redacted.Redacted<string>
  /** SHA-256 of the API key (hex): names the account's quota object without the key. */
  readonly accountId: string
  readonly baseUrl: string
  readonly callbackKey: Redacted.Redacted<string>
  /**
   * The gateway's public origin (`PUBLIC_URL`), the only one callback URLs are minted
   * on; unset: sends are refused (500 naming it), every other route works.
   */
  readonly publicUrl: string | undefined
  /** `host:port` pairs reachable over plain http or on local addresses (`OUTBOUND_HTTP_ALLOW`). */
  readonly outboundHttpAllow: OutboundAllowList
  readonly clients: ReadonlyArray<ClientConfig>
  /** Delays (ms) before each webhook retry; the event is given up after the last. */
  readonly webhookRetryScheduleMs: ReadonlyArray<number>
}

/** The gateway cannot start: a binding is missing or malformed (the text names it). */
export class GatewayMisconfigured extends Schema.TaggedError<GatewayMisconfigured>()(
  "GatewayMisconfigured",
  { problem: Schema.String },
) {}

/** The secrets without which nothing works. */
const REQUIRED_SECRETS = ["VOICEPARTNER_API_KEY", "CLIENTS", "CALLBACK_SIGNING_KEY"] as const

const DEFAULT_SCHEDULE = "5,30,120,600,1800,3600,10800,21600,43200"

const settings = Config.all({
  apiKey: Config.Redacted("VOICEPARTNER_API_KEY"),
  clients: Config.Redacted("CLIENTS"),
  callbackKey: Config.Redacted("CALLBACK_SIGNING_KEY"),
  baseUrl: Config.String("VOICEPARTNER_BASE_URL").pipe(
    Config.withDefault("https://api.voicepartner.fr/v1"),
  ),
  publicUrl: Config.String("PUBLIC_URL").pipe(Config.withDefault("")),
  outboundHttpAllow: Config.String("OUTBOUND_HTTP_ALLOW").pipe(Config.withDefault("")),
  schedule: Config.String("WEBHOOK_RETRY_SCHEDULE").pipe(Config.withDefault(DEFAULT_SCHEDULE)),
})

const stringBindings = (env: Env): Record<string, string> =>
  Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => typeof entry[1] === "string"),
  )

/** Reads and checks the configuration from the Worker's bindings through `Config`. */
export const loadGatewayConfig = (env: Env): Effect.Effect<GatewayConfig, GatewayMisconfigured> =>
  settings.parse(ConfigProvider.fromEnvRecord(stringBindings(env))).pipe(
    Effect.mapError(() => {
      // Name what is missing, never a value: the bindings hold secrets.
      const present = stringBindings(env)
      const missing = REQUIRED_SECRETS.filter((name) => (present[name] ?? "").trim() === "")
      return new GatewayMisconfigured({
        problem: `${missing.join(", ") || REQUIRED_SECRETS.join(", ")} ${missing.length === 1 ? "is" : "are"} not set (wrangler secret put ${missing[0] ?? "…"})`,
      })
    }),
    Effect.flatMap((s) => {
      const publicUrl = s.publicUrl.trim() === "" ? undefined : parsePublicOrigin(s.publicUrl)
      if (publicUrl !== undefined && !publicUrl.ok)
        return Effect.fail(new GatewayMisconfigured({ problem: publicUrl.reason }))
      const allow = parseOutboundAllowList(s.outboundHttpAllow)
      if (!allow.ok) return Effect.fail(new GatewayMisconfigured({ problem: allow.reason }))
      const parsed = parseClients(Redacted.value(s.clients), allow.value)
      if (!parsed.ok) return Effect.fail(new GatewayMisconfigured({ problem: parsed.reason }))
      const policy = ratePolicy(env.RATE_LIMIT_POLICY)
      if (!policy.ok) return Effect.fail(new GatewayMisconfigured({ problem: policy.reason }))
      const reserve = broadcastReserve(env.BROADCAST_RESERVE, policy.value)
      if (!reserve.ok) return Effect.fail(new GatewayMisconfigured({ problem: reserve.reason }))
      const schedule = s.schedule.split(",").map((part) => Number(part.trim()))
      if (schedule.some((n) => !Number.isFinite(n) || n < 0))
        return Effect.fail(
          new GatewayMisconfigured({
            problem: "WEBHOOK_RETRY_SCHEDULE must be seconds separated by commas",
          }),
        )
      if (Redacted.value(s.callbackKey).length < 16)
        return Effect.fail(
          new GatewayMisconfigured({
            problem: "CALLBACK_SIGNING_KEY must be at least 16 characters",
          }),
        )
      return Effect.map(
        Effect.promise(() => sha256Hex(Redacted.value(s.apiKey))),
        (accountId): GatewayConfig => ({
          apiKey: s.apiKey,
          accountId,
          baseUrl: s.baseUrl,
          callbackKey: s.callbackKey,
          publicUrl: publicUrl?.value,
          outboundHttpAllow: allow.value,
          clients: parsed.value,
          webhookRetryScheduleMs: schedule.map((n) => n * 1000),
        }),
      )
    }),
  )

const cache = new WeakMap<Env, Promise<GatewayConfig | GatewayMisconfigured>>()

/** The decoded configuration, cached per `env` object (one per isolate). */
export const gatewayConfig = (env: Env): Promise<GatewayConfig | GatewayMisconfigured> => {
  let config = cache.get(env)
  if (config === undefined) {
    config = Effect.runPromise(Effect.catch(loadGatewayConfig(env), (e) => Effect.succeed(e)))
    cache.set(env, config)
  }
  return config
}
