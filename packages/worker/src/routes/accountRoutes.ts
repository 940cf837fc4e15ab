import type { ValidationError } from "@voicepartner/core/errors/ValidationError"
import { CancelCampaign } from "@voicepartner/core/operations/CancelCampaign"
import type { Operation } from "@voicepartner/core/operations/Operation"
import { Audios, Credits } from "@voicepartner/core/operations/Reads"
import { RenameAudio } from "@voicepartner/core/operations/RenameAudio"
import type { UpstreamCall } from "@voicepartner/core/transport"
import * as Result from "effect/Result"
import type * as Schema from "effect/Schema"
import { type Context, Hono } from "hono"
import { type ApiError, apiError } from "../http/apiError.js"
import { authenticate, jsonBody, sendError } from "../http/middleware.js"
import { preferredWait } from "../http/preferWait.js"
import { validationAnswer } from "../http/validationAnswer.js"
import { outcomeAnswer } from "../upstream/outcomeResponse.js"
import { localRefusal, type QuotaEnv, throughQuota } from "./throughQuota.js"

/** Validates a request into an upstream call, or says what is wrong with it. */
type ToCall = (c: Context<QuotaEnv>) => Result.Result<UpstreamCall, ValidationError>

/** Checks a valid call may be made by this client: `undefined`, or the refusal to answer. */
type Authorize = (c: Context<QuotaEnv>, call: UpstreamCall) => Promise<ApiError | undefined>

/**
 * A handler that validates, authorizes, then makes the call through the account's quota
 * and answers the upstream's JSON (`Preference-Applied` when the caller asked to wait).
 */
const forward =
  (toCall: ToCall, authorize?: Authorize) =>
  async (c: Context<QuotaEnv>): Promise<Response> => {
    const call = toCall(c)
    if (Result.isFailure(call)) return sendError(c, validationAnswer(call.failure))
    // Before any quota or upstream call: a refused request spends nothing shared.
    const refusal = await authorize?.(c, call.success)
    if (refusal !== undefined) return sendError(c, refusal)
    const wait = preferredWait(c.req.header("prefer"))
    const early = localRefusal(c, call.success.endpoint, wait * 1000)
    if (early !== undefined) return early
    const answer = outcomeAnswer(await throughQuota(c, call.success, wait * 1000))
    return c.json(answer.body as object, answer.status, {
      ...answer.headers,
      ...(wait > 0 && { "Preference-Applied": `wait=${wait}` }),
    })
  }

/** Core's operation turned into this route's call: validated, then built by core. */
const operationCall =
  <I, R>(
    operation: Operation<I, R, Schema.Decoder<unknown>>,
    input: (c: Context<QuotaEnv>) => unknown,
  ): ToCall =>
  (c) =>
    Result.map(operation.validate(input(c), { now: Date.now() }), ({ request }) =>
      operation.toCall(request),
    )

const credits = forward(operationCall(Credits, () => undefined))
const audios = forward(operationCall(Audios, () => undefined))
const rename = forward(operationCall(RenameAudio, (c) => c.get("body")))
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
  operationCall(CancelCampaign, (c) => ({ campaignId: c.req.param("campaignId") ?? "" })),
  ownCampaign,
)

/**
 * Credits, audio files, rename and cancel (mounted on `/v1`), with a Bearer token or,
 * drop-in, with the token where Voice Partner puts its key (`/v1/me/{token}`, …). Cancel
 * is limited to the caller's own campaigns.
 */
export const accountRoutes = new Hono<QuotaEnv>()
  .get("/me", authenticate("me", "me"), credits)
  .get("/me/:apiKey", authenticate("me", "me"), credits)
  .get("/audios", authenticate("audios", "audios"), audios)
  .get("/audios/:apiKey", authenticate("audios", "audios"), audios)
  .post(
    "/audio-file/rename",
    jsonBody,
    authenticate("audio-file/rename", "audio-file/rename"),
    rename,
  )
  .delete(
    "/campaign/cancel/:campaignId",
    authenticate("campaign/cancel", "campaign/cancel"),
    cancel,
  )
  .delete(
    "/campaign/cancel/:apiKey/:campaignId",
    authenticate("campaign/cancel", "campaign/cancel"),
    cancel,
  )
