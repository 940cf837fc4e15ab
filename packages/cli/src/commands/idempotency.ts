import { createHash, randomUUID } from "node:crypto"
import { encodeCampaignSend } from "@voicepartner/core/model/CampaignSendRequest"
import { encodeTtsSend } from "@voicepartner/core/model/TtsSendRequest"
import type { BulkPlan } from "@voicepartner/core/plan/BulkPlan"

/** Bumped if the derivation changes (a new version never replays an older one's keys). */
const VERSION = "vpcli1"

/** A JSON text with object keys sorted: the same fields always give the same text. */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    typeof v === "object" && v !== null && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  )

/**
 * The `Idempotency-Key` of each request of a plan sent through the gateway:
 * `vpcli1-` and the base64url SHA-256 of the operation, the canonical message fields (the
 * upstream body without its numbers: text or audio, language, speed, schedule, e-mail,
 * sender, notify URL), the chunk's index and its numbers in order — plus `nonce` with
 * `--resend`. Re-running the same command (same message, same numbers in the same order,
 * same `--chunk-size`) finds the same keys, so within the gateway's 24 h the requests that
 * went out are replayed instead of sent again; a fresh nonce makes new keys: a deliberate
 * resend.
 *
 * @example
 * ```ts
 * import * as Result from "effect/Result"
 * import { planBulk } from "@voicepartner/core/plan/BulkPlan"
 * import { collectRecipients } from "@voicepartner/core/plan/RecipientCollector"
 *
 * const plan = planBulk(
 *   { endpoint: "tts/send", message: { text: "Bonjour" } },
 *   collectRecipients(["0612345678", "0698765432"]),
 *   { now: Date.now() },
 * )
 * if (Result.isSuccess(plan)) {
 *   const key = idempotencyKeys(plan.success)
 *   key({ index: 0, numbers: plan.success.chunk(0) })
 *   // "vpcli1-CYUsz6srQCcg6QiLkA-2bc56Wyxj2R7ERV67tL3HkFE", the same on every run
 * }
 * ```
 */
export const idempotencyKeys = (
  plan: BulkPlan,
  nonce?: string | undefined,
): ((chunk: { readonly index: number; readonly numbers: ReadonlyArray<string> }) => string) => {
  const body: Record<string, unknown> =
    plan.endpoint === "tts/send"
      ? { ...encodeTtsSend(plan.request) }
      : { ...encodeCampaignSend(plan.request) }
  delete body.phoneNumbers
  const head = canonical([VERSION, plan.endpoint, body, nonce ?? null])
  return ({ index, numbers }) =>
    `${VERSION}-${createHash("sha256")
      .update(`${head}\n${index}\n${numbers.join(",")}`)
      .digest("base64url")}`
}

/** A nonce for `--resend`: every run gets new keys. */
export const freshNonce = (): string => randomUUID()
