import { decodeTolerant } from "@voicepartner/core/model/responses"
import type { CallOverrides, Operation } from "@voicepartner/core/operations/Operation"
import type { UpstreamCall } from "@voicepartner/core/transport"
import * as Result from "effect/Result"
import type * as Schema from "effect/Schema"
import type { Context, Handler, MiddlewareHandler } from "hono"
import { sha256Hex } from "../auth/digest.js"
import { mintCallbackPath } from "../callbacks/callbackUrl.js"
import { type IdempotencyEnv, type IdempotencyStore, idempotency } from "../http/idempotency.js"
import { sendError } from "../http/middleware.js"
import { preferredWait } from "../http/preferWait.js"
import { stableJson } from "../http/stableJson.js"
import { validationAnswer } from "../http/validationAnswer.js"
import type { SendRecord } from "../ledger/ledgerTypes.js"
import { guardSend } from "../security/sendGuard.js"
import type { UpstreamOutcome } from "../upstream/callUpstream.js"
import { certainlyNotSent, outcomeAnswer } from "../upstream/outcomeResponse.js"
import { localRefusal, type QuotaEnv, throughQuota } from "./throughQuota.js"

// The steps of a send, in the order the routes chain them:
// validate → guard → idempotency → quota and send → record → answer.
// Everything the gateway can judge is judged before a quota slot is taken: the
// account's quota is shared, and a request the upstream would refuse must not spend it.

type SendEndpoint = "tts/send" | "campaign/send"

/** What the steps read of a validated send, whichever kind. */
interface SendRequest {
  readonly phoneNumbers: ReadonlyArray<string>
  readonly notifyUrl?: string | undefined
  readonly scheduledDate?: string | undefined
}

/** A send that passed validation, as the steps after it see it. */
export interface ValidatedSend {
  readonly endpoint: SendEndpoint
  readonly request: SendRequest
  /** Core's upstream call for this request, with the gateway's overrides. */
  readonly toCall: (overrides?: CallOverrides) => UpstreamCall
  /** The operation's success answer, to read what the upstream accepted. */
  readonly success: Schema.Decoder<unknown>
  /**
   * The upstream body as validation made it canonical (E.164 numbers in order, the
   * upstream's date format, defaults filled in), before the gateway's callback URL.
   */
  readonly upstreamBody: Readonly<Record<string, unknown>>
  /** What validation changed or noticed (a clamped rate, duplicates, landlines…). */
  readonly warnings: ReadonlyArray<{ readonly field: string; readonly message: string }>
  /** When the send was validated: its creation time. */
  readonly at: number
}

/** The context of the send routes: what each step leaves for the next. */
export interface SendEnv {
  readonly Bindings: QuotaEnv["Bindings"]
  readonly Variables: QuotaEnv["Variables"] &
    IdempotencyEnv["Variables"] & {
      validated: ValidatedSend
      /** The public origin the send's callback URL is minted on. */
      origin: string
    }
}

const DAY_MS = 86_400_000
/** Latest `scheduledDate` a send may have: its callback URL must outlive it. */
export const MAX_SCHEDULE_AHEAD_MS = 365 * DAY_MS
/** How long a callback URL stays valid after the send goes out (statuses come later). */
const CALLBACK_GRACE_MS = 30 * DAY_MS

/** What validation may accept as of `now`: dates up to a year ahead. */
export const sendLimits = (now: number) => ({ now, latestSchedule: now + MAX_SCHEDULE_AHEAD_MS })

/** Step 1: the body validated and made canonical by core, or a 400 naming the field. */
export const validate =
  <I, R extends SendRequest, S extends Schema.Decoder<unknown>>(
    operation: Operation<I, R, S, SendEndpoint>,
  ): MiddlewareHandler<SendEnv> =>
  async (c, next) => {
    const at = Date.now()
    const validated = operation.validate(
      { ...c.get("body"), onInvalidRecipients: "fail" },
      sendLimits(at),
    )
    if (Result.isFailure(validated)) return sendError(c, validationAnswer(validated.failure))
    const { request, warnings } = validated.success
    c.set("validated", {
      endpoint: operation.endpoint,
      request,
      toCall: (overrides) => operation.toCall(request, overrides),
      success: operation.success,
      upstreamBody: operation.toCall(request).body ?? {},
      warnings: warnings.map((w) => ({ field: w.field, message: w.message })),
      at,
    })
    await next()
  }

/**
 * Step 2: the deployment can mint callback URLs and the `notifyUrl` passes the outbound
 * policy, before any quota slot or ledger call: a bad notifyUrl or setup spends nothing.
 */
export const guard: MiddlewareHandler<SendEnv> = async (c, next) => {
  const checked = guardSend(c.get("config"), c.get("validated").request.notifyUrl)
  if ("refusal" in checked) return sendError(c, checked.refusal)
  c.set("origin", checked.origin)
  await next()
}

const ledgerOf = (c: Context<SendEnv>) =>
  c.env.LEDGER.get(c.env.LEDGER.idFromName(c.get("client").id))

/** A send's identity for idempotency: its endpoint and canonical upstream body. */
const fingerprint = (c: Context<SendEnv>): Promise<string> => {
  const { endpoint, upstreamBody } = c.get("validated")
  return sha256Hex(`${endpoint}\n${stableJson(upstreamBody)}`)
}

/**
 * The fingerprint keys were claimed with before it was canonical (the raw body): a key
 * claimed before the deployment still replays an identical retry. Only asked on a
 * mismatch; useless once `IDEMPOTENCY_RETENTION_HOURS` have passed since the deployment.
 */
const rawFingerprint = (c: Context<SendEnv>): Promise<string> =>
  sha256Hex(`${c.get("validated").endpoint}\n${stableJson(c.get("body"))}`)

/** The client's keys, in its ledger. */
const ledgerKeys = (c: Context<SendEnv>): IdempotencyStore => {
  const ledger = ledgerOf(c)
  const clientId = c.get("client").id
  return {
    begin: async (key, hash) => {
      const decision = await ledger.beginIdempotent(clientId, key, hash)
      if (decision.kind !== "mismatch") return decision
      const raw = await rawFingerprint(c)
      return raw === hash ? decision : await ledger.beginIdempotent(clientId, key, raw)
    },
    finish: (key, status, body) => ledger.finishIdempotent(key, status, body),
    abandon: (key) => ledger.abandonIdempotent(key),
  }
}

/**
 * Step 3: `Idempotency-Key`, on the canonical request: a retry that spells a number or
 * a date differently is the same send, replayed; the key is freed when nothing was sent.
 */
export const idempotent: MiddlewareHandler<SendEnv> = idempotency<SendEnv>({
  store: ledgerKeys,
  fingerprint,
})

/** Step 4: a quota slot and the upstream call, with the send's own signed callback URL. */
const sendThroughQuota = async (
  c: Context<SendEnv>,
  sendId: string,
  waitMs: number,
): Promise<UpstreamOutcome> => {
  const { toCall, request, at } = c.get("validated")
  // A scheduled send's statuses come after its date: its URL lives past the latest one.
  const sendsBy = request.scheduledDate === undefined ? at : at + MAX_SCHEDULE_AHEAD_MS
  const callbackPath = await mintCallbackPath(
    {
      clientId: c.get("client").id,
      sendId,
      expiresAt: Math.floor((sendsBy + CALLBACK_GRACE_MS) / 1000),
      forwardTo: request.notifyUrl,
      providerFormat: c.get("dropIn"),
    },
    c.get("config").callbackKey,
  )
  return throughQuota(c, toCall({ notifyUrl: `${c.get("origin")}${callbackPath}` }), waitMs)
}

/** What the upstream's success answer says, read with the operation's own schema. */
const accepted = (
  send: ValidatedSend,
  outcome: UpstreamOutcome,
): { readonly campaignId?: string; readonly cost?: number; readonly currency?: string } => {
  if (outcome.kind !== "answer") return {}
  const read = decodeTolerant(send.success, outcome.answer.json)
  if (Result.isFailure(read)) return {}
  const answer = read.success as { campaignId?: unknown; cost?: unknown; currency?: unknown }
  return {
    ...(answer.campaignId !== undefined && { campaignId: String(answer.campaignId) }),
    ...(typeof answer.cost === "number" && { cost: answer.cost }),
    ...(typeof answer.currency === "string" && { currency: answer.currency }),
  }
}

const sendRecord = (
  sendId: string,
  send: ValidatedSend,
  outcome: UpstreamOutcome,
  status: number,
): SendRecord => {
  const { campaignId, cost, currency } = accepted(send, outcome)
  return {
    sendId,
    endpoint: send.endpoint,
    createdAt: send.at,
    recipients: send.request.phoneNumbers.length,
    outcome:
      outcome.kind === "answer"
        ? "sent"
        : outcome.kind === "error" && outcome.error._tag === "VoicePartnerApiError"
          ? "refused"
          : "unknown",
    status,
    campaignId,
    cost,
    currency,
    scheduledDate: send.request.scheduledDate,
    error: outcome.kind === "error" ? outcome.error.message : undefined,
  }
}

/** Step 5: how a send that may have gone out ended, in the client's ledger. */
const record = (
  c: Context<SendEnv>,
  sendId: string,
  outcome: UpstreamOutcome,
  status: number,
): Promise<void> =>
  ledgerOf(c).recordSend(
    c.get("client").id,
    sendRecord(sendId, c.get("validated"), outcome, status),
  )

/**
 * Steps 4 to 6: the isolate's certain refusal (keyless requests only: a replay must
 * still answer over quota), else a slot and the call; the record; the answer, with the
 * upstream's JSON, `X-Gateway-Send-Id` when something may have gone out and
 * `Preference-Applied` when the caller asked to wait.
 */
export const send: Handler<SendEnv> = async (c) => {
  const wait = preferredWait(c.req.header("prefer"))
  const { endpoint, warnings } = c.get("validated")
  const early =
    c.get("idempotencyKey") === undefined ? localRefusal(c, endpoint, wait * 1000) : undefined
  if (early !== undefined) return early
  const sendId = crypto.randomUUID()
  const outcome = await sendThroughQuota(c, sendId, wait * 1000)
  const answer = outcomeAnswer(outcome)
  const nothingSent = certainlyNotSent(outcome)
  c.set("nothingSent", nothingSent)
  // Kept: whatever may have gone out, and what the upstream itself refused (an audit of
  // the client's sends); a refusal frees the Idempotency-Key like anything not sent.
  const recorded =
    !nothingSent || (outcome.kind === "error" && outcome.error._tag === "VoicePartnerApiError")
  if (recorded) await record(c, sendId, outcome, answer.status)
  // What the gateway changed or noticed, beside the upstream's own fields (drop-in
  // clients can ignore it); only on an answer that sent.
  const body =
    outcome.kind === "answer" && warnings.length > 0 && typeof answer.body === "object"
      ? { ...(answer.body as object), warnings }
      : (answer.body as object)
  return c.json(body, answer.status, {
    ...answer.headers,
    ...(recorded && { "X-Gateway-Send-Id": sendId }),
    ...(wait > 0 && { "Preference-Applied": `wait=${wait}` }),
  })
}
