import type { Endpoint } from "@voicepartner/core/model/Endpoint"
import type { ClientConfig } from "../config/ClientConfig.js"
import type { GatewayConfig } from "../config/GatewayConfig.js"
import type { Env } from "../env.js"

/** Hono's typing of the gateway: bindings and what middlewares put in the context. */
export interface GatewayEnv {
  readonly Bindings: Env
  readonly Variables: {
    config: GatewayConfig
    client: ClientConfig
    /** The JSON body of a POST, `apiKey` removed. */
    body: Record<string, unknown>
    /** A client token given the drop-in way, in the body's `apiKey`. */
    bodyToken: string | undefined
    /** The upstream endpoint a route stands for (for `RateLimit` fields). */
    endpoint: Endpoint | undefined
  }
}
