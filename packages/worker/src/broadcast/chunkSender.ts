import { planAdmissions } from "@voicepartner/core/ratelimit/slidingLog"
import { mintCallbackPath } from "../callbacks/callbackUrl.js"
import { GatewayMisconfigured, gatewayConfig } from "../config/GatewayConfig.js"
import type { Env } from "../env.js"
import { quotaStub } from "../quota/quotaStub.js"
import { callUpstream } from "../upstream/callUpstream.js"
import type { BroadcastRow, BroadcastStore } from "./broadcastStore.js"
import { endpointOf } from "./broadcastTypes.js"
import { chunkResult, chunkSendRecord } from "./chunkOutcome.js"
import { CALLBACK_LIFETIME_MS } from "./deliverySync.js"
import { broadcastWindows, QUOTA_MARGIN_MS } from "./estimate.js"

/** When the quota object or the ledger cannot be asked: try again this much later. */
const UNREACHABLE_RETRY_MS = 1_000
/**
 * How much before its paced instant a chunk's alarm fires: the step prepares the chunk
 * (its numbers, its callback URL) and waits for the instant, so that its request leaves
 * on time whatever the alarm's lateness (up to this) and the preparation took.
 */
const EARLY_WAKE_MS = 30

/** What a step needs from its Durable Object. */
export interface SenderHost {
  readonly env: Env
  readonly store: BroadcastStore
  readonly waitUntil: (promise: Promise<unknown>) => void
}

const log = (msg: string, fields: Record<string, unknown>) =>
  console.log(JSON.stringify({ level: "info", msg, ...fields }))

/**
 * Hands the ledger the records it is owed (chunk sends whose record could not be written,
 * chunks found in flight at start-up), so that their callbacks bind. `false`: the ledger
 * did not take them all, try later.
 */
export const flushOwedRecords = async (host: SenderHost, b: BroadcastRow): Promise<boolean> => {
  const owed = host.store.owedRecords()
  if (owed.length === 0) return true
  const ledger = host.env.LEDGER.get(host.env.LEDGER.idFromName(b.clientId))
  let all = true
  for (const { idx, record } of owed) {
    try {
      await ledger.recordSend(b.clientId, record)
      host.store.markRecorded(idx, record.sendId)
    } catch {
      all = false
    }
  }
  return all
}

/**
 * The earliest instant this broadcast's next request may leave, by its own requests: the
 * sliding log of the windows it may use (the policy less the reserve), counted from each
 * request's answer (the provider counts arrivals, which come after our departure, late
 * when the network or the provider stalls, but never after its answer), each window
 * {@link QUOTA_MARGIN_MS} longer. So the provider never sees a window fuller than the
 * policy, whatever the jitter, for one round trip per window. The quota still decides (it
 * knows the single sends and the other broadcasts).
 *
 * @example
 * ```ts
 * const store = { answeredSince: () => [10, 20, 30, 40, 50] }
 * pacedAt(store, [{ limit: 5, windowMs: 1_000 }], 60) // 1_015: the first answer + the window + 5 ms
 * ```
 */
export const pacedAt = (
  store: Pick<BroadcastStore, "answeredSince">,
  windows: ReadonlyArray<{ readonly limit: number; readonly windowMs: number }>,
  now: number,
): number => {
  if (windows.length === 0) return now
  const widened = windows.map((w) => ({ limit: w.limit, windowMs: w.windowMs + QUOTA_MARGIN_MS }))
  const longest = Math.max(...widened.map((w) => w.windowMs))
  return planAdmissions(store.answeredSince(now - longest), widened, now, 1)[0] ?? now
}

/**
 * One step of a broadcast's alarm loop: at most one chunk sent. Returns when the alarm
 * must fire next (`undefined`: not until something changes — paused, finished, waiting).
 *
 * 1. A `scheduled` broadcast whose `startAt` has come becomes `running`.
 * 2. The gateway must still be able to send for the client (configuration, `PUBLIC_URL`,
 *    the client and its `broadcasts` operation): otherwise the broadcast pauses, saying why.
 * 3. The next pending chunk (lowest index whose retry time has come); none left: completed.
 *    It waits for the broadcast's own pacing ({@link pacedAt}): its earlier requests'
 *    answers under the windows, with a margin (the alarm is set a little before the
 *    instant; the step prepares the chunk, then waits for it).
 * 4. The status is checked again (a pause or a cancel may have come during the awaits).
 * 5. `callUpstream`, the single sends' own path (the account's quota object, core's
 *    transport and retry rules), as a shared request (`share`: a slot free now, within the
 *    windows less the reserve single sends keep, in the client's round-robin turn) with
 *    the chunk's callback URL minted for a new send id, forwarding to the broadcast's
 *    `notifyUrl` (else the client's webhook). Refused (no slot now): the chunk stays
 *    pending and the alarm is set for when the quota says to come back — the broadcast
 *    never waits inside a request, and never calls the upstream outside its quota.
 * 6. Right before the request leaves (`beforeSend`, synchronous), the chunk is marked
 *    `in_flight` under its send id; the object's output gate holds the request until that
 *    write is committed.
 * 7. The outcome (`chunkOutcome.ts`) settles the chunk with the ledger record it owes; the
 *    record is handed to the client's ledger (`recordSend`) so that callbacks bind to it.
 *    An error that will not improve pauses the broadcast with its reason.
 */
export const sendNextChunk = async (host: SenderHost): Promise<number | undefined> => {
  const { store, env } = host
  const b = store.read()
  if (b === undefined || (b.status !== "scheduled" && b.status !== "running")) return undefined
  const now = Date.now()
  if (b.status === "scheduled") {
    if (b.startAt !== undefined && b.startAt > now) return b.startAt
    store.run(now)
    log("broadcast started", { broadcast: b.id, client: b.clientId })
  }
  const config = await gatewayConfig(env)
  const problem =
    config instanceof GatewayMisconfigured
      ? { code: "GATEWAY_MISCONFIGURED", message: config.problem }
      : config.publicUrl === undefined
        ? {
            code: "GATEWAY_MISCONFIGURED",
            message: "PUBLIC_URL is not set: the gateway cannot mint callback URLs",
          }
        : !config.clients.some((c) => c.id === b.clientId && c.operations.has("broadcasts"))
          ? {
              code: "CLIENT_NOT_ALLOWED",
              message: `client ${b.clientId} is no longer configured with the broadcasts operation`,
            }
          : undefined
  const origin = config instanceof GatewayMisconfigured ? undefined : config.publicUrl
  if (problem !== undefined || config instanceof GatewayMisconfigured || origin === undefined) {
    if (problem !== undefined && store.pause(problem, Date.now()))
      log("broadcast paused", { broadcast: b.id, client: b.clientId, code: problem.code })
    return undefined
  }
  if (!(await flushOwedRecords(host, b))) return Date.now() + UNREACHABLE_RETRY_MS
  const pick = store.nextChunk(Date.now())
  if (pick === undefined) {
    const at = store.nextPendingAt()
    if (at !== undefined) return Math.max(at, Date.now())
    if (store.complete(Date.now()))
      log("broadcast completed", { broadcast: b.id, client: b.clientId })
    return undefined
  }
  const endpoint = endpointOf(b.type)
  // Paced by its own requests' answers first (see `pacedAt`): the quota, which counts
  // admissions, would admit the chunk, but the provider might not yet. The alarm
  // wakes a little early and the step waits out the rest after its preparation, so that
  // neither the alarm's lateness nor the preparation delays every later window.
  const paced = pacedAt(store, broadcastWindows(env, endpoint), Date.now())
  if (paced > Date.now() + EARLY_WAKE_MS) return paced - EARLY_WAKE_MS
  const sendId = crypto.randomUUID()
  const numbers = store.numbersOf(pick.idx)
  const mintedAt = Date.now()
  const callbackPath = await mintCallbackPath(
    {
      clientId: b.clientId,
      sendId,
      expiresAt: Math.floor((mintedAt + CALLBACK_LIFETIME_MS) / 1000),
      forwardTo: b.notifyUrl,
    },
    config.callbackKey,
  )
  const wait = paced - Date.now()
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
  // A pause or a cancel that came during the awaits above: nothing is sent.
  if (store.status() !== "running") return undefined
  // Whether a request left (so the outcome may be a send): set by the first `beforeSend`.
  let left = false
  const outcome = await callUpstream(
    config,
    quotaStub(env, config),
    {
      endpoint,
      body: {
        ...b.message,
        phoneNumbers: numbers.join(","),
        notifyUrl: `${origin}${callbackPath}`,
      },
    },
    {
      // A shared slot free now and in this client's turn, or a refusal saying when.
      maxWaitMs: 0,
      share: { client: b.clientId },
      waitUntil: host.waitUntil,
      // Synchronously, right before the request leaves: the write is committed before
      // anything goes out (the object's output gate holds the request until it is).
      beforeSend: () => {
        if (left) return // core's retry of a request that certainly did not go out
        left = true
        store.markInFlight(pick.idx, sendId, Date.now())
      },
    },
  )
  if (!left) {
    // The request never left (no slot, the quota object unreachable, …): pending still.
    const later = chunkResult(outcome, pick.attempts)
    const afterMs = later.kind === "later" ? later.afterMs : UNREACHABLE_RETRY_MS * 30
    store.postpone(pick.idx, Date.now() + afterMs, later.kind === "sent" ? "NOT_SENT" : later.code)
    return Date.now() + afterMs
  }
  const result = chunkResult(outcome, pick.attempts + 1)
  const record = chunkSendRecord(
    { sendId, endpoint, createdAt: mintedAt, recipients: numbers.length },
    outcome,
    result,
  )
  store.settle(pick.idx, result, Date.now(), record)
  log("broadcast chunk", {
    broadcast: b.id,
    client: b.clientId,
    chunk: pick.idx,
    result: result.kind,
    ...(result.kind !== "sent" && { code: result.code }),
  })
  await flushOwedRecords(host, b)
  if (result.kind === "pause") {
    if (store.pause({ code: result.code, message: result.message }, Date.now()))
      log("broadcast paused", { broadcast: b.id, client: b.clientId, code: result.code })
    return undefined
  }
  const at = store.nextPendingAt()
  return at === undefined ? Date.now() : Math.max(at, Date.now())
}
