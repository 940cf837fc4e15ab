import type * as Result from "effect/Result"
import type * as Schema from "effect/Schema"
import type { ValidationError } from "../errors/ValidationError.js"
import type { UpstreamCall } from "../internal/http/UpstreamCall.js"
import type { Endpoint } from "../model/Endpoint.js"
import type { Validated, ValidateOptions } from "../model/Validated.js"

/**
 * What a caller may change in the upstream call built from a validated request, without
 * validating again: the gateway replaces `notifyUrl` with its own signed URL; any caller
 * may give an `Idempotency-Key` (honoured by the gateway) or a timeout for this call.
 */
export interface CallOverrides {
  readonly notifyUrl?: string | undefined
  readonly idempotencyKey?: string | undefined
  readonly timeoutMs?: number | undefined
}

/**
 * One upstream operation, described once and used by every face of the toolkit — the
 * Effect service, the Promise client, the gateway and the CLI: how to validate an input
 * (before any IO, keeping what validation computed), how to turn the request into an
 * upstream call, and how to read its success answer.
 *
 * @example
 * ```ts
 * import * as Result from "effect/Result"
 * import { TtsSend } from "@voicepartner/core/operations/TtsSend"
 *
 * const validated = TtsSend.validate({ phoneNumbers: "06 12 34 56 78", text: "Bonjour" }, { now: Date.now() })
 * if (Result.isSuccess(validated)) {
 *   const call = TtsSend.toCall(validated.success.request, { notifyUrl: "https://gw.example/cb" })
 *   call.body?.notifyUrl // "https://gw.example/cb"
 * }
 * ```
 */
export interface Operation<
  Input,
  Request,
  Success extends Schema.Decoder<unknown>,
  E extends Endpoint = Endpoint,
> {
  readonly endpoint: E
  /** Checks and normalises an input from any caller (typed or not), before any IO. */
  readonly validate: (
    input: Input | unknown,
    options: ValidateOptions,
  ) => Result.Result<Validated<Request>, ValidationError>
  /** The upstream call for a validated request. */
  readonly toCall: (request: Request, overrides?: CallOverrides) => UpstreamCall
  /** The success answer, decoded tolerantly (unknown fields kept). */
  readonly success: Success
}

/** The overrides that are the transport's, not the body's. */
export const callExtras = (overrides: CallOverrides | undefined) => ({
  ...(overrides?.idempotencyKey !== undefined && { idempotencyKey: overrides.idempotencyKey }),
  ...(overrides?.timeoutMs !== undefined && { timeoutMs: overrides.timeoutMs }),
})
