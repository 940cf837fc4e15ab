import { decodeTolerant, TtsCallback, VmsCallback } from "@voicepartner/core/model/responses"
import { parsePhoneNumber } from "@voicepartner/core/phone/parsePhoneNumber"
import * as Result from "effect/Result"
import { PROVIDER_CALLBACK, providerCallback } from "../ledger/forwardRequest.js"
import type { CallbackEvent } from "../ledger/ledgerTypes.js"
import type { CallbackClaims } from "./callbackUrl.js"

const e164 = (raw: string): string => {
  const parsed = parsePhoneNumber(raw)
  return parsed.ok ? parsed.value.e164 : raw
}

/**
 * Turns a provider callback into the event stored and forwarded: a voice SMS status
 * (JSON POST, one per number) or a voicemail drop's end-of-campaign counts (GET query).
 * Fails with a readable reason when the payload is not one of these. For a drop-in send
 * that gave its own `notifyUrl` (`claims.providerFormat`), the data also keeps the callback
 * as it came (`providerCallback`), to be forwarded there unchanged (`forwardRequest.ts`).
 *
 * @example
 * ```ts
 * import type { CallbackClaims } from "./callbackUrl.js"
 *
 * const claims: CallbackClaims = { clientId: "dev", sendId: "s-1", expiresAt: 1_767_225_600, forwardTo: undefined }
 * callbackEvent(claims, "POST", { campaignId: "42", status: "delivered", phoneNumber: "0033612345678" })
 * // Result.succeed({ sendId: "s-1", campaignId: "42", phoneNumber: "+33612345678", status: "delivered", type: "tts.status", … })
 * ```
 */
export const callbackEvent = (
  claims: CallbackClaims,
  method: "GET" | "POST",
  payload: unknown,
): Result.Result<CallbackEvent, string> => {
  // A drop-in send's own notifyUrl gets the callback as the provider sent it: kept as it
  // came. Never from the payload itself: a field of that name in it is dropped.
  const asReceived =
    claims.providerFormat === true && claims.forwardTo !== undefined
      ? { [PROVIDER_CALLBACK]: providerCallback(method, payload) }
      : {}
  if (method === "POST") {
    return Result.map(decodeTolerant(TtsCallback, payload), ({ [PROVIDER_CALLBACK]: _, ...cb }) => {
      const phoneNumber = e164(cb.phoneNumber)
      return {
        sendId: claims.sendId,
        campaignId: String(cb.campaignId),
        phoneNumber,
        status: cb.status,
        type: "tts.status",
        data: {
          ...cb,
          sendId: claims.sendId,
          campaignId: String(cb.campaignId),
          phoneNumber,
          ...asReceived,
        },
        forwardTo: claims.forwardTo,
      }
    })
  }
  return Result.map(decodeTolerant(VmsCallback, payload), ({ [PROVIDER_CALLBACK]: _, ...cb }) => ({
    sendId: claims.sendId,
    campaignId: cb.campaign_id,
    phoneNumber: "",
    status: `delivered ${cb.delivered_quantity}/${cb.total_quantity}`,
    type: "voicemail.status",
    data: {
      ...cb,
      sendId: claims.sendId,
      campaignId: cb.campaign_id,
      deliveredQuantity: cb.delivered_quantity,
      totalQuantity: cb.total_quantity,
      ...asReceived,
    },
    forwardTo: claims.forwardTo,
  }))
}
