import type { Env as GatewayBindings } from "../src/env.js"

declare global {
  namespace Cloudflare {
    // The test module's `env` has the gateway's bindings.
    interface Env extends GatewayBindings {}
  }
}
