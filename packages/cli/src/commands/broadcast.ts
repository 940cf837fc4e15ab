import { createHash, randomUUID } from "node:crypto"
import { once } from "node:events"
import { createWriteStream, readFileSync } from "node:fs"
import { Readable } from "node:stream"
import { pipeline } from "node:stream/promises"
import * as Effect from "effect/Effect"
import type { ConnectionFlags } from "../config/connection.js"
import { UsageError } from "../config/UsageError.js"
import { resolveText } from "../input/messageText.js"
import {
  briefLine,
  type PlanJson,
  progressBar,
  progressJson,
  progressLine,
  renderPlan,
  renderSummary,
  type SummaryJson,
} from "./broadcastFormat.js"
import {
  answerError,
  callGateway,
  type GatewayAnswer,
  GatewayError,
  type GatewayTarget,
  gatewayOf,
} from "./broadcastGateway.js"
import { ask, canAsk } from "./confirm.js"
import { ExitCode } from "./ExitCode.js"
import { attempt, fromPromise } from "./handler.js"

/**
 * How `broadcast watch` ends, for scripts: the broadcast's final state. (2 and 3 keep their
 * meaning: a usage error, a gateway that refused or could not be reached.)
 */
export const WatchExit = {
  /** Completed, every chunk sent. */
  Completed: 0,
  /** Completed with failed or unknown chunks (see `broadcast report`, `broadcast retry`). */
  CompletedWithFailures: 1,
  /** Paused: by the client, or by an error that will not get better (the reason is printed). */
  Paused: 4,
  /** Cancelled. */
  Cancelled: 5,
} as const

const out = (text: string) => process.stdout.write(`${text}\n`)
const err = (text: string) => process.stderr.write(`${text}\n`)
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const ID = /^bc_[0-9a-f]{24}$/

/** The broadcast id argument, checked before anything is asked of the gateway. */
const checkedId = (id: string): string => {
  if (!ID.test(id)) throw new UsageError(`"${id}" is not a broadcast id (bc_ and 24 hex digits)`)
  return id
}

/** Flags of `broadcast create`. */
export interface CreateFlags extends ConnectionFlags {
  readonly type: "voicemail" | "tts" | undefined
  readonly to: ReadonlyArray<string>
  readonly toFile: string | undefined
  readonly column: string | undefined
  readonly audio: string | undefined
  readonly email: string | undefined
  readonly sender: string | undefined
  readonly text: string | undefined
  readonly textFile: string | undefined
  readonly lang: string | undefined
  readonly rate: number | undefined
  readonly name: string | undefined
  readonly startAt: string | undefined
  readonly notifyUrl: string | undefined
  readonly dryRun: boolean
  readonly yes: boolean
  readonly json: boolean
  readonly resend: boolean
}

/** A broadcast request, ready to send (as a dry run, or for real). */
interface CreateRequest {
  readonly type: "voicemail" | "tts"
  /** `/v1/broadcasts?…` for a dry run and for real. */
  readonly path: (dryRun: boolean) => string
  readonly contentType: string
  readonly body: (dryRun: boolean) => Uint8Array
}

const readAll = async (stream: AsyncIterable<Uint8Array>): Promise<Buffer> => {
  const parts: Array<Buffer> = []
  for await (const part of stream) parts.push(Buffer.from(part))
  return Buffer.concat(parts)
}

/**
 * The request of `broadcast create`: a CSV file (or stdin) uploaded as it is, the message
 * as query parameters; or the numbers of `--to` as the JSON form.
 */
const buildRequest = async (flags: CreateFlags): Promise<CreateRequest> => {
  const fromFile = flags.toFile !== undefined
  if (fromFile === flags.to.length > 0)
    throw new UsageError(
      "give the recipients once: --to-file FILE (a CSV, uploaded as it is; - for stdin) or --to NUMBERS",
    )
  if (flags.column !== undefined && !fromFile)
    throw new UsageError("--column chooses the phone column of --to-file's CSV")
  const stdinForText = flags.toFile === "-"
  const text = await resolveText({ flag: flags.text, file: flags.textFile }, stdinForText)
  const type = flags.type ?? (text !== undefined ? "tts" : "voicemail")
  const message: Record<string, string | number> = {}
  const set = (key: string, value: string | number | undefined) => {
    if (value !== undefined) message[key] = value
  }
  set("tokenAudio", flags.audio)
  set("emailForNotification", flags.email)
  set("sender", flags.sender)
  set("text", text)
  set("lang", flags.lang)
  set("speechRate", flags.rate)
  const extra: Record<string, string> = {}
  if (flags.name !== undefined) extra.name = flags.name
  if (flags.startAt !== undefined) extra.startAt = flags.startAt
  if (flags.notifyUrl !== undefined) extra.notifyUrl = flags.notifyUrl
  if (fromFile) {
    const file = flags.toFile as string
    let bytes: Buffer
    try {
      bytes = file === "-" ? await readAll(process.stdin) : readFileSync(file)
    } catch (cause) {
      const code = (cause as { code?: string }).code ?? "unreadable"
      throw new UsageError(`--to-file: cannot read "${file}" (${code})`)
    }
    const query = (dryRun: boolean) => {
      const params = new URLSearchParams({ type })
      for (const [k, v] of Object.entries(message)) params.set(k, String(v))
      for (const [k, v] of Object.entries(extra)) params.set(k, v)
      if (flags.column !== undefined) params.set("column", flags.column)
      if (dryRun) params.set("dryRun", "true")
      return params.toString()
    }
    return {
      type,
      path: (dryRun) => `/v1/broadcasts?${query(dryRun)}`,
      contentType: "text/csv",
      body: () => bytes,
    }
  }
  const recipients = flags.to
    .flatMap((v) => v.split(/[,;]/))
    .map((v) => v.trim())
    .filter((v) => v.length > 0)
  return {
    type,
    path: () => "/v1/broadcasts",
    contentType: "application/json",
    body: (dryRun) =>
      Buffer.from(
        JSON.stringify({ type, message, recipients, ...extra, ...(dryRun && { dryRun: true }) }),
      ),
  }
}

/**
 * The `Idempotency-Key` of a creation: derived from what is sent (path, type, body), so
 * that the same command re-run within the gateway's 24 h answers the broadcast it created
 * instead of creating another; `--resend` adds a fresh nonce.
 */
const creationKey = (request: CreateRequest, nonce: string | undefined): string => {
  const hash = createHash("sha256")
  hash.update(`vpcli-bc1\n${request.path(false)}\n${request.contentType}\n${nonce ?? ""}\n`)
  hash.update(request.body(false))
  return `vpcli-bc1-${hash.digest("base64url")}`
}

const post = (target: GatewayTarget, request: CreateRequest, dryRun: boolean, key?: string) =>
  callGateway(target, request.path(dryRun), {
    method: "POST",
    headers: {
      "content-type": request.contentType,
      ...(key !== undefined && { "idempotency-key": key }),
    },
    body: request.body(dryRun),
  })

/**
 * `broadcast create`: asks the gateway for the plan (a dry run: nothing stored), shows it,
 * stops there with `--dry-run`; else asks for a confirmation on a terminal (`--yes` for
 * scripts; without a terminal and without `--yes`, refuses with exit 2), then creates the
 * broadcast (the gateway runs it) with an `Idempotency-Key` derived from the request.
 */
export const createBroadcast = (flags: CreateFlags): Effect.Effect<ExitCode, unknown> =>
  Effect.gen(function* () {
    const target = yield* attempt(() => gatewayOf(flags))
    const request = yield* fromPromise(() => buildRequest(flags))
    const planned = yield* fromPromise(() => post(target, request, true))
    if (planned.status !== 200) return yield* Effect.fail(answerError(planned, "plan refused"))
    const plan = planned.json.plan as PlanJson
    const now = Date.now()
    if (flags.dryRun) {
      out(
        flags.json
          ? JSON.stringify(planned.json)
          : renderPlan(plan, { type: request.type, dryRun: true, now }),
      )
      return ExitCode.Ok
    }
    if (!flags.json) err(renderPlan(plan, { type: request.type, dryRun: false, now }))
    if (!flags.yes) {
      const stdinTaken = flags.toFile === "-" || flags.textFile === "-" || flags.text === "-"
      if (!canAsk(stdinTaken)) {
        err(
          `not sent: a broadcast is confirmed before it is created — pass --yes to create it (${stdinTaken ? "stdin holds the input, so nothing can be asked" : "on a terminal you would be asked"}).`,
        )
        return ExitCode.Usage
      }
      const yes = yield* ask(
        `Create this broadcast: ${plan.recipients.valid.toLocaleString("en-US")} recipients in ${plan.requests.toLocaleString("en-US")} requests? [y/N] `,
      )
      if (!yes) {
        err("not sent.")
        return ExitCode.Usage
      }
    }
    const key = creationKey(request, flags.resend ? randomUUID() : undefined)
    const created = yield* fromPromise(() => post(target, request, false, key))
    if (created.status !== 201) return yield* Effect.fail(answerError(created, "not created"))
    const replayed = created.headers.get("idempotent-replayed") === "true"
    if (flags.json) out(JSON.stringify({ ...created.json, replayed }))
    else {
      out(
        `${replayed ? "already created (the same request within 24 h; --resend creates another)" : "created"}: ${created.json.id} (${created.json.status}) — ${created.json.plan.recipients.valid.toLocaleString("en-US")} recipients in ${created.json.plan.requests.toLocaleString("en-US")} requests`,
      )
      err(`follow it with: voicepartner broadcast watch ${created.json.id}`)
    }
    return ExitCode.Ok
  })

/** Flags of the commands that take a broadcast id. */
export interface IdFlags extends ConnectionFlags {
  readonly id: string
  readonly json: boolean
}

const get = async (target: GatewayTarget, id: string): Promise<SummaryJson> => {
  const answer = await callGateway(target, `/v1/broadcasts/${id}`)
  if (answer.status !== 200) throw answerError(answer, `broadcast ${id}`)
  return answer.json as SummaryJson
}

/** `broadcast status ID`. */
export const showBroadcast = (flags: IdFlags): Effect.Effect<ExitCode, unknown> =>
  Effect.gen(function* () {
    const id = yield* attempt(() => checkedId(flags.id))
    const target = yield* attempt(() => gatewayOf(flags))
    const summary = yield* fromPromise(() => get(target, id))
    out(flags.json ? JSON.stringify(summary) : renderSummary(summary, Date.now()))
    return ExitCode.Ok
  })

/** `broadcast list [--limit N] [--cursor C]`: newest first. */
export const listBroadcasts = (
  flags: ConnectionFlags & {
    readonly json: boolean
    readonly limit: number | undefined
    readonly cursor: string | undefined
  },
): Effect.Effect<ExitCode, unknown> =>
  Effect.gen(function* () {
    const target = yield* attempt(() => gatewayOf(flags))
    const query = new URLSearchParams()
    if (flags.limit !== undefined) query.set("limit", String(flags.limit))
    if (flags.cursor !== undefined) query.set("cursor", flags.cursor)
    const answer = yield* fromPromise(() =>
      callGateway(target, `/v1/broadcasts${query.size > 0 ? `?${query}` : ""}`),
    )
    if (answer.status !== 200) return yield* Effect.fail(answerError(answer, "list refused"))
    if (flags.json) out(JSON.stringify(answer.json))
    else {
      const list = answer.json.broadcasts as ReadonlyArray<SummaryJson>
      if (list.length === 0) out("no broadcasts")
      for (const b of list) out(briefLine(b))
      if (answer.json.nextCursor !== null)
        err(`more: voicepartner broadcast list --cursor ${answer.json.nextCursor}`)
    }
    return ExitCode.Ok
  })

/** `broadcast pause|resume|cancel ID`: before the next chunk (a chunk in flight completes). */
export const controlBroadcast =
  (action: "pause" | "resume" | "cancel") =>
  (flags: IdFlags): Effect.Effect<ExitCode, unknown> =>
    Effect.gen(function* () {
      const id = yield* attempt(() => checkedId(flags.id))
      const target = yield* attempt(() => gatewayOf(flags))
      const answer = yield* fromPromise(() =>
        callGateway(target, `/v1/broadcasts/${id}/${action}`, { method: "POST" }),
      )
      if (answer.status !== 200) return yield* Effect.fail(answerError(answer, `${action} refused`))
      out(
        flags.json
          ? JSON.stringify(answer.json)
          : `${id}: ${answer.json.status}${answer.json.chunks.inFlight > 0 ? " (the chunk in flight completes)" : ""}`,
      )
      return ExitCode.Ok
    })

/** `broadcast retry ID [--include-unknown]`: a new broadcast of the failed chunks' recipients. */
export const retryBroadcast = (
  flags: IdFlags & { readonly includeUnknown: boolean },
): Effect.Effect<ExitCode, unknown> =>
  Effect.gen(function* () {
    const id = yield* attempt(() => checkedId(flags.id))
    const target = yield* attempt(() => gatewayOf(flags))
    const answer = yield* fromPromise(() =>
      callGateway(
        target,
        `/v1/broadcasts/${id}/retry${flags.includeUnknown ? "?includeUnknown=true" : ""}`,
        { method: "POST" },
      ),
    )
    if (answer.status !== 201) return yield* Effect.fail(answerError(answer, "retry refused"))
    out(
      flags.json
        ? JSON.stringify(answer.json)
        : `retry created: ${answer.json.id} (${answer.json.status}) — ${answer.json.plan.recipients.valid.toLocaleString("en-US")} recipients of ${id} sent again`,
    )
    return ExitCode.Ok
  })

/** `broadcast report ID [--out FILE]`: every recipient's outcome, as CSV. */
export const reportBroadcast = (
  flags: ConnectionFlags & { readonly id: string; readonly out: string | undefined },
): Effect.Effect<ExitCode, unknown> =>
  Effect.gen(function* () {
    const id = yield* attempt(() => checkedId(flags.id))
    const target = yield* attempt(() => gatewayOf(flags))
    const answer = yield* fromPromise(() =>
      callGateway(target, `/v1/broadcasts/${id}/report.csv`, { raw: true }),
    )
    const body = answer.response?.body
    if (answer.status !== 200 || body === undefined || body === null)
      return yield* Effect.fail(answerError(answer, "report refused"))
    yield* fromPromise(async () => {
      const source = Readable.fromWeb(body as import("node:stream/web").ReadableStream)
      if (flags.out === undefined) {
        for await (const chunk of source)
          if (!process.stdout.write(chunk)) await once(process.stdout, "drain")
      } else await pipeline(source, createWriteStream(flags.out))
    })
    if (flags.out !== undefined) err(`report written to ${flags.out}`)
    return ExitCode.Ok
  })

/** The exit code of a broadcast that is finished or paused; `undefined` while it runs. */
const endOf = (s: SummaryJson): number | undefined =>
  s.status === "completed"
    ? s.chunks.failed + s.chunks.unknown > 0
      ? WatchExit.CompletedWithFailures
      : WatchExit.Completed
    : s.status === "paused"
      ? WatchExit.Paused
      : s.status === "cancelled"
        ? WatchExit.Cancelled
        : undefined

/** Gateway answers in a row that may fail (a restart, a network blip) before watch gives up. */
const MAX_FAILED_POLLS = 15

/**
 * `broadcast watch ID`: polls the broadcast every `--interval` seconds until it is
 * completed, paused or cancelled (its exit code says which, {@link WatchExit}). On a
 * terminal a progress bar with the ETA is redrawn on stderr; with `--json` each change is
 * an NDJSON line on stdout; otherwise a line per change on stderr. The broadcast runs on
 * the gateway: stopping the watch (Ctrl-C) does not stop it.
 */
export const watchBroadcast = (
  flags: IdFlags & { readonly interval: number },
): Effect.Effect<number, unknown> =>
  Effect.gen(function* () {
    const id = yield* attempt(() => checkedId(flags.id))
    if (!Number.isFinite(flags.interval) || flags.interval < 0.2 || flags.interval > 3600)
      return yield* Effect.fail(
        new UsageError(`--interval: seconds between polls, 0.2 to 3600, got ${flags.interval}`),
      )
    const target = yield* attempt(() => gatewayOf(flags))
    const tty = process.stderr.isTTY === true && !flags.json
    const color = tty && process.env.NO_COLOR === undefined
    return yield* fromPromise(async () => {
      let failures = 0
      let last = ""
      for (;;) {
        let answer: GatewayAnswer
        try {
          answer = await callGateway(target, `/v1/broadcasts/${id}`)
        } catch (error) {
          if (!(error instanceof GatewayError) || ++failures >= MAX_FAILED_POLLS) throw error
          await sleep(flags.interval * 1000)
          continue
        }
        if (answer.status >= 500 && ++failures < MAX_FAILED_POLLS) {
          await sleep(flags.interval * 1000)
          continue
        }
        if (answer.status !== 200) throw answerError(answer, `broadcast ${id}`)
        failures = 0
        const s = answer.json as SummaryJson
        const now = Date.now()
        const end = endOf(s)
        const seen = JSON.stringify([
          s.status,
          s.chunks,
          s.recipientCounts,
          s.delivery,
          s.pauseReason,
        ])
        if (flags.json) {
          if (seen !== last || end !== undefined)
            out(
              JSON.stringify(
                end === undefined
                  ? progressJson(s, now)
                  : { ...progressJson(s, now), event: s.status, exitCode: end },
              ),
            )
        } else if (tty) process.stderr.write(progressBar(s, now, color))
        else if (seen !== last) err(progressLine(s, now))
        last = seen
        if (end !== undefined) {
          if (tty) process.stderr.write("\n")
          if (!flags.json) out(renderSummary(s, now))
          return end
        }
        await sleep(flags.interval * 1000)
      }
    })
  })
