import { type Context, type Handler, Hono, type MiddlewareHandler } from "hono"
import { bodyLimit } from "hono/body-limit"
import type { ContentfulStatusCode } from "hono/utils/http-status"
import { sha256Hex } from "../auth/digest.js"
import { indexName, isBroadcastId, newBroadcastId } from "../broadcast/broadcastIds.js"
import {
  BROADCAST_FIELDS,
  type FieldNaming,
  recipientList,
  recipientNotString,
  tooManyRecipients,
  type ValidatedBroadcast,
  validateBroadcast,
} from "../broadcast/broadcastRequest.js"
import {
  type BroadcastBrief,
  type BroadcastPlan,
  type BroadcastSpec,
  type BroadcastSummary,
  CHUNK_STATES,
  type ChunkState,
  type ControlOutcome,
  endpointOf,
  type RecipientBatch,
} from "../broadcast/broadcastTypes.js"
import { costEstimate, countriesOfPrefixes } from "../broadcast/costEstimate.js"
import { csvFields, isCsv, readCsvUpload } from "../broadcast/csvUpload.js"
import { estimatedEnd } from "../broadcast/estimate.js"
import { type JsonRecipients, readJsonBody } from "../broadcast/jsonUpload.js"
import {
  batchOf,
  chunkCount,
  type PlannedRecipients,
  planRecipients,
} from "../broadcast/recipientPlan.js"
import { reportStream } from "../broadcast/reportCsv.js"
import type { Env } from "../env.js"
import { type ApiError, apiError } from "../http/apiError.js"
import type { GatewayEnv } from "../http/GatewayEnv.js"
import { type IdempotencyEnv, type IdempotencyStore, idempotency } from "../http/idempotency.js"
import { authenticate, sendError, withConfig } from "../http/middleware.js"
import { stableJson } from "../http/stableJson.js"
import { guardSend } from "../security/sendGuard.js"

/**
 * Largest body of the broadcast routes: a JSON list of 1,000,000 numbers (about 17 MB
 * written nationally with spaces) fits. The app's own limit (256 KB) does not apply: the
 * sub-app is mounted before it, with this one.
 */
export const MAX_BROADCAST_BODY_BYTES = 32 * 1024 * 1024
/** Recipients handed to the broadcast's object per RPC. */
const BATCH = 10_000
/** Rows per page of the CSV report. */
const REPORT_PAGE = 5_000
const DEFAULT_LIST = 20
const MAX_LIST = 100
const DEFAULT_RECIPIENTS = 100
const MAX_RECIPIENTS_PAGE = 1_000

/** The broadcast routes' context: the gateway's, idempotency's, and the validated request. */
export interface BroadcastEnv {
  readonly Bindings: Env
  readonly Variables: GatewayEnv["Variables"] &
    IdempotencyEnv["Variables"] & {
      broadcast: ValidatedBroadcast
      /** Canonical text of the request, for its `Idempotency-Key` fingerprint. */
      canonical: string
    }
}

type BroadcastContext = Context<BroadcastEnv>

/**
 * Where a broadcast request's fields and recipient rows come from: the body as one JSON
 * object (`recipients`: an array of strings), or a CSV upload (`Content-Type: text/csv`,
 * the fields as query parameters), with the same result: the fields in the JSON body's
 * shape and the recipients planned (each with its row), and how the request names its
 * fields. Anything not readable is the answer to give.
 */
export type BroadcastSource = (c: BroadcastContext) => Promise<
  | {
      readonly fields: Readonly<Record<string, unknown>>
      readonly recipients: PlannedRecipients
      readonly naming: FieldNaming
    }
  | { readonly refusal: ApiError }
>

const tooLargeJson = () =>
  apiError(413, "PAYLOAD_TOO_LARGE", `the request body exceeds ${MAX_BROADCAST_BODY_BYTES} bytes`)

/**
 * A JSON body's recipients as `recipientList` answers them (its messages, the same: too
 * many rows, an entry that is not a string by its index), planned as they were read.
 */
const jsonRecipients = (
  read: JsonRecipients,
):
  | { readonly ok: true; readonly recipients: PlannedRecipients }
  | { readonly ok: false; readonly error: ApiError } => {
  switch (read.kind) {
    case "planned":
      return { ok: true, recipients: read.recipients }
    case "value": {
      // Absent or not an array: recipientList's own answer (never ok).
      const list = recipientList(read.value)
      return list.ok ? { ok: true, recipients: planRecipients(list.inputs) } : list
    }
    case "tooMany":
      return { ok: false, error: tooManyRecipients(read.length) }
    case "notString":
      return { ok: false, error: recipientNotString(read.index) }
  }
}

/**
 * A broadcast's JSON body (one object), read as a stream (`broadcast/jsonUpload.ts`): its
 * fields (`apiKey` dropped: never a field of ours, drop-in mode does not apply to
 * broadcasts) and its recipients planned; or the answer: 413 past
 * {@link MAX_BROADCAST_BODY_BYTES} (counted: the body may come without Content-Length),
 * 400 `INVALID_JSON` as `parseBoundedJson` refuses the text, or not an object; 400 naming
 * `recipients` as `recipientList` does.
 *
 * @example
 * ```ts
 * const body = new Response('{"type":"tts","message":{"text":"Bonjour"},"recipients":["0612345678"]}').body
 * const read = await readJsonBroadcast(body)
 * if ("fields" in read) read.recipients.counts.valid // 1
 * ```
 */
export const readJsonBroadcast = async (
  body: ReadableStream<Uint8Array> | null,
): Promise<
  | {
      readonly fields: Readonly<Record<string, unknown>>
      readonly recipients: PlannedRecipients
    }
  | { readonly refusal: ApiError }
> => {
  const read = await readJsonBody(body, MAX_BROADCAST_BODY_BYTES)
  if (read.kind === "tooLarge") return { refusal: tooLargeJson() }
  if (read.kind === "refused")
    return { refusal: apiError(400, "INVALID_JSON", `the request body ${read.reason}`) }
  const list = jsonRecipients(read.recipients)
  return list.ok ? { fields: read.fields, recipients: list.recipients } : { refusal: list.error }
}

/** `application/json` (and any other type, as the send routes do): one JSON object. */
const jsonSource: BroadcastSource = async (c) => {
  const read = await readJsonBroadcast(c.req.raw.body)
  return "refusal" in read ? read : { ...read, naming: "json" }
}

/**
 * `text/csv`: a CRM export as it is, the message fields as query parameters (see
 * `csvUpload.ts`). The parameters are checked first, with a stand-in number, so that a
 * wrong one is answered before a large body is read; then the body is streamed through
 * core's CSV reader into the plan.
 */
const csvSource: BroadcastSource = async (c) => {
  const query = csvFields(new URL(c.req.url))
  if (!query.ok) return { refusal: query.error }
  const preflight = validateBroadcast(query.fields, planRecipients(["+33600000000"]), {
    now: Date.now(),
    quota: c.env,
    naming: "query",
  })
  if (!preflight.ok) return { refusal: preflight.error }
  const read = await readCsvUpload(c.req.raw.body, {
    column: query.column,
    contentLength: c.req.header("content-length"),
  })
  return read.ok
    ? { fields: query.fields, recipients: read.recipients, naming: "query" }
    : { refusal: read.error }
}

/** The source for a request's media type. */
const sourceFor = (contentType: string | undefined): BroadcastSource =>
  isCsv(contentType) ? csvSource : jsonSource

const jsonBodyLimit = bodyLimit({
  maxSize: MAX_BROADCAST_BODY_BYTES,
  onError: (c) => c.json(tooLargeJson().body, 413),
})

/**
 * The JSON body limit, up front from Content-Length. A body without it is counted where it
 * is read, as a stream (the JSON and CSV sources of `POST /`; the other routes read none):
 * Hono's limit would hold the whole of it in memory.
 */
const broadcastBodyLimit: MiddlewareHandler<BroadcastEnv> = (c, next) =>
  isCsv(c.req.header("content-type")) ||
  !c.req.raw.headers.has("content-length") ||
  c.req.raw.headers.has("transfer-encoding")
    ? next()
    : jsonBodyLimit(c, next)

/** A gateway error answer with a code of the broadcast routes' own. */
const conflict = (code: "BROADCAST_FINISHED" | "NOTHING_TO_RETRY", message: string): ApiError => ({
  status: 409,
  body: { success: false, error: { code, message } },
})

const notFound = (c: BroadcastContext) =>
  sendError(c, apiError(404, "NOT_FOUND", "no such broadcast"))

const invalid = (c: BroadcastContext, field: string, message: string) =>
  sendError(c, apiError(400, "VALIDATION_ERROR", `${field}: ${message}`, { field }))

const broadcastStub = (env: Env, id: string) => env.BROADCASTS.get(env.BROADCASTS.idFromName(id))
const indexStub = (env: Env, clientId: string) =>
  env.BROADCASTS.get(env.BROADCASTS.idFromName(indexName(clientId)))

/** Reads, validates and plans the request; 400 naming the field otherwise. */
const readBroadcast: MiddlewareHandler<BroadcastEnv> = async (c, next) => {
  const source = await sourceFor(c.req.header("content-type"))(c)
  if ("refusal" in source) return sendError(c, source.refusal)
  const checked = validateBroadcast(source.fields, source.recipients, {
    now: Date.now(),
    quota: c.env,
    naming: source.naming,
  })
  if (!checked.ok) return sendError(c, checked.error)
  // The outbound policy on notifyUrl and PUBLIC_URL, as for a send: before anything is stored.
  const guarded = guardSend(c.get("config"), checked.value.notifyUrl)
  if ("refusal" in guarded) return sendError(c, guarded.refusal)
  c.set("broadcast", checked.value)
  const v = checked.value
  const hex = async (bytes: ArrayBufferView) =>
    Array.from(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)), (b) =>
      b.toString(16).padStart(2, "0"),
    ).join("")
  // Canonical: the message as core encodes it, the instant of startAt, each valid number
  // at its row (so a number spelt otherwise is the same request), the row count.
  c.set(
    "canonical",
    `broadcasts/v1\n${stableJson({
      type: v.type,
      message: v.message,
      notifyUrl: v.notifyUrl ?? null,
      name: v.name ?? null,
      startAt: v.startAt ?? null,
      rows: v.plan.recipients.total,
    })}\n${await hex(v.rows.digits)}\n${await hex(v.rows.rows)}`,
  )
  await next()
}

/** The client's `Idempotency-Key`s, kept in its ledger (as for sends). */
const ledgerKeys = (c: BroadcastContext): IdempotencyStore => {
  const clientId = c.get("client").id
  const ledger = c.env.LEDGER.get(c.env.LEDGER.idFromName(clientId))
  return {
    begin: (key, hash) => ledger.beginIdempotent(clientId, key, hash),
    finish: (key, status, body) => ledger.finishIdempotent(key, status, body),
    abandon: (key) => ledger.abandonIdempotent(key),
  }
}

const keyed = idempotency<BroadcastEnv>({
  store: ledgerKeys,
  fingerprint: (c) => sha256Hex(c.get("canonical")),
})

/** `Idempotency-Key` as on sends; a dry run stores nothing, its key included. */
const idempotent: MiddlewareHandler<BroadcastEnv> = async (c, next) => {
  if (c.get("broadcast")?.dryRun === true) {
    c.set("idempotencyKey", undefined)
    return next()
  }
  return keyed(c, next)
}

/**
 * Creates a broadcast in its object: the request, then the recipients in batches, then
 * the client's index, then `start` (until then it is invisible and never runs; an
 * unfinished one deletes itself after an hour). Throws `NotStarted` when it certainly
 * did not start.
 */
const storeBroadcast = async (
  env: Env,
  spec: BroadcastSpec,
  batches: AsyncIterable<RecipientBatch> | Iterable<RecipientBatch>,
): Promise<BroadcastSummary> => {
  const stub = broadcastStub(env, spec.id)
  try {
    await stub.create(spec)
    for await (const batch of batches) await stub.addRecipients(spec.clientId, batch)
    await indexStub(env, spec.clientId).indexAdd(spec.clientId, spec.id, spec.createdAt)
  } catch (error) {
    throw new NotStarted(error)
  }
  return (await stub.start(spec.clientId)) as BroadcastSummary
}

class NotStarted extends Error {
  constructor(readonly reason: unknown) {
    super("the broadcast could not be stored")
  }
}

const notStored = (c: BroadcastContext) => {
  c.set("nothingSent", true)
  return sendError(
    c,
    apiError(503, "GATEWAY_UNAVAILABLE", "the broadcast could not be stored; nothing was sent", {
      headers: { "Retry-After": "1" },
    }),
  )
}

function* batchesOf(v: ValidatedBroadcast): Iterable<RecipientBatch> {
  for (let from = 0; from < v.rows.count; from += BATCH) yield batchOf(v.rows, from, from + BATCH)
}

/** `POST /`: the plan (`dryRun`), or the broadcast created and started. */
const create: Handler<BroadcastEnv> = async (c) => {
  const v = c.get("broadcast")
  if (v.dryRun) return c.json({ success: true, dryRun: true, plan: v.plan }, 200)
  const clientId = c.get("client").id
  const id = newBroadcastId()
  let summary: BroadcastSummary
  try {
    summary = await storeBroadcast(
      c.env,
      {
        id,
        clientId,
        type: v.type,
        message: v.message,
        notifyUrl: v.notifyUrl,
        name: v.name,
        startAt: v.startAt,
        createdAt: v.at,
        plan: v.plan,
        retryOf: undefined,
      },
      batchesOf(v),
    )
  } catch (error) {
    if (error instanceof NotStarted) return notStored(c)
    throw error
  }
  return c.json({ success: true, id, status: summary.status, plan: v.plan }, 201, {
    Location: `/v1/broadcasts/${id}`,
  })
}

const CURSOR = /^(\d{1,15})_(bc_[0-9a-f]{24})$/

/** `GET /`: the client's broadcasts, newest first, `cursor` from the previous page. */
const list: Handler<BroadcastEnv> = async (c) => {
  const clientId = c.get("client").id
  const cursor = c.req.query("cursor")
  const match = cursor === undefined ? undefined : CURSOR.exec(cursor)
  if (match === null) return invalid(c, "cursor", "is not a cursor this list gave")
  const limitText = c.req.query("limit")
  const limit = limitText === undefined ? DEFAULT_LIST : Number(limitText)
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST)
    return invalid(c, "limit", `must be an integer from 1 to ${MAX_LIST}`)
  const before =
    match === undefined ? undefined : { createdAt: Number(match[1]), id: match[2] as string }
  const page = await indexStub(c.env, clientId).indexPage(clientId, before, limit)
  const briefs = await Promise.all(
    page.entries.map(
      async (entry) =>
        (await broadcastStub(c.env, entry.id).brief(clientId)) as BroadcastBrief | null,
    ),
  )
  return c.json({
    success: true,
    // A broadcast still being created, or purged, is not listed.
    broadcasts: briefs.filter((b) => b !== null),
    nextCursor: page.next === undefined ? null : `${page.next.createdAt}_${page.next.id}`,
  })
}

/** The `:id` of the path when it can be a broadcast's; else the 404 to answer. */
const idOf = (c: BroadcastContext): string | undefined => {
  const id = c.req.param("id") ?? ""
  return isBroadcastId(id) ? id : undefined
}

/** `GET /:id`: status and counts. */
const show: Handler<BroadcastEnv> = async (c) => {
  const id = idOf(c)
  if (id === undefined) return notFound(c)
  const summary = await broadcastStub(c.env, id).summary(c.get("client").id)
  return summary === null ? notFound(c) : c.json({ success: true, ...summary })
}

/** `POST /:id/{pause,resume,cancel}`: takes effect before the next chunk. */
const control =
  (action: "pause" | "resume" | "cancel"): Handler<BroadcastEnv> =>
  async (c) => {
    const id = idOf(c)
    if (id === undefined) return notFound(c)
    const stub = broadcastStub(c.env, id)
    const clientId = c.get("client").id
    const outcome = (await (action === "pause"
      ? stub.pause(clientId)
      : action === "resume"
        ? stub.resume(clientId)
        : stub.cancel(clientId))) as ControlOutcome | null
    if (outcome === null) return notFound(c)
    if (outcome.kind === "conflict")
      return sendError(
        c,
        conflict("BROADCAST_FINISHED", `the broadcast is ${outcome.status}: it cannot ${action}`),
      )
    return c.json({ success: true, ...outcome.summary })
  }

/** `GET /:id/recipients?status=&cursor=&limit=`: per-recipient outcome, in row order. */
const recipients: Handler<BroadcastEnv> = async (c) => {
  const id = idOf(c)
  if (id === undefined) return notFound(c)
  const status = c.req.query("status")
  if (status !== undefined && !CHUNK_STATES.includes(status as ChunkState))
    return invalid(c, "status", `must be one of ${CHUNK_STATES.join(", ")}`)
  const cursor = c.req.query("cursor")
  if (cursor !== undefined && !/^\d{1,9}$/.test(cursor))
    return invalid(c, "cursor", "is not a cursor this list gave")
  const limitText = c.req.query("limit")
  const limit = limitText === undefined ? DEFAULT_RECIPIENTS : Number(limitText)
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_RECIPIENTS_PAGE)
    return invalid(c, "limit", `must be an integer from 1 to ${MAX_RECIPIENTS_PAGE}`)
  const page = await broadcastStub(c.env, id).recipients(c.get("client").id, {
    status: status as ChunkState | undefined,
    after: cursor === undefined ? 0 : Number(cursor),
    limit,
    sync: cursor === undefined,
  })
  return page === null ? notFound(c) : c.json({ success: true, ...page })
}

/** `GET /:id/report.csv`: every recipient's outcome, streamed page by page. */
const report: Handler<BroadcastEnv> = async (c) => {
  const id = idOf(c)
  if (id === undefined) return notFound(c)
  const stub = broadcastStub(c.env, id)
  const clientId = c.get("client").id
  // Owned? (and the delivery synced once, before the first page).
  const first = await stub.recipients(clientId, { after: 0, limit: 1, sync: true })
  if (first === null) return notFound(c)
  const stream = reportStream((cursor) =>
    stub.recipients(clientId, { after: cursor === null ? 0 : Number(cursor), limit: REPORT_PAGE }),
  )
  return c.body(stream, 200, {
    "Content-Type": "text/csv; charset=utf-8",
    "Content-Disposition": `attachment; filename="${id}.csv"`,
  })
}

/** Fingerprint of a retry: the broadcast and whether unknown chunks are included. */
const retryFingerprint: MiddlewareHandler<BroadcastEnv> = async (c, next) => {
  const includeUnknown = c.req.query("includeUnknown")
  if (includeUnknown !== undefined && includeUnknown !== "true" && includeUnknown !== "false")
    return invalid(c, "includeUnknown", "must be true or false")
  c.set("canonical", `broadcasts/retry/v1\n${c.req.param("id")}\n${includeUnknown === "true"}`)
  await next()
}

const retryBatches = async function* (
  env: Env,
  from: string,
  clientId: string,
  newId: string,
): AsyncIterable<RecipientBatch> {
  const old = broadcastStub(env, from)
  let first = 0
  let after = 0
  for (;;) {
    const rows = await old.retryRows(clientId, newId, after, BATCH)
    if (rows.length === 0) return
    yield {
      first,
      rows: rows.map((r) => r.row),
      e164: rows.map((r) => r.e164),
      kinds: rows.map((r) => r.kind),
    }
    first += rows.length
    after = rows.at(-1)?.row ?? after
  }
}

/**
 * `POST /:id/retry[?includeUnknown=true]`: a new broadcast of the same message to the
 * recipients whose chunk `failed` (and `unknown`, only when asked: those may have been
 * sent). Each chunk is retried once: a second retry finds nothing (409).
 */
const retry: Handler<BroadcastEnv> = async (c) => {
  const id = idOf(c)
  if (id === undefined) {
    c.set("nothingSent", true)
    return notFound(c)
  }
  const clientId = c.get("client").id
  const includeUnknown = c.req.query("includeUnknown") === "true"
  const old = broadcastStub(c.env, id)
  const newId = newBroadcastId()
  const claim = await old.claimRetry(clientId, includeUnknown, newId)
  if (claim === null || claim.kind === "nothing") {
    c.set("nothingSent", true)
    return claim === null
      ? notFound(c)
      : sendError(
          c,
          conflict(
            "NOTHING_TO_RETRY",
            `no chunk of this broadcast is failed${includeUnknown ? " or unknown" : ""} and not retried yet${includeUnknown ? "" : " (unknown chunks only with ?includeUnknown=true)"}`,
          ),
        )
  }
  const now = Date.now()
  const endpoint = endpointOf(claim.type)
  const requests = chunkCount(claim.recipients)
  const plan: BroadcastPlan = {
    recipients: {
      total: claim.recipients,
      valid: claim.recipients,
      duplicates: 0,
      empty: 0,
      ...claim.kinds,
      invalid: [],
      invalidCount: 0,
    },
    requests,
    estimatedEndAt: new Date(estimatedEnd(c.env, endpoint, requests, now)).toISOString(),
    estimatedCost: costEstimate(claim.type, claim.message, countriesOfPrefixes(claim.byPrefix)),
    warnings: [],
  }
  let summary: BroadcastSummary
  try {
    summary = await storeBroadcast(
      c.env,
      {
        id: newId,
        clientId,
        type: claim.type,
        message: claim.message,
        notifyUrl: claim.notifyUrl,
        name: `${claim.name ?? id} (retry)`.slice(0, 220),
        startAt: undefined,
        createdAt: now,
        plan,
        retryOf: id,
      },
      retryBatches(c.env, id, clientId, newId),
    )
  } catch (error) {
    if (!(error instanceof NotStarted)) throw error
    await old.releaseRetry(clientId, newId).catch(() => undefined)
    return notStored(c)
  }
  return c.json(
    { success: true, id: newId, status: summary.status, retryOf: id, plan },
    201 as ContentfulStatusCode,
    { Location: `/v1/broadcasts/${newId}` },
  )
}

/**
 * The broadcasts (mounted on `/v1/broadcasts`, before the app's body limit): campaigns of
 * any size, planned and validated here, stored in and run by one `BroadcastObject` each.
 * Client token only (operation `broadcasts`); a client sees and acts on its own only (404
 * otherwise). The fields accepted by `POST /` are {@link BROADCAST_FIELDS} and `recipients`
 * in a JSON body, or a CSV file as the body (`Content-Type: text/csv`) with the fields as
 * query parameters (`CSV_PARAMETERS` of `broadcast/csvUpload.ts`).
 *
 * | route | does |
 * |---|---|
 * | `POST /` | validate and plan (JSON or CSV); `dryRun`: 200 with the plan; else 201, stored and started |
 * | `GET /` | the client's broadcasts, newest first (`cursor`, `limit`) |
 * | `GET /:id` | status, chunk/recipient/delivery counts, cost, ETA, pause reason |
 * | `POST /:id/pause`, `/resume`, `/cancel` | control, before the next chunk |
 * | `GET /:id/recipients` | per-recipient outcome (`status`, `cursor`, `limit`) |
 * | `GET /:id/report.csv` | the same for every recipient, as CSV |
 * | `POST /:id/retry` | a new broadcast of the failed chunks' recipients (`includeUnknown`) |
 */
export const broadcastRoutes = new Hono<BroadcastEnv>()
  .use(broadcastBodyLimit, withConfig)
  .post("/", authenticate("broadcasts", undefined), readBroadcast, idempotent, create)
  .get("/", authenticate("broadcasts", undefined), list)
  .get("/:id", authenticate("broadcasts", undefined), show)
  .post("/:id/pause", authenticate("broadcasts", undefined), control("pause"))
  .post("/:id/resume", authenticate("broadcasts", undefined), control("resume"))
  .post("/:id/cancel", authenticate("broadcasts", undefined), control("cancel"))
  .post("/:id/retry", authenticate("broadcasts", undefined), retryFingerprint, keyed, retry)
  .get("/:id/recipients", authenticate("broadcasts", undefined), recipients)
  .get("/:id/report.csv", authenticate("broadcasts", undefined), report)
