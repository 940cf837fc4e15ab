import type { ValidationError } from "@voicepartner/core/errors/ValidationError"
import type { UpstreamCall } from "@voicepartner/core/http/UpstreamCall"
import { validateCancelCampaign } from "@voicepartner/core/model/CancelCampaignRequest"
import {
  type RenameAudioInput,
  validateRenameAudio,
} from "@voicepartner/core/model/RenameAudioRequest"
import * as Result from "effect/Result"
import type { Context, Hono } from "hono"
import { type ApiError, apiError } from "../http/apiError.js"
import type { GatewayEnv } from "../http/GatewayEnv.js"
import { localRefusal } from "../http/localRefusal.js"
import { authenticate, jsonBody } from "../http/middleware.js"
import { preferredWait } from "../http/preferWait.js"
import { respond } from "../http/respond.js"
import { validationAnswer } from "../http/validationAnswer.js"
import { waitUntilOf } from "../http/waitUntil.js"
import { quotaStub } from "../quota/quotaStub.js"
import { callUpstream } from "../upstream/callUpstream.js"
import { outcomeAnswer } from "../upstream/outcomeResponse.js"

/** Validates a request into an upstream call, or says what is wrong with it. */
type ToCall = (c: Context<GatewayEnv>) => Result.Result<UpstreamCall, ValidationError>

/** Checks a valid call may be made by this client: `undefined`, or the refusal to answer. */
type Authorize = (c: Context<GatewayEnv>, call: UpstreamCall) => Promise<ApiError | undefined>

const forward =
  (toCall: ToCall, authorize?: Authorize) =>
  async (c: Context<GatewayEnv>): Promise<Response> => {
    const call = toCall(c)
    if (Result.isFailure(call)) return respond(c, validationAnswer(call.failure))
    // Before any quota or upstream call: a refused request spends nothing shared.
    const refusal = await authorize?.(c, call.success)
    if (refusal !== undefined) return respond(c, refusal)
    const config = c.get("config")
    const wait = preferredWait(c.req.header("prefer"))
    const early = localRefusal(c, call.success.endpoint, wait * 1000)
    if (early !== undefined) return early
    const outcome = await callUpstream(config, quotaStub(c.env, config), call.success, {
      maxWaitMs: wait * 1000,
      signal: c.req.raw.signal,
      waitUntil: waitUntilOf(c),
    })
    const answer = outcomeAnswer(outcome)
    return respond(
      c,
      {
        ...answer,
        headers: { ...answer.headers, ...(wait > 0 && { "Preference-Applied": `wait=${wait}` }) },
      },
      outcome.quota,
    )
  }

const credits = forward(() => Result.succeed({ endpoint: "me" }))
const audios = forward(() => Result.succeed({ endpoint: "audios" }))
const rename = forward((c) =>
  Result.map(validateRenameAudio(c.get("body") as unknown as RenameAudioInput), ({ request }) => ({
    endpoint: "audio-file/rename",
    body: { tokenAudio: request.tokenAudio, filename: request.filename },
  })),
)
/**
 * A client cancels only campaigns it sent through the gateway (recorded as `sent` in its
 * ledger): the provider's ids are sequential, and the gateway's single upstream key could
 * cancel anyone's. Otherwise 404, as for a campaign that does not exist; drop-in callers
 * also get the provider's top-level `code` (404, its "Campaign not found").
 */
const ownCampaign: Authorize = async (c, call) => {
  const campaignId = call.pathParam ?? ""
  const client = c.get("client")
  if (await c.env.LEDGER.get(c.env.LEDGER.idFromName(client.id)).ownsCampaign(campaignId))
    return undefined
  const notFound = apiError(404, "NOT_FOUND", `no campaign ${campaignId} sent by this client`)
  return c.req.param("apiKey") === undefined
    ? notFound
    : { ...notFound, body: { ...notFound.body, code: 404 } }
}

const cancel = forward(
  (c) =>
    Result.map(
      validateCancelCampaign({ campaignId: c.req.param("campaignId") ?? "" }),
      ({ request }) => ({
        endpoint: "campaign/cancel",
        pathParam: request.campaignId,
      }),
    ),
  ownCampaign,
)

/**
 * Credits, audio files, rename and cancel, with a Bearer token or, drop-in, with the
 * token where Voice Partner puts its key (`/v1/me/{token}`, …). Cancel is limited to the
 * caller's own campaigns.
 */
export const accountRoutes = (app: Hono<GatewayEnv>): void => {
  for (const path of ["/v1/me", "/v1/me/:apiKey"]) app.get(path, authenticate("me", "me"), credits)
  for (const path of ["/v1/audios", "/v1/audios/:apiKey"])
    app.get(path, authenticate("audios", "audios"), audios)
  app.post(
    "/v1/audio-file/rename",
    jsonBody,
    authenticate("audio-file/rename", "audio-file/rename"),
    rename,
  )
  for (const path of ["/v1/campaign/cancel/:campaignId", "/v1/campaign/cancel/:apiKey/:campaignId"])
    app.delete(path, authenticate("campaign/cancel", "campaign/cancel"), cancel)
}
