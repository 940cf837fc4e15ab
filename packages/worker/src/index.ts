/**
 * The Voice Partner gateway Worker: the Hono app as fetch handler, and its three Durable
 * Object classes (bound in `wrangler.jsonc`).
 */
import { app } from "./app.js"

export { BroadcastObject } from "./broadcast/BroadcastObject.js"
export { ClientLedger } from "./ledger/ClientLedger.js"
export { QuotaObject } from "./quota/QuotaObject.js"

export default app satisfies ExportedHandler<import("./env.js").Env>
