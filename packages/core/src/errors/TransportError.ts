import * as Schema from "effect/Schema"
import { Endpoints } from "../model/Endpoint.js"

/**
 * No usable answer came back. The reason tells whether the request can have reached
 * Voice Partner, which decides whether a send may be retried:
 * - `ConnectFailed`: refused or unresolved before anything was sent — safe to retry;
 * - `Timeout`, `ConnectionDropped`: the request may have been processed — a send is not
 *   retried by default, or messages could go out twice.
 *
 * @example
 * ```ts
 * if (error._tag === "TransportError" && error.reason !== "ConnectFailed") checkCampaignsBeforeResending()
 * ```
 */
export class TransportError extends Schema.TaggedError<TransportError>()("TransportError", {
  reason: Schema.Literals(["ConnectFailed", "Timeout", "ConnectionDropped"]),
  endpoint: Schema.Literals(Endpoints),
  detail: Schema.String,
  retryable: Schema.Boolean,
}) {
  override get message(): string {
    return `Voice Partner ${this.endpoint}: ${this.reason} (${this.detail})`
  }
}
