import type { GatewayConfig } from "../config/GatewayConfig.js"
import type { Env } from "../env.js"
import type { QuotaObject } from "./QuotaObject.js"

/** The quota object of the configured upstream account (named by a hash of its key). */
export const quotaStub = (env: Env, config: GatewayConfig): DurableObjectStub<QuotaObject> =>
  env.QUOTA.get(env.QUOTA.idFromName(`account:${config.accountId}`))
