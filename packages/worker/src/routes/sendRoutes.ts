import type { ValidationError } from "@voicepartner/core/errors/ValidationError"
import {
  type CampaignSendInput,
  type CampaignSendRequest,
  encodeCampaignSend,
  validateCampaignSend,
} from "@voicepartner/core/model/CampaignSendRequest"
import {
  encodeTtsSend,
  type TtsSendInput,
  type TtsSendRequest,
  validateTtsSend,
} from "@voicepartner/core/model/TtsSendRequest"
import type { Validated } from "@voicepartner/core/model/Validated"
import * as Result from "effect/Result"
import type { Context, Hono } from "hono"
import type { ContentfulStatusCode } from "hono/utils/http-status"
import { sha256Hex } from "../auth/digest.js"
import { mintCallbackPath } from "../callbacks/callbackUrl.js"
import { apiError } from "../http/apiError.js"
import type { GatewayEnv } from "../http/GatewayEnv.js"
import { localRefusal } from "../http/localRefusal.js"
import { authenticate, jsonBody } from "../http/middleware.js"
import { preferredWait } from "../http/preferWait.js"
import { respond } from "../http/respond.js"
import { stableJson } from "../http/stableJson.js"
import { validationAnswer } from "../http/validationAnswer.js"
import { waitUntilOf } from "../http/waitUntil.js"
import type { SendRecord } from "../ledger/ledgerTypes.js"
import { quotaStub } from "../quota/quotaStub.js"
import { guardSend } from "../security/sendGuard.js"
import { callUpstream, type UpstreamOutcome } from "../upstream/callUpstream.js"
import { certainlyNotSent, outcomeAnswer } from "../upstream/outcomeResponse.js"

/** What the pipeline reads of a validated send, whichever kind. */
interface SendRequest {
  readonly phoneNumbers: ReadonlyArray<string>
  readonly notifyUrl?: string | undefined
  readonly scheduledDate?: string | undefined
}

/** What differs between the two ways to send; the pipeline is the same. */
interface SendSpec<R extends SendRequest> {
  readonly endpoint: "tts/send" | "campaign/send"
  readonly validate: (
    body: Record<string, unknown>,
    now: number,
  ) => Result.Result<Validated<R>, ValidationError>
  readonly encode: (request: R) => Readonly<Record<string, unknown>>
}

const DAY_MS = 86_400_000
/** Latest `scheduledDate` a send may have: its callback URL must outlive it. */
export const MAX_SCHEDULE_AHEAD_MS = 365 * DAY_MS
/** How long a callback URL stays valid after the send goes out (statuses come later). */
const CALLBACK_GRACE_MS = 30 * DAY_MS

// Everything the gateway can judge is judged before a quota slot is taken: the
// account's quota is shared, and a request the upstream would refuse must not spend it.
const limits = (now: number) => ({ now, latestSchedule: now + MAX_SCHEDULE_AHEAD_MS })

const tts: SendSpec<TtsSendRequest> = {
  endpoint: "tts/send",
  validate: (body, now) =>
    validateTtsSend(
      { ...(body as unknown as TtsSendInput), onInvalidRecipients: "fail" },
      limits(now),
    ),
  encode: encodeTtsSend,
}

const campaign: SendSpec<CampaignSendRequest> = {
  endpoint: "campaign/send",
  validate: (body, now) =>
    validateCampaignSend(
      { ...(body as unknown as CampaignSendInput), onInvalidRecipients: "fail" },
      limits(now),
    ),
  encode: encodeCampaignSend,
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/

const field = (json: unknown, name: string): unknown =>
  typeof json === "object" && json !== null ? (json as Record<string, unknown>)[name] : undefined

const sendRecord = (
  sendId: string,
  endpoint: SendSpec<never>["endpoint"],
  createdAt: number,
  recipients: number,
  scheduledDate: string | undefined,
  outcome: UpstreamOutcome,
  status: number,
): SendRecord => {
  const json = outcome.kind === "answer" ? outcome.answer.json : undefined
  const campaignId = field(json, "campaignId")
  const cost = Number(field(json, "cost"))
  const currency = field(json, "currency")
  return {
    sendId,
    endpoint,
    createdAt,
    recipients,
    outcome:
      outcome.kind === "answer"
        ? "sent"
        : outcome.kind === "error" && outcome.error._tag === "VoicePartnerApiError"
          ? "refused"
          : "unknown",
    status,
    campaignId:
      typeof campaignId === "string" || typeof campaignId === "number"
        ? String(campaignId)
        : undefined,
    cost: Number.isFinite(cost) ? cost : undefined,
    currency: typeof currency === "string" ? currency : undefined,
    scheduledDate,
    error: outcome.kind === "error" ? outcome.error.message : undefined,
  }
}

const handleSend =
  <R extends SendRequest>(spec: SendSpec<R>) =>
  async (c: Context<GatewayEnv>): Promise<Response> => {
    const config = c.get("config")
    const client = c.get("client")
    const body = c.get("body")
    const now = Date.now()
    const validated = spec.validate(body, now)
    if (Result.isFailure(validated)) return respond(c, validationAnswer(validated.failure))
    const { request } = validated.success
    // Before any quota slot or ledger call: a bad notifyUrl or setup spends nothing.
    const guard = guardSend(config, request.notifyUrl)
    if ("refusal" in guard) return respond(c, guard.refusal)

    const key = c.req.header("idempotency-key")
    if (key !== undefined && !IDEMPOTENCY_KEY.test(key))
      return respond(
        c,
        apiError(400, "VALIDATION_ERROR", "must be 1 to 255 visible ASCII characters", {
          field: "Idempotency-Key",
        }),
      )
    const wait = preferredWait(c.req.header("prefer"))
    // A replay must still answer over quota: only keyless requests take the shortcut.
    const early = key === undefined ? localRefusal(c, spec.endpoint, wait * 1000) : undefined
    if (early !== undefined) return early
    const ledger = c.env.LEDGER.get(c.env.LEDGER.idFromName(client.id))
    if (key !== undefined) {
      const decision = await ledger.beginIdempotent(
        client.id,
        key,
        await sha256Hex(`${spec.endpoint}\n${stableJson(body)}`),
      )
      switch (decision.kind) {
        case "replay":
          return respond(c, {
            status: decision.status as ContentfulStatusCode,
            body: JSON.parse(decision.body) as unknown,
            headers: { "Idempotent-Replayed": "true" },
          })
        case "mismatch":
          return respond(
            c,
            apiError(
              422,
              "IDEMPOTENCY_KEY_REUSED",
              "this Idempotency-Key was used with another body in the last 24 h",
              {
                field: "Idempotency-Key",
              },
            ),
          )
        case "inFlight":
          return respond(
            c,
            apiError(
              409,
              "IDEMPOTENCY_IN_PROGRESS",
              "a request with this Idempotency-Key is being sent; retry shortly",
              {
                field: "Idempotency-Key",
                headers: { "Retry-After": "1" },
              },
            ),
          )
        case "proceed":
          break
      }
    }

    const sendId = crypto.randomUUID()
    const origin = guard.origin
    // A scheduled send's statuses come after its date: its URL lives past the latest one.
    const sendsBy = request.scheduledDate === undefined ? now : now + MAX_SCHEDULE_AHEAD_MS
    const callbackPath = await mintCallbackPath(
      {
        clientId: client.id,
        sendId,
        expiresAt: Math.floor((sendsBy + CALLBACK_GRACE_MS) / 1000),
        forwardTo: request.notifyUrl,
      },
      config.callbackKey,
    )
    const outcome = await callUpstream(
      config,
      quotaStub(c.env, config),
      {
        endpoint: spec.endpoint,
        body: { ...spec.encode(request), notifyUrl: `${origin}${callbackPath}` },
      },
      { maxWaitMs: wait * 1000, signal: c.req.raw.signal, waitUntil: waitUntilOf(c) },
    )
    const answer = outcomeAnswer(outcome)
    const notSent = certainlyNotSent(outcome)
    if (!notSent) {
      await ledger.recordSend(
        client.id,
        sendRecord(
          sendId,
          spec.endpoint,
          now,
          request.phoneNumbers.length,
          request.scheduledDate,
          outcome,
          answer.status,
        ),
      )
    }
    if (key !== undefined) {
      if (notSent) await ledger.abandonIdempotent(key)
      else await ledger.finishIdempotent(key, answer.status, JSON.stringify(answer.body))
    }
    return respond(
      c,
      {
        ...answer,
        headers: {
          ...answer.headers,
          ...(!notSent && { "X-Gateway-Send-Id": sendId }),
          ...(wait > 0 && { "Preference-Applied": `wait=${wait}` }),
        },
      },
      outcome.quota,
    )
  }

/** `POST /v1/tts/send` and `POST /v1/campaign/send`. */
export const sendRoutes = (app: Hono<GatewayEnv>): void => {
  app.post("/v1/tts/send", jsonBody, authenticate("tts/send", "tts/send"), handleSend(tts))
  app.post(
    "/v1/campaign/send",
    jsonBody,
    authenticate("campaign/send", "campaign/send"),
    handleSend(campaign),
  )
}
